/**
 * A year of analytics rollup for a measurement, made from real traffic: a week of demo conversations played
 * through the engine (demo.ts) into a store of its own, its hour buckets then laid end to end over the year
 * into the store under test. The result is the rollup that many conversations would have left turn by turn,
 * without playing each of them (1,000,000 conversations are four million turns).
 */
import type { Nlu } from "../nlu/index.js";
import { MemoryStore } from "../store/memory.js";
import type { Store } from "../store/store.js";
import { seedDemo } from "./demo.js";
import { HOUR_MS, hourOf, metric, RollupCounts } from "./rollup.js";

export interface YearOptions {
  nlu: Nlu;
  /** Conversations in the year (the played week has its share of them). */
  conversations: number;
  /** The year ends here (ms); now by default. */
  end?: number;
  /** Days of traffic played through the engine, repeated over the year. */
  sampleDays?: number;
  seed?: number;
  progress?: (message: string) => void;
}

export interface SeededYear {
  from: number;
  to: number;
  /** Conversations the rollup now counts in the year. */
  conversations: number;
  /** Conversations played through the engine. */
  played: number;
  /** Rollup changes written (hour, day and trend rows). */
  changes: number;
  playMs: number;
  writeMs: number;
}

/** The played days' rollup, hour by hour from their first hour. */
export interface SampleTraffic {
  /** The store they were played into (memory). */
  store: Store;
  hours: number;
  rows: { offset: number; metric: string; n: number }[];
  /** Conversations played through the engine. */
  played: number;
  playMs: number;
}

/** Plays the sample days through the engine: the share of `conversations` that falls in them. */
export async function playSample(options: YearOptions): Promise<SampleTraffic> {
  const sampleDays = options.sampleDays ?? 7;
  const toHour = hourOf(options.end ?? Date.now());
  const hours = sampleDays * 24;
  const played = Math.max(1, Math.round((options.conversations * sampleDays) / 365));
  const started = performance.now();
  const sample = new MemoryStore();
  // Ending at an hour's start, so its buckets are whole.
  await seedDemo({
    nlu: options.nlu,
    store: sample,
    conversations: played,
    days: sampleDays,
    end: toHour * HOUR_MS,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    progress: (done) => options.progress?.(`played ${done} of ${played} conversations`),
  });
  const rows: SampleTraffic["rows"] = [];
  for (let hour = toHour - hours; hour < toHour; hour++)
    for (const [name, n] of await sample.rollupTotals("hour", hour, hour + 1))
      rows.push({ offset: hour - (toHour - hours), metric: name, n });
  return { store: sample, hours, rows, played, playMs: Math.round(performance.now() - started) };
}

/** Lays the sample end to end backwards from the year's end (ms); the oldest copy is cut at the year's start. */
export async function layYear(
  store: Store,
  sample: SampleTraffic,
  end: number,
  progress?: (m: string) => void,
): Promise<SeededYear> {
  const toHour = hourOf(end);
  const fromHour = toHour - 365 * 24;
  const writing = performance.now();
  let conversations = 0;
  let changes = 0;
  for (
    let copyStart = toHour - sample.hours;
    copyStart + sample.hours > fromHour;
    copyStart -= sample.hours
  ) {
    const batch = new RollupCounts();
    for (const row of sample.rows) {
      const hour = copyStart + row.offset;
      if (hour < fromHour) continue;
      batch.add(hour * HOUR_MS, row.metric, row.n);
      if (row.metric === metric.conversations) conversations += row.n;
    }
    const written = batch.counts();
    changes += written.length;
    await store.addToRollup(written);
    progress?.(`wrote ${conversations} conversations' rollup`);
  }
  return {
    from: fromHour * HOUR_MS,
    to: toHour * HOUR_MS,
    conversations,
    played: sample.played,
    changes,
    playMs: sample.playMs,
    writeMs: Math.round(performance.now() - writing),
  };
}

/** Both: a year of rollup for `options.conversations` conversations into `store`. */
export async function seedYear(store: Store, options: YearOptions): Promise<SeededYear> {
  const end = options.end ?? Date.now();
  const sample = await playSample({ ...options, end });
  return layYear(store, sample, end, options.progress);
}
