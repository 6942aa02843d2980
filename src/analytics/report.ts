/**
 * The support lead's report (`GET /api/analytics`, `posdesk report`): the rollup's buckets in a range summed
 * into the contract's figures and the page's tables. Reads whole weeks inside the range, days and hours only
 * towards its edges, plus the hourly headline figures for the timeline and the busiest hours: a year is about
 * a hundred buckets, whatever the number of conversations.
 */
import { FLOWS } from "../../flows/index.js";
import { codeClass } from "../domain/codes.js";
import { Channel, HandoffReason } from "../domain/handoff.js";
import { Locale, TROUBLESHOOTING_INTENTS } from "../domain/intents.js";
import { DAY_HOURS, type RollupRow, type RollupUnit, type Store, WEEK_HOURS } from "../store/store.js";
import { HOUR_MS, metric, TREND_METRICS } from "./rollup.js";

/** What a report needs of a store: the rollup's sums and series. */
export type RollupReader = Pick<Store, "rollupTotals" | "rollupSeries">;

export interface ReportRange {
  /** Included, ms since the epoch. Hour buckets count when their start is within [from, to). */
  from: number;
  /** Excluded, ms since the epoch. */
  to: number;
  /** The IANA time zone days and hours of the day are told in (the timeline, the busiest hours). */
  tz: string;
}

export interface Rated {
  count: number;
  average: number | null;
}

export interface FlowFunnel {
  flow: string;
  /** Runs of the flow started (a flow started again after a correction is a new run). */
  started: number;
  resolved: number;
  /** Handoffs opened from inside the flow. */
  escalated: number;
  /** Runs waiting for an answer that never came (or has not come yet). */
  stopped: number;
  /** Runs left otherwise: cancelled, goodbye, another topic, restarted with a corrected code. */
  left: number;
  /** The states reached, in the order the flow declares them. */
  states: { state: string; reached: number; stopped: number; escalated: number }[];
}

export interface TimelinePoint {
  /** The point's first hour, as an ISO instant. */
  start: string;
  /** The day (YYYY-MM-DD) or hour (YYYY-MM-DD HH:00) in the report's time zone. */
  label: string;
  conversations: number;
  resolvedByBot: number;
  handoffs: number;
}

export interface AnalyticsReport {
  from: string;
  to: string;
  tz: string;
  conversations: number;
  resolvedByBot: number;
  handoffs: number;
  /** resolvedByBot / conversations; null without conversations. */
  containmentRate: number | null;
  /** Conversations by the first troubleshooting topic they raised; `none`: they raised none. */
  byIntent: Record<string, number>;
  handoffsByReason: Record<string, number>;
  csat: Rated & {
    distribution: Record<"1" | "2" | "3" | "4" | "5", number>;
    byAfter: { flow: Rated; handoff: Rated };
    byTopic: Record<string, Rated>;
  };
  /** Chats opened by the bot's welcome, whether or not the merchant then wrote. */
  opened: number;
  /** Conversations handed to a person at least once. */
  conversationsHandedOff: number;
  handoffsByTopic: Record<string, number>;
  /** Handoffs agents closed, and what they said the problem really was. */
  agentResolutions: { closed: number; corrected: number; byResolution: Record<string, number> };
  byChannel: Record<string, number>;
  byLocale: Record<string, number>;
  /** Response codes merchants reported, most frequent first; `responseCodeClasses` says what each means. */
  responseCodes: Record<string, number>;
  responseCodeClasses: Record<string, string>;
  flows: FlowFunnel[];
  /** Conversations started and handoffs opened by hour of the day (0–23) in the report's time zone. */
  busiestHours: { hour: number; conversations: number; handoffs: number }[];
  timeline: { unit: "hour" | "day"; points: TimelinePoint[] };
}

/** Ranges up to this long get an hourly timeline; longer ones a daily one. */
const HOURLY_TIMELINE_HOURS = 72;
/** The longest range a report covers. */
export const MAX_RANGE_DAYS = 3700;

/** A report asked for in words that do not make a range: a bad date, a range backwards or too long, a time zone unknown. */
export class ReportRangeError extends Error {}

/** Checks a time zone name; throws a ReportRangeError naming it when the runtime does not know it. */
export function checkTimeZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new ReportRangeError(`unknown time zone: ${tz}`);
  }
}

