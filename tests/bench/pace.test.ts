/** The paced-turn benchmark: which conversations take the turns it starts, and what it reports. */
import { describe, expect, it } from "vitest";
import { benchPace, roundRobin } from "../../src/bench/pace.js";
import { MemoryStore } from "../../src/store/memory.js";
import { engineFor, nlu } from "../support/conversation.js";

const scripts = [
  { name: "declined", turns: ["此卡无法交易", "05"] },
  { name: "printer", turns: ["打印机不出纸"] },
];

describe("the paced-turn benchmark", () => {
  it("gives each live conversation its next turn in turn, and starts one over under a new id when its script ends", async () => {
    const store = new MemoryStore();
    const next = roundRobin(engineFor(store), 2, scripts);
    for (let i = 0; i < 6; i++) await next();
    const said = async (id: string) =>
      (await store.transcript(id)).filter((e) => e.from === "merchant").map((e) => e.text);
    // Turns alternate between the two live conversations: pace-0 (declined), pace-1 (printer), ...
    expect(await said("pace-0")).toEqual(["此卡无法交易", "05"]);
    expect(await said("pace-1")).toEqual(["打印机不出纸"]);
    // pace-1's one-turn script ended at once: its next turns are new conversations.
    expect(await said("pace-2")).toEqual(["打印机不出纸"]);
    expect(await said("pace-3")).toEqual(["此卡无法交易"]);
    expect(await said("pace-4")).toEqual(["打印机不出纸"]);
  });

  it("starts the turns each rate asks for, and reports the main thread's time per turn against turns back to back", async () => {
    const result = await benchPace(nlu, { rates: [100, 400], conversations: 20, rounds: 2, roundMs: 300 });
    expect(result.conversations).toBe(20);
    expect(result.hotRounds).toHaveLength(2);
    expect(result.hotUs).toBeGreaterThan(0);
    expect(result.rates.map((r) => r.perSecond)).toEqual([100, 400]);
    for (const rate of result.rates) {
      // Two rounds of 300 ms, each starting the turns due by its end: however late the timer fires.
      expect(rate.turns).toBe(rate.perSecond * 0.6);
      expect(rate.rounds).toHaveLength(2);
      expect(rate.busyUs).toBeGreaterThan(0);
      expect(rate.ratio).toBeCloseTo(rate.busyUs / result.hotUs, 1);
      expect(rate.turnsPerCommit).toBeGreaterThanOrEqual(1);
    }
  }, 30_000);
});
