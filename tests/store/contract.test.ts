/** Every store keeps the same promises: the same tests against memory, a SQLite file and a real Redis. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HandoffRecord } from "../../src/domain/handoff.js";
import type { IncidentMember, IncidentRecord, MemberState } from "../../src/domain/incident.js";
import type { TopicId } from "../../src/domain/intents.js";
import type { Rating } from "../../src/domain/rating.js";
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

const rating = (conversationId: string, at: string, score: Rating["score"] = 4): Rating => ({
  conversationId,
  score,
  after: "flow",
  topic: "card_declined",
  channel: "web",
  at,
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

  it("keeps ratings, newest first, and lists those of a period: from included, to excluded", async () => {
    const store = open();
    const early = rating("c-1", "2026-11-25T09:00:00.000Z", 5);
    const middle = {
      ...rating("c-2", "2026-11-25T10:00:00.000Z", 2),
      after: "handoff" as const,
      handoffId: "h-1",
    };
    const late = { ...rating("c-3", "2026-11-25T11:00:00.000Z", 3), topic: null };
    for (const r of [middle, late, early]) await store.saveRating(r);
    expect(await store.ratings()).toEqual([late, middle, early]);
    expect(await store.ratings({ from: "2026-11-25T10:00:00.000Z", to: "2026-11-25T11:00:00.000Z" })).toEqual(
      [middle],
    );
    expect(await store.ratings({ from: "2026-11-25T09:30:00.000Z" })).toEqual([late, middle]);
    expect(await store.ratings({ to: "2026-11-25T10:00:00.000Z" })).toEqual([early]);
    // The same instant written with an offset.
    expect(await store.ratings({ from: "2026-11-25T18:00:00+08:00" })).toEqual([late, middle]);
    expect(await store.ratings({ from: "2026-11-26T00:00:00.000Z" })).toEqual([]);
    await store.close();
  });

  it("replaces a rating saved again for its comment: the same conversation and time", async () => {
    const store = open();
    const given = rating("c-comment", "2026-11-25T09:00:00.000Z");
    await store.saveRating(given);
    await store.saveRating({ ...given, comment: "很快就好了" });
    expect(await store.ratings()).toEqual([{ ...given, comment: "很快就好了" }]);
    await store.close();
  });

  it("masks a card number in a rating's comment", async () => {
    const store = open();
    await store.saveRating({
      ...rating("c-pan", "2026-11-25T09:00:00.000Z"),
      comment: "4111111111111111 也好了",
    });
    expect((await store.ratings())[0]?.comment).toBe("411111******1111 也好了");
    await store.close();
  });

  it("keeps a handoff's rating and a conversation's last rating", async () => {
    const store = open();
    const given = {
      ...rating("c-h", "2026-11-25T09:00:00.000Z"),
      after: "handoff" as const,
      handoffId: "rated",
    };
    await store.saveHandoff({ ...handoff("rated", "2026-11-25T08:00:00.000Z", "closed"), rating: given });
    expect((await store.getHandoff("rated"))?.rating).toEqual(given);
    await store.saveConversation({ ...conversation("c-h"), lastRating: given, ratingAskedAt: given.at });
    expect((await store.getConversation("c-h"))?.lastRating).toEqual(given);
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

const T0 = Date.parse("2026-12-01T09:00:00.000Z");
const WINDOW = 15 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const incident = (id: string, topic: TopicId = "network_failure", at = T0): IncidentRecord => ({
  id,
  topic,
  status: "suspected",
  detectedAt: iso(at),
});
const member = (conversationId: string, at = T0, state: MemberState = "raised"): IncidentMember => ({
  conversationId,
  at: iso(at),
  state,
});

describe.each(stores)("the %s store's incidents", (_name, openStore) => {
  let store: Store;
  const open = () => {
    store = openStore();
    return store;
  };
  afterEach(async () => {
    await store.close();
  });

  it("counts the distinct conversations raising a topic in a sliding window", async () => {
    const { incidents } = open();
    expect(await incidents.countRaise("network_failure", "a", T0, WINDOW)).toEqual({ count: 1 });
    expect((await incidents.countRaise("network_failure", "b", T0 + 60_000, WINDOW)).count).toBe(2);
    // The same conversation again counts once, from its latest raise.
    expect((await incidents.countRaise("network_failure", "a", T0 + 120_000, WINDOW)).count).toBe(2);
    expect((await incidents.countRaise("printer_problem", "c", T0 + 120_000, WINDOW)).count).toBe(1);
    // b's raise is a whole window old: out; a's latest is not.
    expect((await incidents.countRaise("network_failure", "d", T0 + 60_000 + WINDOW, WINDOW)).count).toBe(2);
    expect(await incidents.raisedSince("network_failure", T0 + 60_000 + WINDOW - 1000)).toEqual([
      member("d", T0 + 60_000 + WINDOW),
    ]);
    expect((await incidents.raisedSince("network_failure", T0)).map((m) => m.conversationId)).toEqual([
      "a",
      "d",
    ]);
    await incidents.clearRaises("network_failure");
    expect(await incidents.raisedSince("network_failure", T0)).toEqual([]);
    expect((await incidents.raisedSince("printer_problem", T0)).map((m) => m.conversationId)).toEqual(["c"]);
  });

  it("opens one incident per topic at a time, with the conversations it started with", async () => {
    const { incidents } = open();
    const first = await incidents.open(incident("i-1"), [member("a"), member("b", T0 + 1)]);
    expect(first).toEqual(incident("i-1"));
    // A second detection of the same topic gets the one already open, and adds nothing.
    expect(await incidents.open(incident("i-2"), [member("z")])).toEqual(incident("i-1"));
    expect(await incidents.get("i-2")).toBeUndefined();
    expect((await incidents.members("i-1")).map((m) => m.conversationId)).toEqual(["a", "b"]);
    expect((await incidents.countRaise("network_failure", "x", T0, WINDOW)).open).toBe("i-1");
    expect((await incidents.countRaise("printer_problem", "x", T0, WINDOW)).open).toBeUndefined();
    // Another topic has its own.
    expect((await incidents.open(incident("i-3", "settlement_delay"), [])).id).toBe("i-3");
  });

  it("frees a topic once its incident is closed or lapsed, and keeps the record", async () => {
    const { incidents } = open();
    await incidents.open(incident("i-1"), []);
    const confirmed = { ...incident("i-1"), status: "confirmed" as const, message: "预计 15:00 恢复" };
    await incidents.save({ ...confirmed, confirmedAt: iso(T0 + 1) });
    expect((await incidents.open(incident("i-2"), [])).id).toBe("i-1");
    await incidents.save({ ...confirmed, status: "closed", closedAt: iso(T0 + 2) });
    expect((await incidents.countRaise("network_failure", "x", T0, WINDOW)).open).toBeUndefined();
    expect((await incidents.open(incident("i-2", "network_failure", T0 + 3), [])).id).toBe("i-2");
    expect(await incidents.get("i-1")).toMatchObject({ status: "closed", message: "预计 15:00 恢复" });
    await incidents.save({ ...incident("i-2", "network_failure", T0 + 3), status: "lapsed" });
    expect((await incidents.open(incident("i-4", "network_failure", T0 + 4), [])).id).toBe("i-4");
  });

  it("lists incidents newest first, or only the open ones", async () => {
    const { incidents } = open();
    await incidents.open(incident("old", "network_failure", T0), []);
    await incidents.save({ ...incident("old", "network_failure", T0), status: "closed" });
    await incidents.open(incident("mid", "printer_problem", T0 + 1000), []);
    await incidents.open(incident("new", "network_failure", T0 + 2000), []);
    await incidents.save({ ...incident("new", "network_failure", T0 + 2000), status: "confirmed" });
    expect((await incidents.list()).map((i) => i.id)).toEqual(["new", "mid", "old"]);
    expect((await incidents.list({ open: true })).map((i) => [i.id, i.status])).toEqual([
      ["new", "confirmed"],
      ["mid", "suspected"],
    ]);
  });

  it("adds conversations once, changes their states, and says when the last one joined", async () => {
    const { incidents } = open();
    await incidents.open(incident("i-1"), [member("a")]);
    await incidents.updateMembers([
      { incidentId: "i-1", member: member("b", T0 + 5000), mode: "add" },
      // Added again later: it stays as it joined.
      { incidentId: "i-1", member: member("a", T0 + 9000, "told"), mode: "add" },
      { incidentId: "i-1", member: member("b", T0 + 9000, "told"), mode: "set" },
      { incidentId: "i-1", member: member("b", T0 + 9500, "linked"), mode: "set" },
      // Set before it was ever added: it joins then.
      { incidentId: "i-1", member: member("c", T0 + 7000, "declined"), mode: "set" },
    ]);
    expect(await incidents.members("i-1")).toEqual([
      member("a"),
      member("b", T0 + 5000, "linked"),
      member("c", T0 + 7000, "declined"),
    ]);
    expect(await incidents.lastRaised("i-1")).toBe(iso(T0 + 7000));
    expect(await incidents.members("no-such")).toEqual([]);
    expect(await incidents.lastRaised("no-such")).toBeUndefined();
  });

  it("masks a card number in an incident's message", async () => {
    const { incidents } = open();
    await incidents.open(incident("i-1"), []);
    await incidents.save({
      ...incident("i-1"),
      status: "confirmed",
      message: "卡号 4111111111111111 的商户",
    });
    expect((await incidents.get("i-1"))?.message).toBe("卡号 411111******1111 的商户");
    expect((await incidents.list())[0]?.message).toBe("卡号 411111******1111 的商户");
  });
});
