import { describe, expect, it } from "vitest";
import { type CpuProfile, formatSummary, placeOf, summarizeProfile } from "../../src/bench/profile.js";

const ROOT = "/srv/posdesk";
const frame = (functionName: string, url = "", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

// root → handle (engine) → classify (nlu), plus xstate, the garbage collector and idle.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 4, 5, 6] },
    { id: 2, callFrame: frame("handle", `file://${ROOT}/dist/src/engine/engine.js`, 9), children: [3] },
    { id: 3, callFrame: frame("classify", `file://${ROOT}/dist/src/nlu/classifier.js`, 77) },
    { id: 4, callFrame: frame("transition", `file://${ROOT}/node_modules/xstate/dist/xstate.js`, 1) },
    { id: 5, callFrame: frame("(garbage collector)") },
    { id: 6, callFrame: frame("(idle)") },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample lasts until the next: 3 (1 ms), 3 (3 ms), 2 (1 ms), 4 (2 ms), 5 (1 ms), 6 (2 ms).
  samples: [3, 3, 2, 4, 5, 6],
  timeDeltas: [0, 1000, 3000, 1000, 2000, 1000],
};

describe("a CPU profile's summary", () => {
  const summary = summarizeProfile(profile, { root: ROOT });

  it("gives each function its self time, largest first, as a share of the busy time", () => {
    expect(summary.totalMs).toBe(10);
    expect(summary.idleMs).toBe(2);
    expect(summary.functions).toEqual([
      { name: "classify src/nlu/classifier.js:78", selfMs: 4, percent: 50 },
      { name: "transition xstate:2", selfMs: 2, percent: 25 },
      { name: "handle src/engine/engine.js:10", selfMs: 1, percent: 12.5 },
      { name: "(garbage collector)", selfMs: 1, percent: 12.5 },
    ]);
  });

  it("groups by file for posdesk's own code and by package for dependencies", () => {
    expect(summary.places.map((p) => p.name)).toEqual([
      "src/nlu/classifier.js",
      "xstate",
      "src/engine/engine.js",
      "(garbage collector)",
    ]);
    expect(placeOf(frame("x", `file://${ROOT}/node_modules/@scope/pkg/lib/a.js`), ROOT)).toBe("@scope/pkg");
    expect(placeOf(frame("emit", "node:events"), ROOT)).toBe("node:events");
    expect(placeOf(frame("run"), ROOT)).toBe("(native)");
  });

  it("prints as a short report", () => {
    const text = formatSummary(summary, "turns");
    expect(text).toContain("turns: 8 ms busy of 10 ms sampled");
    expect(text).toContain("50.0%        4.0 ms  classify src/nlu/classifier.js:78");
  });
});