export async function buildReport(store: RollupReader, range: ReportRange): Promise<AnalyticsReport> {
  const hFrom = Math.ceil(range.from / HOUR_MS);
  const hTo = Math.ceil(range.to / HOUR_MS);
  const totals = await sumRange(store, hFrom, hTo);
  const trend = await store.rollupSeries("trend", hFrom, hTo, TREND_METRICS);
  const get = (name: string) => totals.get(name) ?? 0;

  const conversations = get(metric.conversations);
  const resolvedByBot = get(metric.resolvedByBot);
  const topics = Object.fromEntries(TROUBLESHOOTING_INTENTS.map((t) => [t, get(metric.topic(t))]));
  const withTopic = Object.values(topics).reduce((a, b) => a + b, 0);
  const clock = new LocalClock(range.tz);

  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    tz: range.tz,
    conversations,
    resolvedByBot,
    handoffs: get(metric.handoffs),
    containmentRate: conversations > 0 ? round(resolvedByBot / conversations, 4) : null,
    byIntent: byCount({ ...topics, none: Math.max(0, conversations - withTopic) }),
    handoffsByReason: byCount(
      Object.fromEntries(HandoffReason.options.map((r) => [r, get(metric.handoffReason(r))])),
    ),
    csat: csatOf(totals),
    opened: get(metric.opened),
    conversationsHandedOff: get(metric.handedOff),
    handoffsByTopic: byCount(
      Object.fromEntries([...TROUBLESHOOTING_INTENTS, "none"].map((t) => [t, get(metric.handoffTopic(t))])),
    ),
    agentResolutions: {
      closed: get(metric.handoffClosed),
      corrected: get(metric.handoffCorrected),
      byResolution: byCount(prefixed(totals, "handoff.resolution:")),
    },
    byChannel: byCount(Object.fromEntries(Channel.options.map((c) => [c, get(metric.channel(c))]))),
    byLocale: byCount(Object.fromEntries(Locale.options.map((l) => [l, get(metric.locale(l))]))),
    ...codesOf(totals),
    flows: funnels(totals),
    busiestHours: busiestHours(trend, clock),
    timeline: timeline(trend, hFrom, hTo, clock),
  };
}

/** The buckets that cover the hours [hFrom, hTo): whole weeks inside, then whole days, hours at the edges. */
export function coveringBuckets(hFrom: number, hTo: number): [RollupUnit, number, number][] {
  const out: [RollupUnit, number, number][] = [];
  const part = (unit: RollupUnit, from: number, to: number) => {
    if (from < to) out.push([unit, from, to]);
  };
  const days = (from: number, to: number) => {
    const dFrom = Math.ceil(from / DAY_HOURS);
    const dTo = Math.floor(to / DAY_HOURS);
    if (dFrom >= dTo) return part("hour", from, to);
    part("hour", from, dFrom * DAY_HOURS);
    part("day", dFrom, dTo);
    part("hour", dTo * DAY_HOURS, to);
  };
  const wFrom = Math.ceil(hFrom / WEEK_HOURS);
  const wTo = Math.floor(hTo / WEEK_HOURS);
  if (wFrom >= wTo) {
    days(hFrom, hTo);
  } else {
    days(hFrom, wFrom * WEEK_HOURS);
    part("week", wFrom, wTo);
    days(wTo * WEEK_HOURS, hTo);
  }
  return out;
}

/** Every metric summed over the hour buckets [hFrom, hTo). */
async function sumRange(store: RollupReader, hFrom: number, hTo: number): Promise<Map<string, number>> {
  const parts = await Promise.all(
    coveringBuckets(hFrom, hTo).map(([unit, from, to]) => store.rollupTotals(unit, from, to)),
  );
  const totals = new Map<string, number>();
  for (const part of parts) for (const [name, n] of part) totals.set(name, (totals.get(name) ?? 0) + n);
  return totals;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The entries, largest first (ties by name), as an object. */
function byCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

/** Metrics `<prefix><rest>`, by rest. */
function prefixed(totals: Map<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of totals) if (name.startsWith(prefix) && n !== 0) out[name.slice(prefix.length)] = n;
  return out;
}

function codesOf(totals: Map<string, number>) {
  const responseCodes = byCount(prefixed(totals, "code:"));
  const responseCodeClasses: Record<string, string> = {};
  for (const code of Object.keys(responseCodes)) responseCodeClasses[code] = codeClass(code) ?? "unknown";
  return { responseCodes, responseCodeClasses };
}

function rated(scores: number[]): Rated {
  const count = scores.reduce((a, b) => a + b, 0);
  const sum = scores.reduce((a, n, i) => a + n * (i + 1), 0);
  return { count, average: count > 0 ? round(sum / count, 2) : null };
}

function csatOf(totals: Map<string, number>): AnalyticsReport["csat"] {
  const scores = (name: (score: number) => string) => [1, 2, 3, 4, 5].map((s) => totals.get(name(s)) ?? 0);
  const flow = scores((s) => metric.rating("flow", s));
  const handoff = scores((s) => metric.rating("handoff", s));
  const all = flow.map((n, i) => n + (handoff[i] ?? 0));
  const byTopic: Record<string, Rated> = {};
  for (const topic of [...TROUBLESHOOTING_INTENTS, "none"]) {
    const r = rated(scores((s) => metric.ratingTopic(topic, s)));
    if (r.count > 0) byTopic[topic] = r;
  }
  const [one = 0, two = 0, three = 0, four = 0, five = 0] = all;
  return {
    ...rated(all),
    distribution: { "1": one, "2": two, "3": three, "4": four, "5": five },
    byAfter: { flow: rated(flow), handoff: rated(handoff) },
    byTopic,
  };
}

