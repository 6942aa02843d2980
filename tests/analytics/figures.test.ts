/**
 * The support lead's figures, as merchants make them: scripted conversations through the real engine over a
 * real SQLite file, then the report of the range they fall in. The same conversations give the same report
 * on Redis (a real redis-server) and in memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { type AnalyticsReport, buildReport } from "../../src/analytics/report.js";
import { HOUR_MS, hourOf } from "../../src/analytics/rollup.js";
import type { Locale } from "../../src/domain/intents.js";
import { ConversationEngine, type TurnResult } from "../../src/engine/engine.js";
import { MemoryStore } from "../../src/store/memory.js";
import { RedisStore, redisClient } from "../../src/store/redis.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { FOLD_INTERVAL_MS } from "../../src/store/sqlite-rollup.js";
import type { Store } from "../../src/store/store.js";
import { Switchboard } from "../../src/switchboard.js";
import { nlu } from "../support/conversation.js";
import { conversationRecord } from "../support/records.js";
import { type RedisServer, startRedis } from "../support/redis.js";

/** 10:00 in Shanghai on the day the conversations happen. */
const T0 = Date.parse("2026-11-30T02:00:00.000Z");
const DAY = 24 * HOUR_MS;

const dir = mkdtempSync(join(tmpdir(), "posdesk-analytics-"));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sqlite = () => new SqliteStore(join(dir, `${Math.random()}.db`));

/** A support desk on one store, with a clock the test moves. */
class Desk {
  clock = T0;
  readonly switchboard: Switchboard;

  constructor(readonly store: Store = sqlite()) {
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS, now: () => new Date(this.clock) });
    this.switchboard = new Switchboard(engine);
  }

  /** A merchant on the web widget (in Chinese unless told): each message a minute after the last. */
  merchant(id: string, locale: Locale = "zh-CN") {
    const turn = (text: string, opened = false) => {
      this.clock += 60_000;
      return this.switchboard.handle({
        conversationId: id,
        text,
        channel: "web",
        locale,
        ...(opened ? { opened } : {}),
      });
    };
    return {
      open: () => turn("", true),
      says: async (...texts: string[]): Promise<TurnResult> => {
        let last: TurnResult | undefined;
        for (const text of texts) last = await turn(text);
        if (!last) throw new Error("nothing said");
        return last;
      },
    };
  }

  /** The report of the day the conversations started in (UTC), or of `range`. */
  report(range: { from?: number; to?: number; tz?: string } = {}): Promise<AnalyticsReport> {
    return buildReport(this.store, {
      from: range.from ?? T0 - 2 * HOUR_MS,
      to: range.to ?? T0 + 22 * HOUR_MS,
      tz: range.tz ?? "UTC",
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

const funnel = (report: AnalyticsReport, flow: string) => report.flows.find((f) => f.flow === flow);
const state = (report: AnalyticsReport, flow: string, name: string) =>
  funnel(report, flow)?.states.find((s) => s.state === name);

describe("a merchant the bot helps", () => {
  it("is one conversation solved by the bot: contained, its topic, its response code, its flow to the end", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "05", "解决了");
    const report = await desk.report();
    expect(report).toMatchObject({
      conversations: 1,
      resolvedByBot: 1,
      handoffs: 0,
      containmentRate: 1,
      responseCodes: { "05": 1 },
      responseCodeClasses: { "05": "card" },
      byChannel: { web: 1 },
      byLocale: { "zh-CN": 1 },
    });
    expect(report.byIntent.card_declined).toBe(1);
    expect(report.byIntent.none).toBe(0);
    expect(funnel(report, "card_declined")).toEqual({
      flow: "card_declined",
      started: 1,
      resolved: 1,
      escalated: 0,
      stopped: 0,
      left: 0,
      states: [
        { state: "askResponseCode", reached: 1, stopped: 0, escalated: 0 },
        { state: "confirmFixed", reached: 1, stopped: 0, escalated: 0 },
        { state: "resolved", reached: 1, stopped: 0, escalated: 0 },
      ],
    });
    await desk.close();
  });

  it("is no longer solved by the bot once they ask for a person after all", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "05", "解决了", "转人工");
    const report = await desk.report();
    expect(report).toMatchObject({
      conversations: 1,
      resolvedByBot: 0,
      containmentRate: 0,
      handoffs: 1,
      conversationsHandedOff: 1,
    });
    expect(report.handoffsByReason.requested).toBe(1);
    await desk.close();
  });
});

