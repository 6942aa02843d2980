/** Timing helpers for the benchmarks: warm-up, repeated rounds, the median round, percentiles. */

export interface Throughput {
  /** Operations per second: the median of the timed rounds. */
  perSecond: number;
  /** Each timed round's operations per second, in order. */
  rounds: number[];
}

export interface RoundOptions {
  warmupMs?: number;
  rounds?: number;
  /** A round repeats the pass until at least this long has gone by. */
  roundMs?: number;
}

/**
 * Operations per second of `pass` (which returns how many operations it did), after warming up for
 * `warmupMs`: several rounds of at least `roundMs` each, and the median round reported, so one hiccup
 * (a GC, another process) does not decide the figure.
 */
export async function throughput(
  pass: () => number | Promise<number>,
  { warmupMs = 1000, rounds = 5, roundMs = 1000 }: RoundOptions = {},
): Promise<Throughput> {
  const warmEnd = performance.now() + warmupMs;
  do await pass();
  while (performance.now() < warmEnd);
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let operations = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      operations += await pass();
      elapsed = performance.now() - start;
    } while (elapsed < roundMs);
    perRound.push((operations / elapsed) * 1000);
  }
  return { perSecond: median(perRound), rounds: perRound.map(Math.round) };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
