/** The paced-turn benchmark: which conversations take the turns it starts, and what it reports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StorageFloor } from "../../src/bench/floor.js";
import { benchPace, floorRoundRobin, roundRobin } from "../../src/bench/pace.js";
import { measuresOf } from "../../src/bench/report.js";
import type { TurnShape } from "../../src/bench/shape.js";
import { measuresTable } from "../../src/bench/table.js";
import { MemoryStore } from "../../src/store/memory.js";
import { reportOf } from "../support/bench.js";
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

  it("deals the storage floor's turns the same way: each live conversation's next turn in turn, a new id when its script ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-pace-floor-"));
    const floor = await StorageFloor.open(join(dir, "floor.db"));
    try {
      const turn = (conversationBytes: number): TurnShape => ({
        conversationBytes,
        transcriptBytes: 40,
        handoffBytes: null,
        readsTranscript: false,
        countsBytes: null,
      });
      const next = floorRoundRobin(floor, 2, [
        { name: "two turns", turns: [turn(100), turn(200)] },
        { name: "one turn", turns: [turn(300)] },
      ]);
      for (let i = 0; i < 5; i++) next();
      const rows = floor.db
        .prepare<[], { id: string; bytes: number }>(
          "SELECT id, length(data) - length(id) AS bytes FROM conversations ORDER BY id",
        )
        .all();
      const transcripts = floor.db
        .prepare<[], { id: string; n: number }>(
          "SELECT conversation_id AS id, count(*) AS n FROM transcripts GROUP BY conversation_id ORDER BY id",
        )
        .all();
      // floor-0 took its two turns (the last row it wrote is its second turn's), floor-1 its one; floor-2
      // took floor-1's place and floor-3 floor-0's, each its script's first turn.
      expect(rows).toEqual([
        { id: "floor-0", bytes: 200 },
        { id: "floor-1", bytes: 300 },
        { id: "floor-2", bytes: 300 },
        { id: "floor-3", bytes: 100 },
      ]);
      expect(transcripts).toEqual([
        { id: "floor-0", n: 2 },
        { id: "floor-1", n: 1 },
        { id: "floor-2", n: 1 },
        { id: "floor-3", n: 1 },
      ]);
    } finally {
      await floor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts the turns each rate asks for, and reports the main thread's time per turn against turns back to back, posdesk's and the storage floor's", async () => {
    // Rates at which even the storage floor's turns (tens of µs each) keep the thread busier than the
    // millisecond timer taken out of every paced figure (about 13 ms a second).
    const result = await benchPace(nlu, { rates: [1000, 4000], conversations: 20, rounds: 2, roundMs: 300 });
    expect(result.conversations).toBe(20);
    expect(result.hotRounds).toHaveLength(2);
    expect(result.hotUs).toBeGreaterThan(0);
    expect(result.rates.map((r) => r.perSecond)).toEqual([1000, 4000]);
    for (const rate of result.rates) {
      // Two rounds of 300 ms, each starting the turns due by its end: however late the timer fires.
      expect(rate.turns).toBe(rate.perSecond * 0.6);
      expect(rate.rounds).toHaveLength(2);
      expect(rate.busyUs).toBeGreaterThan(0);
      expect(rate.ratio).toBeCloseTo(rate.busyUs / result.hotUs, 1);
      expect(rate.turnsPerCommit).toBeGreaterThanOrEqual(1);
      // The storage floor, paced the same way in the same rounds, against itself back to back.
      expect(rate.floor.rounds).toHaveLength(2);
      expect(rate.floor.busyUs).toBeGreaterThan(0);
      expect(rate.floor.ratio).toBeCloseTo(rate.floor.busyUs / result.floorHotUs, 1);
      // posdesk's ratio over the floor's, from the unrounded figures: the µs figures (to 0.1 µs) give it to well
      // within 2 %, where the rounded ratios can miss it by more than 0.05 when the floor's is near 1.
      const ofRatios = rate.busyUs / result.hotUs / (rate.floor.busyUs / result.floorHotUs);
      expect(Math.abs((rate.overFloor ?? 0) / ofRatios - 1)).toBeLessThan(0.02);
    }
    expect(result.floorHotRounds).toHaveLength(2);
    expect(result.floorHotUs).toBeGreaterThan(0);
  }, 30_000);

  it("reports, for each rate, posdesk's cost of the pace against the storage floor's", () => {
    const measures = measuresOf(
      reportOf({
        pace: {
          conversations: 1000,
          hotUs: 100,
          hotRounds: [100],
          timerUsPerSecond: 10_000,
          floorHotUs: 40,
          floorHotRounds: [40],
          rates: [
            {
              perSecond: 1000,
              turns: 6000,
              busyUs: 350,
              rounds: [350],
              ratio: 3.5,
              turnsPerCommit: 1.3,
              floor: { busyUs: 80, rounds: [80], ratio: 2 },
              overFloor: 1.75,
            },
          ],
        },
      }),
    );
    const floor = measures.find((m) => m.id === "pace.1000.floor");
    expect(floor).toMatchObject({ value: 3.5, reference: 2, ratio: 1.75, unit: "×", goal: null });
    expect(floor?.referenceName).toContain("80 µs a turn against 40");
    // Ratios are shown to the hundredth, with their sign.
    expect(measuresTable(measures).find((line) => line.startsWith("what 1,000 turns/s"))).toMatch(
      /3\.50×\s+2\.00×\s+1\.75x/,
    );
  });
});