function funnels(totals: Map<string, number>): FlowFunnel[] {
  const out: FlowFunnel[] = [];
  for (const [flow, definition] of Object.entries(FLOWS)) {
    const reached = prefixed(totals, `flow.reached:${flow}:`);
    const open = prefixed(totals, `flow.open:${flow}:`);
    const escalatedAt = prefixed(totals, `flow.escalated:${flow}:`);
    const started = totals.get(metric.flowStarted(flow)) ?? 0;
    const seen = new Set([...Object.keys(reached), ...Object.keys(open), ...Object.keys(escalatedAt)]);
    if (started === 0 && seen.size === 0) continue;
    const declared = Object.keys((definition.machine.config.states ?? {}) as Record<string, unknown>);
    const order = [...declared.filter((s) => seen.has(s)), ...[...seen].filter((s) => !declared.includes(s))];
    const states = order.map((state) => ({
      state,
      reached: reached[state] ?? 0,
      stopped: open[state] ?? 0,
      escalated: escalatedAt[state] ?? 0,
    }));
    const resolved = totals.get(metric.flowResolved(flow)) ?? 0;
    const escalated = states.reduce((a, s) => a + s.escalated, 0);
    const stopped = states.reduce((a, s) => a + s.stopped, 0);
    out.push({
      flow,
      started,
      resolved,
      escalated,
      stopped,
      left: Math.max(0, started - resolved - escalated - stopped),
      states,
    });
  }
  return out.sort((a, b) => b.started - a.started || a.flow.localeCompare(b.flow));
}

function busiestHours(trend: RollupRow[], clock: LocalClock): AnalyticsReport["busiestHours"] {
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, conversations: 0, handoffs: 0 }));
  for (const row of trend) {
    const slot = hours[clock.at(row.bucket).hour];
    if (!slot) continue;
    if (row.metric === metric.conversations) slot.conversations += row.n;
    else if (row.metric === metric.handoffs) slot.handoffs += row.n;
  }
  return hours;
}

function timeline(
  trend: RollupRow[],
  hFrom: number,
  hTo: number,
  clock: LocalClock,
): AnalyticsReport["timeline"] {
  const unit = hTo - hFrom <= HOURLY_TIMELINE_HOURS ? "hour" : "day";
  const points: TimelinePoint[] = [];
  // The point each hour of the range falls in, by its index from the first.
  const pointOf: TimelinePoint[] = [];
  let current: TimelinePoint | undefined;
  let currentKey = Number.NaN;
  for (let hour = hFrom; hour < hTo; hour++) {
    const local = clock.at(hour);
    const key = unit === "day" ? local.day : hour;
    if (!current || key !== currentKey) {
      const date = LocalClock.dateOf(local.day);
      current = {
        start: new Date(hour * HOUR_MS).toISOString(),
        label: unit === "day" ? date : `${date} ${String(local.hour).padStart(2, "0")}:00`,
        conversations: 0,
        resolvedByBot: 0,
        handoffs: 0,
      };
      currentKey = key;
      points.push(current);
    }
    pointOf.push(current);
  }
  for (const row of trend) {
    const point = pointOf[row.bucket - hFrom];
    if (point && (TREND_METRICS as readonly string[]).includes(row.metric))
      point[row.metric as (typeof TREND_METRICS)[number]] += row.n;
  }
  return { unit, points };
}

/**
 * The local date and hour of hour buckets in one time zone. The offset is looked up at the first and last
 * hour of each UTC day and reused for the day when they agree (only a day the clocks change on is looked
 * up hour by hour): a year is ~730 lookups, not 8,760.
 */
export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly days = new Map<number, number | null>();

  constructor(tz: string) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  /** Minutes the zone is ahead of UTC at the instant `ms`. */
  offsetAt(ms: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
    const local = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
    );
    return Math.round((local - (ms - (ms % 60_000))) / 60_000);
  }

  private offsetOfHour(hour: number): number {
    const day = Math.floor(hour / DAY_HOURS);
    let offset = this.days.get(day);
    if (offset === undefined) {
      const first = this.offsetAt(day * DAY_HOURS * HOUR_MS);
      const last = this.offsetAt((day * DAY_HOURS + DAY_HOURS - 1) * HOUR_MS);
      offset = first === last ? first : null;
      this.days.set(day, offset);
    }
    return offset ?? this.offsetAt(hour * HOUR_MS);
  }

  /** The instant a wall-clock time of the zone names (given as if it were UTC): the later one in a gap. */
  instantOf(wallClock: number): number {
    const guess = wallClock - this.offsetAt(wallClock) * 60_000;
    return wallClock - this.offsetAt(guess) * 60_000;
  }

  /** The local day (days since the epoch, as if the zone's wall clock were UTC) and hour an hour bucket starts in. */
  at(hour: number): { day: number; hour: number } {
    const minutes = hour * 60 + this.offsetOfHour(hour);
    const day = Math.floor(minutes / 1440);
    return { day, hour: Math.floor((minutes - day * 1440) / 60) };
  }

  /** YYYY-MM-DD of a local day as `at` gives it. */
  static dateOf(day: number): string {
    return new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
}
