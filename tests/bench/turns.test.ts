/** The in-process turn benchmark's passes: what they run and what they count. */
import { describe, expect, it } from "vitest";
import { measuresOf } from "../../src/bench/report.js";
import { concurrentPass, scriptedPass, type TurnsResult } from "../../src/bench/turns.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { TurnWrite } from "../../src/store/store.js";
import { reportOf } from "../support/bench.js";
import { engineFor } from "../support/conversation.js";

const scripts = [
  { name: "declined", turns: ["此卡无法交易", "05", "好了"] },
  { name: "printer", turns: ["打印机不出纸", "1"] },
];

describe("the turn benchmark's passes", () => {
  it("runs every script once under new ids, one turn after another, and counts the turns", async () => {
    const store = new MemoryStore();
    let ids = 0;
    const latencies: number[] = [];
    const turns = await scriptedPass(engineFor(store), () => `c-${ids++}`, latencies, scripts)(true);
    expect(turns).toBe(5);
    expect(latencies).toHaveLength(5);
    expect((await store.getConversation("c-0"))?.turn).toBe(3);
    expect((await store.getConversation("c-1"))?.turn).toBe(2);
  });

  it("at once, runs that many such passes side by side, each conversation whole", async () => {
    const saved: string[] = [];
    const store = new (class extends MemoryStore {
      override async saveTurn(turn: TurnWrite) {
        saved.push(turn.conversation.id);
        await super.saveTurn(turn);
      }
    })();
    let ids = 0;
    const turns = await concurrentPass(engineFor(store), () => `m-${ids++}`, 4, scripts)();
    expect(turns).toBe(20);
    expect(ids).toBe(8);
    // The first turns saved are of four conversations: the passes interleave, none waits for another.
    expect(new Set(saved.slice(0, 4)).size).toBe(4);
    for (let i = 0; i < 8; i++) {
      const transcript = await store.transcript(`m-${i}`);
      const said = transcript.filter((e) => e.from === "merchant").map((e) => e.text);
      expect([scripts[0]?.turns, scripts[1]?.turns]).toContainEqual(said);
    }
  });
});

describe("the turn benchmark's report", () => {
  const throughput = (perSecond: number, perCpuSecond = perSecond) => ({
    perSecond,
    rounds: [perSecond],
    perCpuSecond,
  });
  const turns: TurnsResult = {
    turns: 100,
    conversations: 30,
    perSecond: 4000,
    rounds: [4000],
    perCpuSecond: 4100,
    p50Ms: 0.2,
    p99Ms: 0.8,
    maxMs: 9,
    floor: throughput(24_000),
    ratio: 0.167,
    cpuRatio: 0.17,
    rowFloor: throughput(40_000, 41_000),
    rowRatio: 0.1,
    rowCpuRatio: 0.1,
    inMemory: throughput(7000, 6970),
    inMemoryRowRatio: 0.175,
    inMemoryRowCpuRatio: 0.17,
    atOnce: {
      conversations: 32,
      perSecond: 8000,
      rounds: [8000],
      perCpuSecond: 8000,
      ratio: 0.333,
      cpuRatio: 0.33,
      rowRatio: 0.2,
      rowCpuRatio: 0.2,
      turnsPerCommit: 32,
    },
  };

  it("reports the turn over records in memory against the one-row floor, as a bound with no goal of its own", () => {
    const inMemory = measuresOf(reportOf({ turns })).find((m) => m.id === "turns.inMemory");
    expect(inMemory).toMatchObject({ value: 7000, reference: 40_000, ratio: 0.175, goal: null, met: null });
    expect(inMemory?.cpuRatio).toBe(0.17);
    expect(inMemory?.referenceName).toContain("no storage work can reach");
  });
});
