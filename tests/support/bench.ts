/** Bench results to feed the report in tests: a paced round, a report of a machine. */
import type { PacedRun } from "../../src/bench/paced.js";
import type { Report } from "../../src/bench/report.js";

/** A paced round of 1,000 conversations with these later and first turns' p99 (ms), and answered turns. */
export function pacedRound(p99: { later: number; first: number }, answered = 21_000): PacedRun {
  return {
    conversations: 1000,
    turnsPerConversation: 5,
    durationS: 15,
    thinkMs: 1000,
    turns: 15_000,
    answered,
    turnsPerSecond: 1000,
    first: { turns: 3000, p50Ms: 1, p90Ms: 2, p99Ms: p99.first, maxMs: 100 },
    later: { turns: 12_000, p50Ms: 1, p90Ms: 2, p99Ms: p99.later, maxMs: 100 },
    errors: 0,
    errorKinds: {},
    non2xx: 0,
    loadAverage: 1,
  };
}

/** A report of a 2-core test machine holding `parts` and no measures yet. */
export function reportOf(parts: Omit<Report, "at" | "machine" | "measures">): Report {
  return {
    at: "2026-12-01T00:00:00.000Z",
    machine: { cpus: 2, model: "test", memoryGb: 4, node: "v20", platform: "linux", loadAverage: 0 },
    measures: [],
    ...parts,
  };
}
