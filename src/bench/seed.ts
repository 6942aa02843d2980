/**
 * Files full of stored conversations, made fast: posdesk's own store creates the schema, then one
 * transaction and one prepared statement insert `rows` conversation rows straight through better-sqlite3,
 * each a real record (captured from the engine, shape.ts) under a random UUID like a web conversation's
 * (one posdesk accepts: see scripts.ts).
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { SqliteStore } from "../store/sqlite.js";
import type { ConversationRecord } from "../store/store.js";
import { conversationId } from "./scripts.js";

export interface Seeded {
  rows: number;
  ms: number;
  bytes: number;
}

const ID_MARK = "\u0000seed-id\u0000";

/** A record's JSON cut around its id, so a row is two concatenations, not a JSON.stringify. */
export function recordTemplate(record: ConversationRecord): { before: string; after: string } {
  const json = JSON.stringify({ ...record, id: ID_MARK });
  const at = json.indexOf(JSON.stringify(ID_MARK));
  return { before: `${json.slice(0, at)}"`, after: `"${json.slice(at + JSON.stringify(ID_MARK).length)}` };
}

export async function seedConversations(
  file: string,
  rows: number,
  records: readonly ConversationRecord[],
): Promise<Seeded> {
  if (records.length === 0) throw new Error("no records to seed with");
  await new SqliteStore(file).close();
  const started = performance.now();
  const templates = records.map(recordTemplate);
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    // Only while seeding: a file that is thrown away after the run needs no sync.
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    const insert = db.prepare<[string, string, string]>(
      "INSERT INTO conversations (id, data, updated_at) VALUES (?, ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const template = templates[i % templates.length] as { before: string; after: string };
        const record = records[i % records.length] as ConversationRecord;
        const id = conversationId();
        insert.run(id, template.before.concat(id, template.after), record.updatedAt);
      }
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return { rows, ms: Math.round(performance.now() - started), bytes: statSync(file).size };
}
