/**
 * The analytics rollup: counters per time bucket and metric, added to as things happen (a turn, a handoff
 * closed, a rating), so a report sums buckets instead of reading conversations. This module decides which
 * buckets a figure goes into and what the metrics are called; the stores only add and sum.
 *
 * Every figure goes to its hour, its day and its week (UTC buckets since the epoch; the store does that):
 * a report reads whole weeks inside its range, days and hours only towards its edges, so a year is about a
 * hundred buckets, exact to the hour in any time zone. The headline figures are also kept per hour on their
 * own (`trend`), which the timeline and the busiest hours read for any range without scanning every metric
 * of every hour.
 */
import type { RollupCount } from "../store/store.js";

export const HOUR_MS = 3_600_000;

/** Hours since the epoch (UTC) of an instant. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** The headline figures, also kept per hour by themselves (unit `trend`). */
export const TREND_METRICS = ["conversations", "resolvedByBot", "handoffs"] as const;
const TREND: ReadonlySet<string> = new Set(TREND_METRICS);

/**
 * The metrics' names. Counted in the hour the conversation started (its cohort), so that every figure of a
 * conversation — its outcome, its handoffs, where it stopped — lands in one bucket and a range's ratios
 * hold; ratings are counted in the hour they were given.
 */
export const metric = {
  /** Conversations with a first message from the merchant. */
  conversations: "conversations",
  /** Chats opened (the bot greeted first), whether or not the merchant then wrote. */
  opened: "opened",
  /** Conversations where a flow ended resolved and no person was ever involved. */
  resolvedByBot: "resolvedByBot",
  /** Conversations handed to a person at least once. */
  handedOff: "handedOff",
  /** Handoffs opened (a conversation may have several). */
  handoffs: "handoffs",
  channel: (channel: string) => `channel:${channel}`,
  locale: (locale: string) => `locale:${locale}`,
  /** Conversations by the first troubleshooting topic they raised. */
  topic: (topic: string) => `topic:${topic}`,
  handoffReason: (reason: string) => `handoff.reason:${reason}`,
  handoffTopic: (intent: string) => `handoff.topic:${intent}`,
  handoffClosed: "handoff.closed",
  /** What agents closing handoffs said the problem really was. */
  handoffResolution: (intent: string) => `handoff.resolution:${intent}`,
  /** Closed handoffs whose resolution differs from the topic the bot handed over. */
  handoffCorrected: "handoff.corrected",
  /** Response codes merchants reported (a code counted again only when it changes in the conversation). */
  code: (code: string) => `code:${code}`,
  /** Runs of a flow (a flow started again after a correction is a new run). */
  flowStarted: (flow: string) => `flow.started:${flow}`,
  flowResolved: (flow: string) => `flow.resolved:${flow}`,
  /** Runs that reached a state (once per run). */
  flowReached: (flow: string, state: string) => `flow.reached:${flow}:${state}`,
  /** Runs waiting in a state now: where merchants stopped, when nothing came after. A gauge (±1). */
  flowOpen: (flow: string, state: string) => `flow.open:${flow}:${state}`,
  /** Handoffs opened while a run was at a state (the state the merchant last answered, or its end). */
  flowEscalated: (flow: string, state: string) => `flow.escalated:${flow}:${state}`,
  rating: (after: string, score: number) => `rating:${after}:${score}`,
  ratingTopic: (topic: string, score: number) => `rating.topic:${topic}:${score}`,
} as const;

/**
 * What one event adds to the rollup, collected before it is written: counts of the same metric and hour
 * are merged, counts that cancel out are dropped. `counts()` is what a store writes.
 */
export class RollupCounts {
  private readonly totals = new Map<string, number>();
  /** The last time added at, and its hour: a turn adds a dozen counts at the same time. */
  private lastAt: string | number | undefined;
  private lastHour = 0;

  /** Adds `n` to `name` in the hour of `at` (an ISO time or milliseconds). */
  add(at: string | number, name: string, n = 1): void {
    if (n === 0) return;
    if (at !== this.lastAt) {
      const ms = typeof at === "number" ? at : Date.parse(at);
      if (!Number.isFinite(ms)) return;
      this.lastAt = at;
      this.lastHour = hourOf(ms);
    }
    const key = `${this.lastHour} ${name}`;
    this.totals.set(key, (this.totals.get(key) ?? 0) + n);
  }

  /** What a store adds: one count per metric and hour, the headline ones marked `trend`. */
  counts(): RollupCount[] {
    const out: RollupCount[] = [];
    for (const [key, n] of this.totals) {
      if (n === 0) continue;
      const space = key.indexOf(" ");
      const metric = key.slice(space + 1);
      out.push({
        hour: Number(key.slice(0, space)),
        metric,
        n,
        ...(TREND.has(metric) ? { trend: true } : {}),
      });
    }
    return out;
  }
}
