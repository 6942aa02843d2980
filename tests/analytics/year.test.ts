/**
 * The year the timing in the README was measured on: a week of demo traffic played through the engine, laid
 * end to end over 365 days. Its report must count what was laid, no more and no less.
 */
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/analytics/report.js";
import { HOUR_MS } from "../../src/analytics/rollup.js";
import { layYear, playSample } from "../../src/analytics/year.js";
import { MemoryStore } from "../../src/store/memory.js";
import { nlu } from "../support/conversation.js";

describe("a year of demo traffic", () => {
  it("counts every conversation laid over the year once, and the played week's figures in each week", async () => {
    const end = Date.parse("2026-11-30T00:00:00Z");
    const sample = await playSample({ nlu, conversations: 3650, end, seed: 11 });
    expect(sample.played).toBe(70);
    const week = await buildReport(sample.store, { from: end - 7 * 24 * HOUR_MS, to: end, tz: "UTC" });
    expect(week.conversations).toBe(70);

    const store = new MemoryStore();
    const year = await layYear(store, sample, end);
    expect(year.to - year.from).toBe(365 * 24 * HOUR_MS);
    const report = await buildReport(store, { from: year.from, to: year.to, tz: "Asia/Shanghai" });
    expect(report.conversations).toBe(year.conversations);
    // 52 whole copies of the week and one day of a 53rd.
    expect(year.conversations).toBeGreaterThanOrEqual(52 * 70);
    expect(year.conversations).toBeLessThanOrEqual(53 * 70);
    const lastWeek = await buildReport(store, { from: end - 7 * 24 * HOUR_MS, to: end, tz: "UTC" });
    expect(lastWeek).toEqual(week);
  });
});
