/**
 * Preloaded into each server the load bench starts (`node --import …/gc-probe.js`), posdesk's and the trivial
 * one alike: counts the process's garbage collections and the time each stopped it, by kind, from V8's own
 * performance entries. On SIGUSR2 it writes the totals so far to the file named by `POSDESK_GC_PROBE`, as JSON
 * (`GcTotals`), with a sequence number the reader waits for. Nothing else in the process changes.
 */
import { renameSync, writeFileSync } from "node:fs";
import { constants, PerformanceObserver } from "node:perf_hooks";

export interface GcKindTotals {
  count: number;
  ms: number;
}

export interface GcTotals {
  /** Which SIGUSR2 this answers (1, 2…): the reader waits for the one it sent. */
  seq: number;
  /** Young-generation collections (scavenges): the event loop stops for each. */
  minor: GcKindTotals;
  /** Full collections (mark-compact). */
  major: GcKindTotals;
  /** Incremental marking steps, and weak-callback processing. */
  other: GcKindTotals;
}

const file = process.env.POSDESK_GC_PROBE;
if (!file) throw new Error("gc-probe: POSDESK_GC_PROBE must name the file to write to");

const totals: GcTotals = {
  seq: 0,
  minor: { count: 0, ms: 0 },
  major: { count: 0, ms: 0 },
  other: { count: 0, ms: 0 },
};

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // Node's GC entries carry their kind in `detail` (typed as a plain PerformanceEntry).
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    const into =
      kind === constants.NODE_PERFORMANCE_GC_MINOR
        ? totals.minor
        : kind === constants.NODE_PERFORMANCE_GC_MAJOR
          ? totals.major
          : totals.other;
    into.count++;
    into.ms += entry.duration;
  }
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  totals.seq++;
  // Whole or not at all: the reader never sees a file half written.
  writeFileSync(`${file}.tmp`, JSON.stringify(totals));
  renameSync(`${file}.tmp`, file);
});
