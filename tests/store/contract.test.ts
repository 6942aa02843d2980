/** Every store keeps the same promises: the same tests against memory, a SQLite file and a real Redis. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffRecord } from "../../src/domain/handoff.js";
import { MemoryStore } from "../../src/store/memory.js";
import { RedisStore, redisClient } from "../../src/store/redis.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { ConversationRecord, Store } from "../../src/store/store.js";
import { type RedisServer, startRedis } from "../support/redis.js";

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "posdesk-store-"));
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const conversation = (id: string): ConversationRecord => ({
  id,
  channel: "web",
  locale: "zh-CN",
  localeFixed: false,
  topic: "card_declined",
  flow: {
    id: "card_declined",
    version: 1,
    snapshot: { value: "askScope", context: { facts: { amount: 5 } } },
  },
  question: { flow: "card_declined", options: ["one_card", "all_cards"], expect: "choice" },
  facts: { responseCode: "05" },
  stepsTried: [],
  notUnderstood: 0,
  handoffId: null,
  turn: 2,
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:01:00.000Z",
});

const handoff = (id: string, createdAt: string, status: HandoffRecord["status"] = "open"): HandoffRecord => ({
  status,
  summary: {
    id,
    conversationId: `c-${id}`,
    channel: "web",
    locale: "zh-CN",
    intent: "card_declined",
    flow: "card_declined",
    reason: "requested",
    priority: "normal",
    facts: {},
    stepsTried: [],
    summary: "卡号 4111111111111111 被拒",
    transcript: [],
    createdAt,
  },
});

const stores: [string, () => Store][] = [
  ["memory", () => new MemoryStore()],
  ["SQLite", () => new SqliteStore(join(dir, `${Math.random()}.db`))],
  ["Redis", () => new RedisStore(redisClient(redis.url), { prefix: `t${Math.random()}:` })],
];

describe.each(stores)("the %s store", (_name, open) => {
  it("gives back a conversation exactly as saved", async () => {
    const store = open();
    await store.saveConversation(conversation("a"));
    expect(await store.getConversation("a")).toEqual(conversation("a"));
    expect(await store.getConversation("missing")).toBeUndefined();
    await store.close();
  });

  it("keeps a transcript in order", async () => {
    const store = open();
    const at = "2026-11-25T10:00:00.000Z";
    await store.appendTranscript("t", [{ from: "merchant", text: "一", at }]);
    await store.appendTranscript("t", [
      { from: "bot", text: "二", at },
      { from: "agent", text: "三", at },
    ]);
    expect((await store.transcript("t")).map((e) => e.text)).toEqual(["一", "二", "三"]);
    await store.close();
  });

  it("lists handoffs newest first and filters by status", async () => {
    const store = open();
    await store.saveHandoff(handoff("old", "2026-11-25T09:00:00.000Z"));
    await store.saveHandoff(handoff("new", "2026-11-25T11:00:00.000Z"));
    await store.saveHandoff(handoff("done", "2026-11-25T12:00:00.000Z", "closed"));
    expect((await store.listHandoffs()).map((h) => h.summary.id)).toEqual(["done", "new", "old"]);
    expect((await store.listHandoffs({ status: "active" })).map((h) => h.summary.id)).toEqual(["new", "old"]);
    await store.close();
  });

  it("masks a card number that reaches it unmasked", async () => {
    const store = open();
    await store.saveHandoff(handoff("pan", "2026-11-25T09:00:00.000Z"));
    expect((await store.getHandoff("pan"))?.summary.summary).toBe("卡号 411111******1111 被拒");
    await store.close();
  });

  it("saves a turn's transcript entries, the handoff it opened and the conversation together", async () => {
    const store = open();
    const at = "2026-11-25T10:00:00.000Z";
    const opened = handoff("turn", "2026-11-25T10:00:00.000Z");
    await store.saveTurn({
      conversation: { ...conversation("c-turn"), handoffId: "turn" },
      transcript: [
        { from: "merchant", text: "转人工", at, intent: "human_agent" },
        { from: "bot", text: "正在为您转接", at },
      ],
      handoff: opened,
    });
    expect(await store.getConversation("c-turn")).toMatchObject({ handoffId: "turn" });
    expect(await store.transcript("c-turn")).toEqual([
      { from: "merchant", text: "转人工", at, intent: "human_agent" },
      { from: "bot", text: "正在为您转接", at },
    ]);
    expect((await store.getHandoff("turn"))?.summary.id).toBe("turn");
    expect((await store.listHandoffs()).map((h) => h.summary.id)).toEqual(["turn"]);
    await store.close();
  });

  it("remembers decisions on learning candidates, the latest one winning", async () => {
    const store = open();
    expect(await store.decisions()).toEqual(new Map());
    await store.recordDecision("cand-1", "accepted");
    await store.recordDecision("cand-2", "rejected");
    await store.recordDecision("cand-2", "accepted");
    await store.recordDecision("cand-3", "rejected");
    expect(await store.decisions()).toEqual(
      new Map([
        ["cand-1", "accepted"],
        ["cand-2", "accepted"],
        ["cand-3", "rejected"],
      ]),
    );
    await store.close();
  });

  it("keeps a picture's redacted copy for agents, byte for byte, with its type and conversation", async () => {
    const store = open();
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255, 0, 254]);
    const id = await store.savePicture("c-pic", bytes, "image/png");
    const other = await store.savePicture("c-pic", new Uint8Array([0xff, 0xd8, 0xff]), "image/jpeg");
    expect(other).not.toBe(id);
    const kept = await store.getPicture(id);
    expect(kept).toMatchObject({ id, conversationId: "c-pic", mime: "image/png" });
    expect(Buffer.from(kept?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(Date.parse(kept?.createdAt ?? "")).not.toBeNaN();
    expect((await store.getPicture(other))?.mime).toBe("image/jpeg");
    expect(await store.getPicture("no-such-picture")).toBeUndefined();
    await store.close();
  });

  it("keeps a transcript entry's picture reference", async () => {
    const store = open();
    const at = "2026-11-25T10:00:00.000Z";
    await store.appendTranscript("t-pic", [{ from: "merchant", text: "应答码：51", at, picture: "p-1" }]);
    expect(await store.transcript("t-pic")).toEqual([
      { from: "merchant", text: "应答码：51", at, picture: "p-1" },
    ]);
    await store.close();
  });

  it("adds up the analytics rollup by hour, day and week, and keeps marked counts per hour as a trend", async () => {
    const store = open();
    const hour = 491_000; // 2026-01-06T08:00Z, a Tuesday
    await store.addToRollup([
      { hour, metric: "conversations", n: 2, trend: true },
      { hour, metric: "topic:card_declined", n: 1 },
    ]);
    await store.saveTurn({
      conversation: conversation("c-rollup"),
      transcript: [],
      rollup: [
        { hour: hour + 1, metric: "conversations", n: 1, trend: true },
        { hour: hour + 1, metric: "flow.open:card_declined:askScope", n: 1 },
        { hour: hour + 1, metric: "flow.open:card_declined:askScope", n: -1 },
      ],
    });
    expect(await store.rollupTotals("hour", hour, hour + 1)).toEqual(
      new Map([
        ["conversations", 2],
        ["topic:card_declined", 1],
      ]),
    );
    const day = Math.floor(hour / 24);
    const week = Math.floor(hour / 168);
    const both = new Map([
      ["conversations", 3],
      ["topic:card_declined", 1],
    ]);
    expect(await store.rollupTotals("day", day, day + 1)).toEqual(both);
    expect(await store.rollupTotals("week", week, week + 1)).toEqual(both);
    expect(await store.rollupTotals("day", day + 1, day + 30)).toEqual(new Map());
    expect(await store.rollupSeries("trend", hour - 5, hour + 5, ["conversations", "handoffs"])).toEqual([
      { bucket: hour, metric: "conversations", n: 2 },
      { bucket: hour + 1, metric: "conversations", n: 1 },
    ]);
    expect(await store.rollupSeries("trend", hour + 1, hour + 2, ["topic:card_declined"])).toEqual([]);
    await store.close();
  });

  it("says it is ready", async () => {
    const store = open();
    expect(await store.ready()).toBe(true);
    await store.close();
  });
});
