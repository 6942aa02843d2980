/**
 * The server's heap growth (`src/heap.ts`): POSDESK_HEAP_GROWTH_PERCENT read and refused as the other
 * settings are, and the percentage reaching V8 in a process of its own (the built `dist/src/heap.js`).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from "../../src/heap.js";
import { startServerProcess } from "../support/process.js";

const run = promisify(execFile);
const HEAP = join(import.meta.dirname, "../../dist/src/heap.js");

/**
 * Full collections in a child process that sets `percent` and then churns as a busy server does: a standing
 * set of live objects, and objects that live long enough to be promoted, then die.
 */
async function fullCollections(percent: number): Promise<number> {
  const script = `
    import { PerformanceObserver, constants } from "node:perf_hooks";
    const { useHeapGrowth } = await import(${JSON.stringify(HEAP)});
    useHeapGrowth(${percent});
    let majors = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    }).observe({ entryTypes: ["gc"] });
    globalThis.live = Array.from({ length: 20000 }, (_, i) => ({ i, text: "x".repeat(200) + i }));
    const ring = new Array(40000);
    for (let n = 0; n < 1000000; n++) ring[n % ring.length] = { n, data: new Array(40).fill(n) };
    await new Promise((done) => setTimeout(done, 50));
    process.stdout.write(String(majors));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
  return Number(stdout);
}

describe("POSDESK_HEAP_GROWTH_PERCENT", () => {
  it("is 300 when unset or blank", () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(300);
    expect(heapGrowthPercent({})).toBe(300);
    expect(heapGrowthPercent({ POSDESK_HEAP_GROWTH_PERCENT: " " })).toBe(300);
  });

  it("takes a whole number from 0 (V8's own growth) to 1000", () => {
    expect(heapGrowthPercent({ POSDESK_HEAP_GROWTH_PERCENT: "0" })).toBe(0);
    expect(heapGrowthPercent({ POSDESK_HEAP_GROWTH_PERCENT: " 150 " })).toBe(150);
    expect(heapGrowthPercent({ POSDESK_HEAP_GROWTH_PERCENT: "1000" })).toBe(1000);
  });

  it("refuses anything else, saying what it takes", () => {
    for (const value of ["lots", "-1", "1001", "2.5", "0x10"])
      expect(() => heapGrowthPercent({ POSDESK_HEAP_GROWTH_PERCENT: value })).toThrow(
        `POSDESK_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000 (0: V8's own growth; got "${value}")`,
      );
  });

  it("stops the server from starting when it is not a percentage", async () => {
    await expect(
      startServerProcess({ POSDESK_HEAP_GROWTH_PERCENT: "lots", POSDESK_STORE: ":memory:" }),
    ).rejects.toThrow(/POSDESK_HEAP_GROWTH_PERCENT must be a whole number/);
  });

  it("reaches V8 in the process that sets it: a smaller growth makes more full collections of the same work", async () => {
    // 50 % against V8's own (0 sets nothing): V8's own growth is larger here, so the set one must show.
    const [own, small] = [await fullCollections(0), await fullCollections(50)];
    expect(own).toBeGreaterThan(0);
    expect(small).toBeGreaterThan(own * 1.5);
  }, 30_000);
});
