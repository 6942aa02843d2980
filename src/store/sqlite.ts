/**
 * SQLite file store (the default): conversations with their flow snapshots, transcripts and handoffs
 * survive a restart. WAL mode, so a process killed mid-turn never corrupts the file.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { HandoffRecord, TranscriptEntry } from "../engine/handoff.js";
import { maskDeep } from "../nlu/redact.js";
import {
  type ConversationRecord,
  type HandoffQuery,
  matchesQuery,
  newestFirst,
  type Store,
} from "./store.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS transcripts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    entry TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS transcripts_by_conversation ON transcripts (conversation_id, seq);
  CREATE TABLE IF NOT EXISTS handoffs (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, created_at);
`;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    this.statements = {
      getConversation: this.db.prepare<[string], { data: string }>(
        "SELECT data FROM conversations WHERE id = ?",
      ),
      putConversation: this.db.prepare<[string, string, string]>(
        "INSERT INTO conversations (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
      ),
      appendTranscript: this.db.prepare<[string, string]>(
        "INSERT INTO transcripts (conversation_id, entry) VALUES (?, ?)",
      ),
      transcript: this.db.prepare<[string], { entry: string }>(
        "SELECT entry FROM transcripts WHERE conversation_id = ? ORDER BY seq",
      ),
      putHandoff: this.db.prepare<[string, string, string, string, string]>(
        "INSERT INTO handoffs (id, conversation_id, status, created_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data",
      ),
      getHandoff: this.db.prepare<[string], { data: string }>("SELECT data FROM handoffs WHERE id = ?"),
      listHandoffs: this.db.prepare<[], { data: string }>(
        "SELECT data FROM handoffs ORDER BY created_at DESC",
      ),
    };
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = this.statements.getConversation.get(id);
    return row ? (JSON.parse(row.data) as ConversationRecord) : undefined;
  }

  async saveConversation(conversation: ConversationRecord): Promise<void> {
    const masked = maskDeep(conversation);
    this.statements.putConversation.run(masked.id, JSON.stringify(masked), masked.updatedAt);
  }

  async appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    const insert = this.db.transaction((list: TranscriptEntry[]) => {
      for (const entry of list)
        this.statements.appendTranscript.run(conversationId, JSON.stringify(maskDeep(entry)));
    });
    insert(entries);
  }

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    return this.statements.transcript
      .all(conversationId)
      .map((row) => JSON.parse(row.entry) as TranscriptEntry);
  }

  async saveHandoff(handoff: HandoffRecord): Promise<void> {
    const masked = maskDeep(handoff);
    const { id, conversationId, createdAt } = masked.summary;
    this.statements.putHandoff.run(id, conversationId, masked.status, createdAt, JSON.stringify(masked));
  }

  async getHandoff(id: string): Promise<HandoffRecord | undefined> {
    const row = this.statements.getHandoff.get(id);
    return row ? (JSON.parse(row.data) as HandoffRecord) : undefined;
  }

  async listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]> {
    return this.statements.listHandoffs
      .all()
      .map((row) => JSON.parse(row.data) as HandoffRecord)
      .filter((h) => matchesQuery(h, query))
      .sort(newestFirst);
  }

  async ready(): Promise<boolean> {
    return this.db.open;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