describe("a merchant who reaches a person", () => {
  it("after a fix that did not work: a handoff for its reason and topic, at the question they answered", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "05", "还是不行");
    const report = await desk.report();
    expect(report).toMatchObject({
      conversations: 1,
      resolvedByBot: 0,
      handoffs: 1,
      conversationsHandedOff: 1,
    });
    expect(report.handoffsByReason).toMatchObject({ unresolved: 1, requested: 0 });
    expect(report.handoffsByTopic.card_declined).toBe(1);
    expect(state(report, "card_declined", "confirmFixed")).toEqual({
      state: "confirmFixed",
      reached: 1,
      stopped: 0,
      escalated: 1,
    });
    expect(funnel(report, "card_declined")).toMatchObject({ started: 1, escalated: 1, stopped: 0, left: 0 });
    await desk.close();
  });

  it("by asking for one mid-flow: handed over at the question pending, which they no longer wait at", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "转人工");
    const report = await desk.report();
    expect(report.handoffsByReason.requested).toBe(1);
    expect(state(report, "card_declined", "askResponseCode")).toEqual({
      state: "askResponseCode",
      reached: 1,
      stopped: 0,
      escalated: 1,
    });
    await desk.close();
  });

  it("whose handoff an agent closes as another topic: counted as closed, by resolution, as a correction", async () => {
    const desk = new Desk();
    const turn = await desk.merchant("m1").says("此卡无法交易", "转人工");
    await desk.switchboard.close(turn.handoff?.id ?? "", "network_failure", "路由器坏了");
    const report = await desk.report();
    expect(report.agentResolutions).toEqual({
      closed: 1,
      corrected: 1,
      byResolution: { network_failure: 1 },
    });
    await desk.close();
  });
});

describe("a merchant who stops answering", () => {
  it("is counted at the question left unanswered, and moves on when they come back the next day", async () => {
    const desk = new Desk();
    const merchant = desk.merchant("m1");
    await merchant.says("此卡无法交易");
    let report = await desk.report();
    expect(state(report, "card_declined", "askResponseCode")).toMatchObject({ reached: 1, stopped: 1 });
    expect(funnel(report, "card_declined")).toMatchObject({ started: 1, stopped: 1 });

    desk.clock += DAY;
    await merchant.says("05");
    report = await desk.report();
    expect(state(report, "card_declined", "askResponseCode")).toMatchObject({ reached: 1, stopped: 0 });
    expect(state(report, "card_declined", "confirmFixed")).toMatchObject({ reached: 1, stopped: 1 });
    // Everything of a conversation is counted in the hour it started: the next day has none of it.
    const nextDay = await desk.report({ from: T0 + DAY, to: T0 + 2 * DAY });
    expect(nextDay.conversations).toBe(0);
    expect(nextDay.flows).toEqual([]);
    await desk.close();
  });
});

describe("chats that never reach a topic", () => {
  it("a chat opened with the welcome is opened, and a conversation only once the merchant writes", async () => {
    const desk = new Desk();
    const merchant = desk.merchant("m1");
    await merchant.open();
    expect(await desk.report()).toMatchObject({ opened: 1, conversations: 0, containmentRate: null });
    await merchant.says("你好");
    const report = await desk.report();
    expect(report).toMatchObject({ opened: 1, conversations: 1 });
    expect(report.byIntent.none).toBe(1);
    await desk.close();
  });
});

describe("satisfaction", () => {
  it("is present with no ratings: count 0, no average", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "05", "解决了");
    expect((await desk.report()).csat).toEqual({
      count: 0,
      average: null,
      distribution: { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 },
      byAfter: { flow: { count: 0, average: null }, handoff: { count: 0, average: null } },
      byTopic: {},
    });
    await desk.close();
  });

  it("counts each rating merchants give, once, in the hour they give it: count, average, spread, after whom, by topic", async () => {
    const desk = new Desk();
    const solved = (id: string) => desk.merchant(id).says("此卡无法交易", "05", "解决了");
    await solved("m5");
    await desk.merchant("m5").says("5", "很快就好了"); // the comment saves the same rating again
    desk.clock += HOUR_MS;
    await solved("m4");
    await desk.merchant("m4").says("4分");
    desk.clock += 2 * HOUR_MS;
    const { handoff } = await desk.merchant("m2").says("此卡无法交易", "转人工");
    if (!handoff) throw new Error("no handoff");
    await desk.switchboard.close(handoff.id, "card_declined", "换卡后正常");
    await desk.merchant("m2").says("2");
    desk.clock += 27 * HOUR_MS; // the next day: outside the report's range
    await solved("late");
    await desk.merchant("late").says("5");

    expect((await desk.store.ratings()).map((r) => r.score)).toEqual([5, 2, 4, 5]);
    const { csat } = await desk.report();
    expect(csat).toEqual({
      count: 3,
      average: 3.67,
      distribution: { "1": 0, "2": 1, "3": 0, "4": 1, "5": 1 },
      byAfter: { flow: { count: 2, average: 4.5 }, handoff: { count: 1, average: 2 } },
      byTopic: { card_declined: { count: 3, average: 3.67 } },
    });
    await desk.close();
  });
});

