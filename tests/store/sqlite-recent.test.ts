/**
 * The SQLite store reads back the conversation it wrote last from memory (src/store/recent-rows.ts): what it
 * returns is always what the file holds, whoever wrote it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { RecentRows } from "../../src/store/recent-rows.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { ConversationRecord } from "../../src/store/store.js";

const dir = mkdtempSync(join(tmpdir(), "posdesk-recent-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const conversation = (id: string, turn: number): ConversationRecord => ({
  id,
  channel: "web",
  locale: "zh-CN",
  localeFixed: false,
  topic: null,
  flow: null,
  question: null,
  facts: {},
  stepsTried: [],
  notUnderstood: 0,
  handoffId: null,
  turn,
  createdAt: "2026-12-01T02:00:00.000Z",
  updatedAt: "2026-12-01T02:00:00.000Z",
});

describe("a conversation read back from the SQLite store", () => {
  it("is the one another process wrote to the file after this store last wrote it", async () => {
    const file = join(dir, "other-process.db");
    const store = new SqliteStore(file);
    await store.saveTurn({ conversation: conversation("c-1", 1), transcript: [] });
    expect((await store.getConversation("c-1"))?.turn).toBe(1);
    const other = new Database(file);
    other
      .prepare("UPDATE conversations SET data = ? WHERE id = ?")
      .run(JSON.stringify(conversation("c-1", 7)), "c-1");
    other.close();
    expect((await store.getConversation("c-1"))?.turn).toBe(7);
    await store.close();
  });

  it("is the last one committed when a later turn fails to be written", async () => {
    const store = new SqliteStore(join(dir, "failed-turn.db"));
    await store.saveTurn({ conversation: conversation("c-2", 1), transcript: [] });
    // JSON has no BigInt: the transaction fails after the conversation row was written in it.
    const failing = { conversation: conversation("c-2", 2), transcript: [], rollup: [{ hour: 1n }] };
    await expect(store.saveTurn(failing as never)).rejects.toThrow();
    expect((await store.getConversation("c-2"))?.turn).toBe(1);
    await store.close();
  });

  it("is a copy: changing what was read changes nothing stored", async () => {
    const store = new SqliteStore(join(dir, "copy.db"));
    await store.saveConversation(conversation("c-3", 1));
    const read = await store.getConversation("c-3");
    if (read) read.turn = 99;
    expect((await store.getConversation("c-3"))?.turn).toBe(1);
    await store.close();
  });
});

describe("the recent rows", () => {
  it("keep at most their number, dropping the least recently used first", () => {
    const rows = new RecentRows(() => 1, 2);
    rows.set("a", "1");
    rows.set("b", "2");
    rows.get("a");
    rows.set("c", "3");
    expect([rows.get("a"), rows.get("b"), rows.get("c")]).toEqual(["1", undefined, "3"]);
  });

  it("are all forgotten when another connection has committed", () => {
    let version = 1;
    const rows = new RecentRows(() => version);
    rows.set("a", "1");
    version = 2;
    expect(rows.get("a")).toBeUndefined();
    rows.set("a", "2");
    expect(rows.get("a")).toBe("2");
  });
});
