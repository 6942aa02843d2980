/**
 * The analytics rollup: counters per time bucket and metric, added to as things happen (a turn, a handoff
 * closed, a rating), so a report sums buckets instead of reading conversations. This module decides which
 * buckets a figure goes into and what the metrics are called; the stores only add and sum.
 *
 * Every figure is written to its hour and to its day (UTC buckets since the epoch): a report reads whole
 * days inside its range and hours only at its two edges, so a year is ~365 day buckets, exact to the hour
 * in any time zone. The headline figures are also kept per hour on their own (`trend`), which the timeline
 * and the busiest hours read for any range without scanning every metric of every hour.
 */
import type { RollupChange, RollupUnit } from "../store/store.js";

export const HOUR_MS = 3_600_000;
export const DAY_HOURS = 24;

/** Hours since the epoch (UTC) of an instant. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
/** The day (since the epoch, UTC) an hour bucket belongs to. */
export const dayOfHour = (hour: number): number => Math.floor(hour / DAY_HOURS);

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
 * are merged, changes that cancel out are dropped. `changes()` is what a store writes.
 */
export class RollupChanges {
  private readonly counts = new Map<string, number>();

  /** Adds `n` to `name` in the hour of `at` (an ISO time or milliseconds). */
  add(at: string | number, name: string, n = 1): void {
    const ms = typeof at === "number" ? at : Date.parse(at);
    if (!Number.isFinite(ms) || n === 0) return;
    const key = `${hourOf(ms)} ${name}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get size(): number {
    return this.counts.size;
  }

  changes(): RollupChange[] {
    const out: RollupChange[] = [];
    for (const [key, n] of this.counts) {
      if (n === 0) continue;
      const space = key.indexOf(" ");
      const hour = Number(key.slice(0, space));
      const name = key.slice(space + 1);
      out.push(
        { unit: "hour", bucket: hour, metric: name, n },
        { unit: "day", bucket: dayOfHour(hour), metric: name, n },
      );
      if (TREND.has(name)) out.push({ unit: "trend", bucket: hour, metric: name, n });
    }
    return out;
  }
}

export type { RollupChange, RollupUnit };
