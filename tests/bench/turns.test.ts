/** The in-process turn benchmark's passes: what they run and what they count. */
import { describe, expect, it } from "vitest";
import { concurrentPass, scriptedPass } from "../../src/bench/turns.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { TurnWrite } from "../../src/store/store.js";
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