describe("the range of a report", () => {
  it("takes the hours that start inside it, and tells hours of the day in its time zone", async () => {
    const desk = new Desk();
    await desk.merchant("m1").says("此卡无法交易", "05", "解决了");
    const started = hourOf(T0) * HOUR_MS;
    expect((await desk.report({ from: started, to: started + HOUR_MS })).conversations).toBe(1);
    expect((await desk.report({ from: started + 1, to: started + 2 * HOUR_MS })).conversations).toBe(0);
    expect((await desk.report({ from: started - HOUR_MS, to: started })).conversations).toBe(0);
    const shanghai = await desk.report({ tz: "Asia/Shanghai" });
    expect(shanghai.busiestHours[10]).toEqual({ hour: 10, conversations: 1, handoffs: 0 });
    expect(shanghai.busiestHours.reduce((a, h) => a + h.conversations, 0)).toBe(1);
    await desk.close();
  });

  it("reads a year as weeks, days and hours and still counts every conversation once", async () => {
    const desk = new Desk();
    for (const [i, daysBefore] of [0, 3, 40, 200, 364].entries()) {
      desk.clock = T0 - daysBefore * DAY + i * 7 * HOUR_MS;
      await desk.merchant(`m${i}`).says("此卡无法交易", "05", "解决了");
    }
    const year = await desk.report({ from: T0 - 365 * DAY + 5 * HOUR_MS, to: T0 + DAY, tz: "Asia/Shanghai" });
    expect(year).toMatchObject({ conversations: 5, resolvedByBot: 5 });
    expect(year.timeline.unit).toBe("day");
    expect(year.timeline.points.reduce((a, p) => a + p.conversations, 0)).toBe(5);
    expect(funnel(year, "card_declined")).toMatchObject({ started: 5, resolved: 5 });
    await desk.close();
  });
});

/** The same conversations on any store. */
async function aDay(store: Store): Promise<AnalyticsReport> {
  const desk = new Desk(store);
  await desk.merchant("a").says("此卡无法交易", "05", "解决了");
  await desk.merchant("b").says("此卡无法交易", "05", "还是不行");
  await desk.merchant("c").says("打印机不出纸", "转人工");
  await desk.merchant("d", "en").says("the terminal says 96");
  await desk.merchant("e").open();
  const closing = await desk.merchant("f").says("POS机冻结了", "转人工");
  if (closing.handoff) await desk.switchboard.close(closing.handoff.id, "terminal_dead");
  const report = await desk.report({ tz: "Asia/Shanghai" });
  await desk.close();
  return report;
}

describe("every store", () => {
  it("gives the same report for the same conversations: SQLite, Redis and memory", async () => {
    const onSqlite = await aDay(sqlite());
    const onRedis = await aDay(new RedisStore(redisClient(redis.url), { prefix: `t${Math.random()}:` }));
    const inMemory = await aDay(new MemoryStore());
    expect(onSqlite.conversations).toBe(5);
    expect(onSqlite.handoffs).toBeGreaterThanOrEqual(3);
    expect(onRedis).toEqual(onSqlite);
    expect(inMemory).toEqual(onSqlite);
  });
});

