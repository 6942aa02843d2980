/**
 * How a report reads its range: dates as people write them, the buckets that cover a range exactly once,
 * days and hours of the day in a time zone (clocks changing included), a state reached twice in one flow
 * run counted once, and the CSV a spreadsheet gets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reportCsv } from "../../src/analytics/csv.js";
import { parseRange } from "../../src/analytics/range.js";
import { flowMove } from "../../src/analytics/record.js";
import { buildReport, coveringBuckets, ReportRangeError } from "../../src/analytics/report.js";
import { HOUR_MS, hourOf, RollupCounts } from "../../src/analytics/rollup.js";
import type { FlowStep } from "../../src/engine/flow-runner.js";
import { MemoryStore } from "../../src/store/memory.js";
import { DAY_HOURS, WEEK_HOURS } from "../../src/store/store.js";

const iso = (ms: number) => new Date(ms).toISOString();

describe("a range as people write it", () => {
  const now = Date.parse("2026-11-30T09:30:00Z");

  it("takes a date alone as whole days of the time zone: from's day on, to's day included", () => {
    const range = parseRange({ from: "2026-11-29", to: "2026-11-30", tz: "Asia/Shanghai" }, now);
    expect(iso(range.from)).toBe("2026-11-28T16:00:00.000Z");
    expect(iso(range.to)).toBe("2026-11-30T16:00:00.000Z");
    expect(range.tz).toBe("Asia/Shanghai");
  });

  it("takes a time with Z or an offset as that instant, and a time without one in the time zone", () => {
    expect(iso(parseRange({ from: "2026-11-29T08:00:00Z", to: "2026-11-29T18:00+08:00" }, now).from)).toBe(
      "2026-11-29T08:00:00.000Z",
    );
    expect(iso(parseRange({ from: "2026-11-29T08:00:00Z", to: "2026-11-29T18:00+08:00" }, now).to)).toBe(
      "2026-11-29T10:00:00.000Z",
    );
    expect(iso(parseRange({ from: "2026-11-29T08:00", tz: "Asia/Shanghai" }, now).from)).toBe(
      "2026-11-29T00:00:00.000Z",
    );
  });

  it("defaults to the seven days before now", () => {
    const range = parseRange({}, now);
    expect(range).toEqual({ from: now - 7 * 24 * HOUR_MS, to: now, tz: "UTC" });
  });

  it.each([
    [{ from: "yesterday" }, /from must be an ISO date or time/],
    [{ from: "2026-02-30" }, /not a real date/],
    [{ to: "2026-11-31T10:00Z" }, /not a real date/],
    [{ from: "2026-11-30", to: "2026-11-29" }, /from must be before to/],
    [{ from: "2010-01-01", to: "2026-11-30" }, /at most 3700 days/],
    [{ tz: "Mars/Olympus" }, /unknown time zone: Mars\/Olympus/],
  ])("refuses %j", (query, message) => {
    expect(() => parseRange(query, now)).toThrow(ReportRangeError);
    expect(() => parseRange(query, now)).toThrow(message);
  });
});

describe("the buckets a range is read from", () => {
  it("cover every hour of the range exactly once, whole weeks and days as such", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400_000, max: 500_000 }),
        fc.integer({ min: 1, max: 24 * 800 }),
        (from, length) => {
          const to = from + length;
          const hours: number[] = [];
          for (const [unit, a, b] of coveringBuckets(from, to)) {
            const size = unit === "week" ? WEEK_HOURS : unit === "day" ? DAY_HOURS : 1;
            for (let bucket = a; bucket < b; bucket++)
              for (let h = 0; h < size; h++) hours.push(bucket * size + h);
          }
          expect(hours).toEqual(Array.from({ length }, (_, i) => from + i));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("read a year as about a hundred buckets", () => {
    const from = hourOf(Date.parse("2025-11-30T16:00:00Z"));
    const parts = coveringBuckets(from, from + 365 * 24);
    const buckets = parts.reduce((a, [, x, y]) => a + (y - x), 0);
    expect(parts.map(([unit]) => unit)).toContain("week");
    expect(buckets).toBeLessThan(110);
  });
});

/** A store holding one conversation at each of `instants`. */
async function conversationsAt(instants: number[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  const counts = new RollupCounts();
  for (const at of instants) counts.add(at, "conversations");
  await store.addToRollup(counts.counts());
  return store;
}

describe("days and hours of the day in a time zone", () => {
  it("give a day's points by the hour, a longer range's by the day, labelled in the zone", async () => {
    const store = await conversationsAt([
      Date.parse("2026-11-29T16:30:00Z"),
      Date.parse("2026-11-30T03:10:00Z"),
    ]);
    const day = await buildReport(store, {
      from: Date.parse("2026-11-29T16:00:00Z"),
      to: Date.parse("2026-11-30T16:00:00Z"),
      tz: "Asia/Shanghai",
    });
    expect(day.timeline.unit).toBe("hour");
    expect(day.timeline.points).toHaveLength(24);
    expect(day.timeline.points[0]).toMatchObject({ label: "2026-11-30 00:00", conversations: 1 });
    expect(day.timeline.points[11]).toMatchObject({ label: "2026-11-30 11:00", conversations: 1 });
    expect(day.busiestHours.filter((h) => h.conversations > 0).map((h) => h.hour)).toEqual([0, 11]);

    const week = await buildReport(store, {
      from: Date.parse("2026-11-23T16:00:00Z"),
      to: Date.parse("2026-11-30T16:00:00Z"),
      tz: "Asia/Shanghai",
    });
    expect(week.timeline.unit).toBe("day");
    expect(week.timeline.points.map((p) => p.label)).toEqual([
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
      "2026-11-30",
    ]);
    expect(week.timeline.points.at(-1)?.conversations).toBe(2);
  });

  it("follow the clocks when they change: New York's 1 November 2026 has 25 hours", async () => {
    // 00:30 and 23:30 New York time, on the day summer time ends (EDT, UTC-4, until 2:00; then EST, UTC-5).
    const store = await conversationsAt([
      Date.parse("2026-11-01T04:30:00Z"),
      Date.parse("2026-11-02T04:30:00Z"),
    ]);
    const report = await buildReport(store, {
      from: Date.parse("2026-10-29T04:00:00Z"),
      to: Date.parse("2026-11-03T05:00:00Z"),
      tz: "America/New_York",
    });
    const first = report.timeline.points.find((p) => p.label === "2026-11-01");
    const next = report.timeline.points.find((p) => p.label === "2026-11-02");
    expect(first).toMatchObject({ start: "2026-11-01T04:00:00.000Z", conversations: 2 });
    expect(next).toMatchObject({ start: "2026-11-02T05:00:00.000Z", conversations: 0 });
    expect(report.busiestHours[0]?.conversations).toBe(1);
    expect(report.busiestHours[23]?.conversations).toBe(1);
  });
});

describe("a flow run's funnel", () => {
  const step = (state: string, persisted = true): FlowStep => ({
    emitted: [],
    state,
    path: [state],
    facts: {},
    stepsTried: [],
    ...(persisted ? { persisted: { id: "refund_void", version: 1, snapshot: { value: state } } } : {}),
  });

  it("counts a state reached again in the same run once", () => {
    const first = step("askFailCode");
    expect(flowMove("refund_void", first, null).reached).toEqual(["askFailCode"]);
    const second = step("confirmFixed");
    expect(flowMove("refund_void", second, first.persisted ?? null).reached).toEqual(["confirmFixed"]);
    const third = step("askFailCode");
    const again = flowMove("refund_void", third, second.persisted ?? null);
    expect(again).toMatchObject({ from: "confirmFixed", to: "askFailCode", reached: [] });
    const done = { ...step("resolved", false), output: { outcome: "resolved" as const } };
    expect(flowMove("refund_void", done, third.persisted ?? null)).toEqual({
      flow: "refund_void",
      from: "askFailCode",
      to: "resolved",
      reached: ["resolved"],
      outcome: "resolved",
    });
  });
});

describe("the CSV", () => {
  it("has one section per table: a `# name` line, a header, the rows; empty lines between", async () => {
    const store = await conversationsAt([Date.parse("2026-11-30T03:10:00Z")]);
    const counts = new RollupCounts();
    const at = Date.parse("2026-11-30T03:10:00Z");
    for (const [code, n] of [
      ["05", 1],
      ["51", 3],
      ["A0", 2],
    ] as const)
      counts.add(at, `code:${code}`, n);
    await store.addToRollup(counts.counts());
    const csv = reportCsv(
      await buildReport(store, {
        from: Date.parse("2026-11-30T00:00:00Z"),
        to: Date.parse("2026-12-01T00:00:00Z"),
        tz: "UTC",
      }),
    );
    const sections = csv.trimEnd().split("\n\n");
    expect(sections.map((s) => s.split("\n")[0])).toEqual([
      "# summary",
      "# byIntent",
      "# handoffsByReason",
      "# handoffsByTopic",
      "# agentResolutions",
      "# byChannel",
      "# byLocale",
      "# responseCodes",
      "# flows",
      "# funnel",
      "# busiestHours",
      "# timeline",
      "# csat",
      "# csatByAfter",
      "# csatByTopic",
    ]);
    expect(sections[0]?.split("\n").slice(1, 6)).toEqual([
      "metric,value",
      "from,2026-11-30T00:00:00.000Z",
      "to,2026-12-01T00:00:00.000Z",
      "tz,UTC",
      "conversations,1",
    ]);
    // Most frequent first, whatever order an object keeps "51" and "05" in.
    expect(sections[7]?.split("\n")).toEqual([
      "# responseCodes",
      "code,class,count",
      "51,card,3",
      "A0,key,2",
      "05,card,1",
    ]);
    expect(sections[11]?.split("\n")[1]).toBe("start,label,conversations,resolvedByBot,handoffs");
    expect(sections[11]?.split("\n")).toHaveLength(2 + 24);
  });
});
