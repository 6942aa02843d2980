import { describe, expect, it } from "vitest";
import { describeGoal, goalMet, measure } from "../../src/bench/goals.js";
import { lengthWindows } from "../../src/bench/growth.js";
import { medianP99, medianRun } from "../../src/bench/load.js";
import { median, percentile, ratio } from "../../src/bench/measure.js";
import { summarizeLatencies } from "../../src/bench/paced.js";
import { conversationId, REPEATABLE } from "../../src/bench/scripts.js";
import { recordTemplate } from "../../src/bench/seed.js";
import { maskCardNumbers } from "../../src/domain/redact.js";
import type { ConversationRecord } from "../../src/store/store.js";
import { pacedRound } from "../support/bench.js";

describe("percentiles", () => {
  it("are nearest-rank: p99 of 1..100 is 99, p100 the largest, p50 the lower middle", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(median([4, 1, 3, 2])).toBe(2);
  });

  it("of nothing are not a number", () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarise latencies as turns, p50, p90, p99 and max", () => {
    const summary = summarizeLatencies(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(summary).toEqual({ turns: 1000, p50Ms: 500, p90Ms: 900, p99Ms: 990, maxMs: 1000 });
  });
});

describe("paced rounds", () => {
  const round = (later: number, first: number) => pacedRound({ later, first });

  it("are reported by their median round, each kind of turn on its own", () => {
    const rounds = [round(30, 20), round(9, 60), round(12, 25)];
    expect(medianRun(rounds)).toBe(rounds[2]);
    expect(medianP99(rounds, "later")).toBe(12);
    expect(medianP99(rounds, "first")).toBe(25);
  });

  it("of an even number take the lower middle one, and of none nothing", () => {
    expect(medianP99([round(4, 1), round(2, 1), round(8, 1), round(6, 1)], "later")).toBe(4);
    expect(medianRun([])).toBeNull();
    expect(medianP99([], "first")).toBeNaN();
  });
});

describe("ratios", () => {
  it("are value over reference, rounded", () => {
    expect(ratio(2324, 14080, 3)).toBe(0.165);
    expect(ratio(37_500, 17_900)).toBe(2.09);
  });

  it("have no meaning against a zero or missing reference", () => {
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(5, Number.NaN)).toBeNull();
  });
});

describe("goals", () => {
  it("are read on the ratio: at least 3× NLP.js, at most 2× the trivial server's p99", () => {
    expect(goalMet({ on: "ratio", op: ">=", bound: 3 }, 30_000, 10_000)).toBe(true);
    expect(goalMet({ on: "ratio", op: ">=", bound: 3 }, 29_999, 10_000)).toBe(false);
    expect(goalMet({ on: "ratio", op: "<=", bound: 2 }, 160, 80)).toBe(true);
    expect(goalMet({ on: "ratio", op: "<=", bound: 2 }, 161, 80)).toBe(false);
  });

  it("for start-up are read net of node's own start", () => {
    const goal = { on: "net", op: "<", bound: 1000 } as const;
    expect(goalMet(goal, 1063, 64)).toBe(true);
    expect(goalMet(goal, 1064, 64)).toBe(false);
    expect(describeGoal(goal, "ms")).toBe("net < 1000 ms");
  });

  it("for errors are read on the value: zero", () => {
    const m = measure({
      id: "http.errors",
      name: "errors",
      value: 0,
      reference: 0,
      referenceName: "trivial",
      unit: "",
      goal: { on: "value", op: "<=", bound: 0 },
    });
    expect(m).toMatchObject({ ratio: null, met: true });
    expect(describeGoal(m.goal, m.unit)).toBe("zero");
  });

  it("are absent where a measure is only reported", () => {
    const m = measure({ id: "m", name: "heap", value: 70, reference: 60, referenceName: "b", unit: "MB" });
    expect(m).toMatchObject({ ratio: 1.17, goal: null, met: null });
  });
});

describe("the conversation-length windows", () => {
  it("start at turn 5 and around turn 500, at the same point of the repeated dialogue", () => {
    const { early, late } = lengthWindows(500, 8);
    expect(early).toEqual([5, 12]);
    expect(late[0]).toBeLessThanOrEqual(500);
    expect(late[1]).toBeGreaterThanOrEqual(500);
    expect((late[0] - early[0]) % REPEATABLE.length).toBe(0);
  });
});

describe("seeded rows", () => {
  it("are the captured record under a new id", () => {
    const record = { id: "shape-0", turn: 3, locale: "zh-CN", facts: { responseCode: "05" } };
    const { before, after } = recordTemplate(record as unknown as ConversationRecord);
    expect(JSON.parse(`${before}new-id${after}`)).toEqual({ ...record, id: "new-id" });
  });
});

describe("bench conversation ids", () => {
  it("never hold what passes for a card number (the engine refuses those)", () => {
    for (let i = 0; i < 2000; i++) {
      const id = conversationId();
      expect(maskCardNumbers(id)).toBe(id);
    }
  });
});
