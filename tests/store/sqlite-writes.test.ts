/**
 * How the SQLite store writes turns. It commits the turns that are ready together (group commit): what each
 * turn is promised stays what it was — in the file once its save settles, failing alone, in the order writes
 * were asked for. A turn's transcript entries are one row; rows of one entry each, as older versions wrote
 * them, still read back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../../src/domain/handoff.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { sumCounts } from "../../src/store/sqlite-rollup.js";
import type { ConversationRecord, TurnWrite } from "../../src/store/store.js";
import { conversationRecord } from "../support/records.js";

const dir = mkdtempSync(join(tmpdir(), "posdesk-group-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = "2026-12-01T10:00:00.000Z";

const conversation = (id: string, turn = 1): ConversationRecord => conversationRecord(id, at, { turn });

const turn = (id: string, text: string, record = conversation(id)): TurnWrite => ({
  conversation: record,
  transcript: [
    { from: "merchant", text, at },
    { from: "bot", text: `re: ${text}`, at },
  ],
  rollup: [{ hour: 491_000, metric: "turns", n: 1 }],
});

/** What another connection to the file sees of a conversation: its turn count and transcript texts. */
function onDisk(file: string, id: string): { turn: number | null; texts: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare<[string], { data: string }>("SELECT data FROM conversations WHERE id = ?").get(id);
    const entries = db
      .prepare<[string], { entry: string }>(
        "SELECT entry FROM transcripts WHERE conversation_id = ? ORDER BY seq",
      )
      .all(id);
    return {
      turn: row ? (JSON.parse(row.data) as ConversationRecord).turn : null,
      texts: entries.flatMap((e) => JSON.parse(e.entry) as TranscriptEntry[]).map((e) => e.text),
    };
  } finally {
    db.close();
  }
}

const fresh = () => {
  const file = join(dir, `${Math.random()}.db`);
  return { file, store: new SqliteStore(file) };
};

describe("the SQLite store's group commit", () => {
  it("commits the turns of several conversations handed over in the same tick in one transaction", async () => {
    const { file, store } = fresh();
    const ids = ["a", "b", "c", "d", "e"];
    await Promise.all(ids.map((id) => store.saveTurn(turn(id, `hello ${id}`))));
    expect(store.turnCommits).toEqual({ commits: 1, turns: 5 });
    for (const id of ids)
      expect(onDisk(file, id)).toEqual({ turn: 1, texts: [`hello ${id}`, `re: hello ${id}`] });
    await store.close();
  });

  it("settles a turn's save only once the turn is in the file", async () => {
    const { file, store } = fresh();
    const saved = store.saveTurn(turn("a", "此卡无法交易"));
    expect(onDisk(file, "a").turn).toBeNull();
    await saved;
    expect(onDisk(file, "a")).toEqual({ turn: 1, texts: ["此卡无法交易", "re: 此卡无法交易"] });
    await store.close();
  });

  it("fails a turn that cannot be written alone: the others of its batch are kept", async () => {
    const { file, store } = fresh();
    const broken = turn("bad", "x", { ...conversation("bad"), address: 1n });
    const results = await Promise.allSettled([
      store.saveTurn(turn("a", "one")),
      store.saveTurn(broken),
      store.saveTurn(turn("b", "two")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(onDisk(file, "a").texts).toEqual(["one", "re: one"]);
    expect(onDisk(file, "b").texts).toEqual(["two", "re: two"]);
    expect(onDisk(file, "bad")).toEqual({ turn: null, texts: [] });
    expect(await store.rollupTotals("hour", 491_000, 491_001)).toEqual(new Map([["turns", 2]]));
    await store.close();
  });

  it("writes a change made outside a turn after the turns already handed over", async () => {
    const { store } = fresh();
    const waiting = store.saveTurn(turn("a", "one", conversation("a", 1)));
    await store.saveConversation(conversation("a", 7));
    await waiting;
    expect((await store.getConversation("a"))?.turn).toBe(7);
    await store.appendTranscript("a", [{ from: "agent", text: "agent here", at }]);
    expect((await store.transcript("a")).map((e) => e.text)).toEqual(["one", "re: one", "agent here"]);
    await store.close();
  });

  it("commits the turns still waiting when it is closed", async () => {
    const { file, store } = fresh();
    const saved = store.saveTurn(turn("a", "last words"));
    await store.close();
    await saved;
    expect(onDisk(file, "a").texts).toEqual(["last words", "re: last words"]);
  });

  it("keeps each conversation's turns in order when turns of many conversations interleave", async () => {
    const { file, store } = fresh();
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await Promise.all(
      ids.map(async (id) => {
        for (let n = 1; n <= 3; n++) await store.saveTurn(turn(id, `${id} says ${n}`, conversation(id, n)));
      }),
    );
    expect(store.turnCommits).toEqual({ commits: 3, turns: 60 });
    for (const id of ids)
      expect(onDisk(file, id)).toEqual({
        turn: 3,
        texts: [1, 2, 3].flatMap((n) => [`${id} says ${n}`, `re: ${id} says ${n}`]),
      });
    await store.close();
  });

  it("journals a batch's analytics counts summed, each hour and metric once", async () => {
    expect(
      sumCounts([
        [
          { hour: 7, metric: "turns", n: 1, trend: true },
          { hour: 7, metric: "flow.open:card_declined:askScope", n: 1 },
        ],
        undefined,
        [
          { hour: 7, metric: "turns", n: 1, trend: true },
          { hour: 8, metric: "turns", n: 1, trend: true },
          { hour: 7, metric: "flow.open:card_declined:askScope", n: -1 },
        ],
      ]),
    ).toEqual([
      { hour: 7, metric: "turns", n: 2, trend: true },
      { hour: 8, metric: "turns", n: 1, trend: true },
    ]);
    const { store } = fresh();
    await Promise.all(["a", "b", "c"].map((id) => store.saveTurn(turn(id, "hi"))));
    expect(await store.rollupTotals("hour", 491_000, 491_001)).toEqual(new Map([["turns", 3]]));
    await store.close();
  });
});

describe("the SQLite store's transcript rows", () => {
  it("keeps a turn's entries in one row", async () => {
    const { file, store } = fresh();
    await store.saveTurn(turn("a", "此卡无法交易"));
    const db = new Database(file, { readonly: true });
    const rows = db.prepare("SELECT count(*) AS n FROM transcripts").get() as { n: number };
    db.close();
    expect(rows.n).toBe(1);
    expect((await store.transcript("a")).map((e) => e.text)).toEqual(["此卡无法交易", "re: 此卡无法交易"]);
    await store.close();
  });

  it("reads rows of one entry each, as older versions wrote them, in order with newer rows", async () => {
    const { file, store } = fresh();
    const db = new Database(file);
    const insert = db.prepare("INSERT INTO transcripts (conversation_id, entry) VALUES (?, ?)");
    insert.run("a", JSON.stringify({ from: "merchant", text: "POS机不能用了", at }));
    insert.run("a", JSON.stringify({ from: "bot", text: "请问屏幕上显示什么？", at }));
    db.close();
    await store.saveTurn(turn("a", "通讯失败"));
    expect((await store.transcript("a")).map((e) => e.text)).toEqual([
      "POS机不能用了",
      "请问屏幕上显示什么？",
      "通讯失败",
      "re: 通讯失败",
    ]);
    await store.close();
  });
});
