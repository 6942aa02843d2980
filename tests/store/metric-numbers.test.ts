/**
 * The analytics metrics by number: how a turn's counts are written on its transcript row, and read back.
 */
import { describe, expect, it } from "vitest";
import { MetricNumbers } from "../../src/store/metric-numbers.js";
import type { RollupCount } from "../../src/store/store.js";

const H = 498_937;

/** Every count `json` holds, as the fold sees it. */
function read(numbers: MetricNumbers, json: string) {
  const counts: RollupCount[] = [];
  numbers.decode(json, (hour, metric, n, trend) => counts.push({ hour, metric, n, trend }));
  return counts;
}

describe("metric numbers", () => {
  it("number metrics from 1 in the order they first appear, a metric kept per hour apart from the same without", () => {
    const numbers = new MetricNumbers();
    numbers.numberInOrder([
      { hour: H, metric: "conversations", n: 1, trend: true },
      { hour: H, metric: "channel:web", n: 1 },
      { hour: H, metric: "conversations", n: 1 },
      { hour: H, metric: "channel:web", n: 1 },
    ]);
    expect(numbers.numberOf("conversations", true)).toBe(1);
    expect(numbers.numberOf("channel:web", false)).toBe(2);
    expect(numbers.numberOf("conversations", false)).toBe(3);
    expect(numbers.highest).toBe(3);
    expect(numbers.metricOf(3)).toEqual({ metric: "conversations", trend: false });
  });

  it("write a turn's counts by number, grouped by hour, and read them back as they were", () => {
    const numbers = new MetricNumbers();
    const counts: RollupCount[] = [
      { hour: H, metric: "conversations", n: 1, trend: true },
      { hour: H, metric: "flow.open:card_declined:askResponseCode", n: -1, trend: false },
      { hour: H + 1, metric: "flow.open:card_declined:confirmFixed", n: 1, trend: false },
    ];
    numbers.numberInOrder(counts);
    const json = numbers.encode(counts);
    expect(JSON.parse(json)).toEqual([
      [H, 1, 1, 2, -1],
      [H + 1, 3, 1],
    ]);
    expect(read(numbers, json)).toEqual(counts);
  });

  it("are a fraction of the bytes of the names", () => {
    const numbers = new MetricNumbers();
    const counts: RollupCount[] = [
      "conversations",
      "channel:web",
      "locale:zh-CN",
      "topic:card_declined",
      "flow.started:card_declined",
      "flow.reached:card_declined:askResponseCode",
      "flow.open:card_declined:askResponseCode",
    ].map((metric) => ({ hour: H, metric, n: 1 }));
    numbers.numberInOrder(counts);
    const named = JSON.stringify(counts.map((c) => [c.hour, c.metric, c.n, 0]));
    expect(numbers.encode(counts).length).toBeLessThan(named.length / 4);
  });

  it("refuse to write a metric that has no number", () => {
    expect(() => new MetricNumbers().encode([{ hour: H, metric: "conversations", n: 1 }])).toThrow(
      /not numbered: conversations/,
    );
  });

  it("read counts written by name, as journal rows of earlier versions are", () => {
    const json = JSON.stringify([
      [H, "conversations", 2, 1],
      [H, "channel:cli", 1, 0],
    ]);
    expect(read(new MetricNumbers(), json)).toEqual([
      { hour: H, metric: "conversations", n: 2, trend: true },
      { hour: H, metric: "channel:cli", n: 1, trend: false },
    ]);
  });

  it("skip a number they do not know, and read the rest", () => {
    const numbers = new MetricNumbers();
    numbers.set(1, "conversations", false);
    expect(read(numbers, JSON.stringify([[H, 7, 1, 1, 4]]))).toEqual([
      { hour: H, metric: "conversations", n: 4, trend: false },
    ]);
  });
});
