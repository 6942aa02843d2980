import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { connectionSettings, StorageFloor } from "../../src/bench/floor.js";
import { CONVERSATIONS } from "../../src/bench/scripts.js";
import { captureShapes, type ScriptShape } from "../../src/bench/shape.js";
import { converse } from "../../src/bench/turns.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { engineFor, nlu } from "../support/conversation.js";

/**
 * A file with posdesk's schema that logs the size of every analytics journal row appended (the counts of a
 * turn with no transcript row): posdesk's store folds its journal into the rollup and deletes the rows, so
 * they are counted as they are written.
 */
async function loggingJournal(file: string): Promise<void> {
  await new SqliteStore(file).close();
  const db = new Database(file);
  db.exec(`CREATE TABLE journal_log (bytes INTEGER NOT NULL);
    CREATE TRIGGER log_journal AFTER INSERT ON rollup_journal
    BEGIN INSERT INTO journal_log (bytes) VALUES (length(CAST(new.counts AS BLOB))); END;`);
  db.close();
}

/** Each table's row sizes in bytes, in the order they were written. */
function rowBytes(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      conversations: db
        .prepare("SELECT id, length(CAST(data AS BLOB)) AS bytes FROM conversations ORDER BY id")
        .all(),
      transcripts: db
        .prepare(
          "SELECT conversation_id, length(CAST(entry AS BLOB)) AS bytes, length(CAST(counts AS BLOB)) AS counts FROM transcripts ORDER BY seq",
        )
        .all(),
      handoffs: db
        .prepare("SELECT conversation_id, length(CAST(data AS BLOB)) AS bytes FROM handoffs ORDER BY rowid")
        .all(),
      journal: db.prepare("SELECT bytes FROM journal_log ORDER BY rowid").all(),
    };
  } finally {
    db.close();
  }
}

describe("the storage floor", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-floor-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The scripted conversations through posdesk's store, and their shapes replayed by the floor (`replay`),
   * each on a file of its own: both files' rows.
   */
  async function sideBySide(replay: (floor: StorageFloor, id: string, script: ScriptShape) => number) {
    const dir = tempDir();
    await loggingJournal(join(dir, "posdesk.db"));
    await loggingJournal(join(dir, "floor.db"));
    const store = new SqliteStore(join(dir, "posdesk.db"));
    const engine = engineFor(store);
    for (const [i, script] of CONVERSATIONS.entries()) await converse(engine, `c-${i}`, script.turns);
    await store.close();

    const { scripts } = await captureShapes(nlu);
    const floor = await StorageFloor.open(join(dir, "floor.db"));
    for (const [i, script] of scripts.entries()) replay(floor, `c-${i}`, script);
    await floor.close();
    return { posdesk: rowBytes(join(dir, "posdesk.db")), floor: rowBytes(join(dir, "floor.db")) };
  }

  it("writes rows of the same bytes as posdesk's store for the same scripted conversations", async () => {
    const { posdesk, floor } = await sideBySide((f, id, script) => f.conversation(id, script));
    expect(posdesk.handoffs).toHaveLength(1);
    expect(
      posdesk.transcripts.filter((row) => (row as { counts: number | null }).counts).length,
    ).toBeGreaterThan(0);
    expect(floor).toEqual(posdesk);
  });

  it("as the issue words it, writes the conversation rows of posdesk's store and nothing else", async () => {
    const { posdesk, floor } = await sideBySide((f, id, script) => f.conversationRow(id, script));
    expect(floor.conversations).toEqual(posdesk.conversations);
    expect(floor).toMatchObject({ transcripts: [], handoffs: [], journal: [] });
  });

  it("opens its connection with the settings of posdesk's store", async () => {
    const dir = tempDir();
    await loggingJournal(join(dir, "posdesk.db"));
    await loggingJournal(join(dir, "floor.db"));
    const store = new SqliteStore(join(dir, "posdesk.db"));
    // The store's connection is private: read its settings the way a debugger would.
    const posdesk = connectionSettings((store as unknown as { db: Database.Database }).db);
    await store.close();
    const floor = await StorageFloor.open(join(dir, "floor.db"));
    const settings = connectionSettings(floor.db);
    await floor.close();
    expect(settings).toEqual(posdesk);
    expect(settings.journal_mode).toBe("wal");
  });
});
