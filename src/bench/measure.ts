/** Timing helpers for the benchmarks: warm-up, repeated rounds, the median round, percentiles, ratios. */

export interface Throughput {
  /** Operations per second: the median of the timed rounds. */
  perSecond: number;
  /** Each timed round's operations per second, in order. */
  rounds: number[];
  /**
   * Operations per second of CPU time of this process (user + system, every thread): the median of the
   * rounds. Other processes taking turns on the cores move it far less than the wall clock.
   */
  perCpuSecond: number;
}

interface RoundRate {
  perSecond: number;
  perCpuSecond: number;
}

export interface RoundOptions {
  warmupMs?: number;
  rounds?: number;
  /** A round repeats the pass until at least this long has gone by. */
  roundMs?: number;
}

/** One pass of a workload: does some operations and says how many. `timed` is false while warming up. */
export type Pass = (timed: boolean) => number | Promise<number>;

async function timedRound(pass: Pass, roundMs: number): Promise<RoundRate> {
  let operations = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  do {
    operations += await pass(true);
    elapsed = performance.now() - start;
  } while (elapsed < roundMs);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    perSecond: (operations / elapsed) * 1000,
    perCpuSecond: (operations / Math.max(cpuMs, 1e-3)) * 1000,
  };
}

function summarize(rates: readonly RoundRate[]): Throughput {
  const perSecond = rates.map((r) => r.perSecond);
  return {
    perSecond: median(perSecond),
    rounds: perSecond.map(Math.round),
    perCpuSecond: median(rates.map((r) => r.perCpuSecond)),
  };
}

async function warmUp(pass: Pass, warmupMs: number): Promise<void> {
  const warmEnd = performance.now() + warmupMs;
  do await pass(false);
  while (performance.now() < warmEnd);
}

/**
 * Operations per second of `pass` (which returns how many operations it did), after warming up for
 * `warmupMs`: several rounds of at least `roundMs` each, and the median round reported, so one hiccup
 * (a GC, another process) does not decide the figure.
 */
export async function throughput(
  pass: Pass,
  { warmupMs = 1000, rounds = 5, roundMs = 1000 }: RoundOptions = {},
): Promise<Throughput> {
  await warmUp(pass, warmupMs);
  const perRound: RoundRate[] = [];
  for (let r = 0; r < rounds; r++) perRound.push(await timedRound(pass, roundMs));
  return summarize(perRound);
}

/**
 * Several workloads measured in alternating rounds (a round of each, then again): a workload and its
 * reference see the same machine, even when other processes come and go during the run. Each workload
 * warms up for `warmupMs` first.
 */
export async function interleaved<K extends string>(
  passes: Record<K, Pass>,
  { warmupMs = 1000, rounds = 5, roundMs = 1000 }: RoundOptions = {},
): Promise<Record<K, Throughput>> {
  const keys = Object.keys(passes) as K[];
  for (const key of keys) await warmUp(passes[key], warmupMs);
  const perRound = new Map<K, RoundRate[]>(keys.map((key) => [key, []]));
  for (let r = 0; r < rounds; r++) {
    for (const key of keys) perRound.get(key)?.push(await timedRound(passes[key], roundMs));
  }
  const result = {} as Record<K, Throughput>;
  for (const key of keys) result[key] = summarize(perRound.get(key) ?? []);
  return result;
}

export function median(values: ArrayLike<number>): number {
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

/** `value / reference`, rounded; null when there is no meaningful reference (zero, missing, not a number). */
export function ratio(value: number, reference: number, digits = 2): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return null;
  return round(value / reference, digits);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