describe("the SQLite file", () => {
  it("writes a turn's counts with the turn or not at all", async () => {
    const store = sqlite();
    const counts = [{ hour: hourOf(T0), metric: "conversations", n: 1, trend: true }];
    const conversation = conversationRecord("c1", new Date(T0).toISOString());
    // A conversation that cannot be written (JSON has no BigInt) fails the turn: its counts go with it.
    await expect(
      store.saveTurn({ conversation: { ...conversation, address: 1n }, transcript: [], rollup: counts }),
    ).rejects.toThrow();
    expect(await store.rollupTotals("hour", hourOf(T0), hourOf(T0) + 1)).toEqual(new Map());
    await store.saveTurn({ conversation, transcript: [], rollup: counts });
    expect(await store.rollupTotals("hour", hourOf(T0), hourOf(T0) + 1)).toEqual(
      new Map([["conversations", 1]]),
    );
    await store.close();
  });

  it("carries a turn's counts on its transcript row, and folds them once however often it is read", async () => {
    const file = join(dir, "carried.db");
    const store = new SqliteStore(file);
    const hour = hourOf(T0);
    const at = new Date(T0).toISOString();
    const turn = (id: string) => ({
      conversation: conversationRecord(id, at),
      transcript: [{ from: "merchant" as const, text: "此卡无法交易", at }],
      rollup: [{ hour, metric: "conversations", n: 1, trend: true }],
    });
    await store.saveTurn(turn("c1"));
    const rows = new Database(file, { readonly: true });
    const number = rows
      .prepare("SELECT id FROM rollup_metrics WHERE metric = 'conversations' AND trend = 1")
      .pluck()
      .get();
    expect(rows.prepare("SELECT counts FROM transcripts").pluck().all()).toEqual([
      JSON.stringify([[hour, number, 1]]),
    ]);
    expect(rows.prepare("SELECT COUNT(*) FROM rollup_journal").pluck().get()).toBe(0);
    rows.close();
    expect(await store.rollupTotals("hour", hour, hour + 1)).toEqual(new Map([["conversations", 1]]));
    expect(await store.rollupTotals("hour", hour, hour + 1)).toEqual(new Map([["conversations", 1]]));
    await store.saveTurn(turn("c2"));
    expect(await store.rollupSeries("trend", hour, hour + 1, ["conversations"])).toEqual([
      { bucket: hour, metric: "conversations", n: 2 },
    ]);
    await store.close();
  });

  it("folds the counts of turns a process committed and stopped before folding", async () => {
    const file = join(dir, "unfolded.db");
    await new SqliteStore(file).close();
    const hour = hourOf(T0);
    // What a process killed between a turn's commit and the next fold leaves: the row, its counts unfolded.
    const db = new Database(file);
    const { lastInsertRowid } = db
      .prepare("INSERT INTO rollup_metrics (metric, trend) VALUES ('conversations', 0)")
      .run();
    db.prepare("INSERT INTO transcripts (conversation_id, entry, counts) VALUES (?, ?, ?)").run(
      "c1",
      "[]",
      JSON.stringify([[hour, Number(lastInsertRowid), 3]]),
    );
    db.close();
    const store = new SqliteStore(file);
    expect(await store.rollupTotals("week", Math.floor(hour / 168), Math.floor(hour / 168) + 1)).toEqual(
      new Map([["conversations", 3]]),
    );
    await store.close();
  });

  it("counts each turn once, each metric numbered once, when two stores write and fold the same file", async () => {
    const file = join(dir, "shared.db");
    const one = new SqliteStore(file);
    const other = new SqliteStore(file);
    const hour = hourOf(T0);
    const at = new Date(T0).toISOString();
    for (let i = 0; i < 40; i++) {
      // Each store meets metrics the other numbered, and numbers some itself.
      await (i % 2 ? one : other).saveTurn({
        conversation: conversationRecord(`c${i}`, at),
        transcript: [{ from: "merchant", text: "通讯失败", at }],
        rollup: [
          { hour, metric: "conversations", n: 1 },
          { hour, metric: `code:${i % 5}`, n: 1 },
        ],
      });
      // Reads fold, from either side, between the writes.
      if (i % 7 === 0) await (i % 2 ? other : one).rollupTotals("hour", hour, hour + 1);
    }
    const each = new Map([["conversations", 40], ...[0, 1, 2, 3, 4].map((c) => [`code:${c}`, 8] as const)]);
    expect(await one.rollupTotals("hour", hour, hour + 1)).toEqual(each);
    expect(await other.rollupTotals("day", Math.floor(hour / 24), Math.floor(hour / 24) + 1)).toEqual(each);
    const numbered = new Database(file, { readonly: true });
    expect(numbered.prepare("SELECT COUNT(*) FROM rollup_metrics").pluck().get()).toBe(6);
    numbered.close();
    await one.close();
    await other.close();
  });

  it("opens a file made before turns carried their counts: its transcripts read, its journal folded, new turns counted", async () => {
    const file = join(dir, "old.db");
    const hour = hourOf(T0);
    const at = new Date(T0).toISOString();
    const old = new Database(file);
    old.pragma("journal_mode = WAL");
    old.exec(`CREATE TABLE transcripts (seq INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, entry TEXT NOT NULL);
      CREATE INDEX transcripts_by_conversation ON transcripts (conversation_id, seq);
      CREATE TABLE rollup_journal (seq INTEGER PRIMARY KEY, counts TEXT NOT NULL);`);
    old
      .prepare("INSERT INTO transcripts (conversation_id, entry) VALUES (?, ?)")
      .run("c0", JSON.stringify([{ from: "merchant", text: "POS机不能用了", at }]));
    old
      .prepare("INSERT INTO rollup_journal (counts) VALUES (?)")
      .run(JSON.stringify([[hour, "conversations", 1, 0]]));
    old.close();
    const store = new SqliteStore(file);
    expect(await store.transcript("c0")).toEqual([{ from: "merchant", text: "POS机不能用了", at }]);
    await store.saveTurn({
      conversation: conversationRecord("c1", at),
      transcript: [{ from: "merchant", text: "通讯失败", at }],
      rollup: [{ hour, metric: "conversations", n: 1 }],
    });
    expect(await store.rollupTotals("hour", hour, hour + 1)).toEqual(new Map([["conversations", 2]]));
    await store.close();
  });

  it("keeps counts journaled by a process that stopped before folding them", async () => {
    const file = join(dir, "journal.db");
    await new SqliteStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO rollup_journal (counts) VALUES (?)").run(
      JSON.stringify([[hourOf(T0), "conversations", 2, 1]]),
    );
    db.close();
    const store = new SqliteStore(file);
    const hour = hourOf(T0);
    expect(await store.rollupTotals("day", Math.floor(hour / 24), Math.floor(hour / 24) + 1)).toEqual(
      new Map([["conversations", 2]]),
    );
    expect(await store.rollupSeries("trend", hour, hour + 1, ["conversations"])).toEqual([
      { bucket: hour, metric: "conversations", n: 2 },
    ]);
    await store.close();
  });

  it("folds the journal in the background, without a read", async () => {
    const file = join(dir, "background.db");
    const store = new SqliteStore(file);
    await store.addToRollup([{ hour: hourOf(T0), metric: "conversations", n: 1 }]);
    const journal = new Database(file, { readonly: true });
    const waiting = () =>
      (journal.prepare("SELECT COUNT(*) AS n FROM rollup_journal").get() as { n: number }).n;
    expect(waiting()).toBe(1);
    await expect.poll(waiting, { timeout: 5000, interval: 100 }).toBe(0);
    journal.close();
    await store.close();
  });

  it("folds the journal from its turns when a busy event loop keeps its timer from running", async () => {
    const file = join(dir, "busy.db");
    const store = new SqliteStore(file);
    const journal = new Database(file, { readonly: true });
    const waiting = () =>
      (journal.prepare("SELECT COUNT(*) AS n FROM rollup_journal").get() as { n: number }).n;
    const counts = [{ hour: hourOf(T0), metric: "conversations", n: 1 }];
    await store.addToRollup(counts);
    expect(waiting()).toBe(1);
    // Busy for longer than a fold's interval, without giving the event loop a turn.
    const until = performance.now() + FOLD_INTERVAL_MS + 20;
    while (performance.now() < until);
    await store.addToRollup(counts);
    expect(waiting()).toBe(0);
    expect(await store.rollupTotals("hour", hourOf(T0), hourOf(T0) + 1)).toEqual(
      new Map([["conversations", 2]]),
    );
    journal.close();
    await store.close();
  });
});

describe("Redis", () => {
  it("folds the journal in the background, each count once however many processes fold", async () => {
    const prefix = `t${Math.random()}:`;
    const one = new RedisStore(redisClient(redis.url), { prefix });
    const other = new RedisStore(redisClient(redis.url), { prefix });
    const hour = hourOf(T0);
    for (let i = 0; i < 500; i++)
      await (i % 2 ? one : other).addToRollup([{ hour, metric: "conversations", n: 1, trend: true }]);
    const journal = () => one.redis.llen(`${prefix}rollup:journal`);
    await expect.poll(journal, { timeout: 5000, interval: 50 }).toBe(0);
    expect(await other.rollupTotals("hour", hour, hour + 1)).toEqual(new Map([["conversations", 500]]));
    expect(await one.rollupSeries("trend", hour, hour + 1, ["conversations"])).toEqual([
      { bucket: hour, metric: "conversations", n: 500 },
    ]);
    await one.close();
    await other.close();
  });
});
