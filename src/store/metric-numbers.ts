/**
 * The analytics metrics by number, for the counts a turn carries on its transcript row (sqlite-rollup.ts).
 * A turn adds four or five counts, and their names (`flow.reached:card_declined:askResponseCode`…) are most
 * of their bytes: written out, a turn's counts were longer than its transcript entries, and a conversation
 * took about 30 % more of the file. By number they are a few dozen bytes.
 *
 * A metric is numbered together with whether its count is also kept per hour on its own (`trend`). A number
 * once given is never taken back or given to another metric: the SQLite store keeps them in `rollup_metrics`
 * and commits each new one before a count uses it.
 */
import type { RollupCount } from "./store.js";

/** A turn's counts by number: per hour, `[hour, number, n, number, n, …]`. */
export type NumberedCounts = number[][];

export class MetricNumbers {
  private readonly plain = new Map<string, number>();
  private readonly trended = new Map<string, number>();
  private readonly metrics = new Map<number, { metric: string; trend: boolean }>();
  private top = 0;

  numberOf(metric: string, trend: boolean): number | undefined {
    return (trend ? this.trended : this.plain).get(metric);
  }

  metricOf(number: number): { metric: string; trend: boolean } | undefined {
    return this.metrics.get(number);
  }

  /** Notes a number given (by the file, or by `numberInOrder`). */
  set(number: number, metric: string, trend: boolean): void {
    (trend ? this.trended : this.plain).set(metric, number);
    this.metrics.set(number, { metric, trend });
    if (number > this.top) this.top = number;
  }

  /** Numbers, in order of first appearance from 1, each metric of `counts` without one (as a new file does). */
  numberInOrder(counts: readonly RollupCount[]): void {
    for (const count of counts) {
      const trend = count.trend === true;
      if (this.numberOf(count.metric, trend) === undefined) this.set(this.top + 1, count.metric, trend);
    }
  }

  /** The counts as JSON, by number: every metric must have one. */
  encode(counts: readonly RollupCount[]): string {
    const groups: NumberedCounts = [];
    let group: number[] | undefined;
    for (const count of counts) {
      const number = this.numberOf(count.metric, count.trend === true);
      if (number === undefined) throw new Error(`analytics metric not numbered: ${count.metric}`);
      if (group?.[0] !== count.hour) {
        group = [count.hour];
        groups.push(group);
      }
      group.push(number, count.n);
    }
    return JSON.stringify(groups);
  }

  /**
   * Each count of `json` (as `encode` writes it, or by name as `[[hour, metric, n, trend], …]`, as journal rows
   * of earlier versions are) to `visit`. A number not known here is skipped: the caller refreshes the numbers
   * from the file first (`highest`).
   */
  decode(json: string, visit: (hour: number, metric: string, n: number, trend: boolean) => void): void {
    for (const group of JSON.parse(json) as (number | string)[][]) {
      const [hour, second] = group as [number, number | string];
      if (typeof second === "string") {
        const [, , n, trend] = group as [number, string, number, number];
        visit(hour, second, n, trend === 1);
        continue;
      }
      for (let i = 1; i + 1 < group.length; i += 2) {
        const named = this.metricOf(group[i] as number);
        if (named) visit(hour, named.metric, group[i + 1] as number, named.trend);
      }
    }
  }

  /** The highest number known (0 for none). */
  get highest(): number {
    return this.top;
  }
}
