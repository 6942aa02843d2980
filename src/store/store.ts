/**
 * One storage interface for every backend (SQLite file, Redis, memory). Everything handed to a store has
 * had card numbers masked already; stores mask again on write as a last line of defence.
 */
import type { Facts, PendingQuestion, Step } from "../domain/dialogue.js";
import type { Channel, HandoffRecord, HandoffStatus, TranscriptEntry } from "../domain/handoff.js";
import type { IncidentAnswer } from "../domain/incident.js";
import type { Locale, TopicId } from "../domain/intents.js";
import type { Rating, RatingQuery } from "../domain/rating.js";
import type { IncidentStore } from "./incidents.js";

export interface ActiveFlow {
  id: TopicId;
  version: number;
  /** XState's persisted snapshot, as JSON. */
  snapshot: unknown;
  /**
   * The states the flow passed through so far, in order, transient ones included: the handoff's flow map
   * (src/flowmap/). Absent in records older than this field.
   */
  path?: string[];
  /**
   * The states this run of the flow has waited in, each once, for the analytics funnel: unlike `path`, no
   * transient state and no repeat, so a question asked again is not reached twice. Absent in older records.
   */
  visited?: string[];
}

/** A flow put aside for another topic, to come back to when that one is done. */
export interface SuspendedFlow {
  flow: ActiveFlow;
  question: PendingQuestion | null;
  facts: Facts;
  stepsTried: Step[];
  /** A side question returns by itself (`auto`); after a new problem the merchant is asked (`offer`). */
  resume: "auto" | "offer";
}

export interface ConversationRecord {
  id: string;
  channel: Channel;
  locale: Locale;
  /** The merchant (or the channel) chose the language: don't follow the language of each message. */
  localeFixed: boolean;
  /** The last troubleshooting topic, kept after its flow ends (for a handoff asked for later). */
  topic: TopicId | null;
  flow: ActiveFlow | null;
  /** The question the bot asked last, with its quick replies. */
  question: PendingQuestion | null;
  /** What the last flow learnt and tried, kept for a handoff after the flow ended. */
  facts: Facts;
  stepsTried: Step[];
  /** The states the last flow passed through, kept with its facts (absent in records older than this field). */
  statePath?: string[];
  /** Flows interrupted by another topic, the most recent last. Absent in records older than this field. */
  suspended?: SuspendedFlow[];
  notUnderstood: number;
  /** The open handoff: while set, a person owns the chat and the bot does not troubleshoot. */
  handoffId: string | null;
  turn: number;
  /** How a channel reaches this merchant again (Bot Framework reference, WeChat contact id…). */
  address?: unknown;
  /** The merchant's latest satisfaction rating, with its comment once given. */
  lastRating?: Rating;
  /** When the bot last asked for a rating: it is not asked again in the same sitting (satisfaction.ts). */
  ratingAskedAt?: string;
  /** Incidents the merchant was told of, by incident id, and what they answered: each is asked about once. */
  incidents?: Record<string, IncidentAnswer>;
  /**
   * What the analytics rollup has counted this conversation as: solved by the bot (a flow ended resolved,
   * no person involved) or handed to a person. Absent until one of them happens.
   */
  outcome?: ConversationOutcome;
  createdAt: string;
  updatedAt: string;
}

/** A conversation as it starts: no topic, no flow, nothing learnt, no turn yet. */
export function newConversationRecord(start: {
  id: string;
  channel: Channel;
  locale: Locale;
  localeFixed: boolean;
  at: string;
}): ConversationRecord {
  const { id, channel, locale, localeFixed, at } = start;
  return {
    id,
    channel,
    locale,
    localeFixed,
    topic: null,
    flow: null,
    question: null,
    facts: {},
    stepsTried: [],
    notUnderstood: 0,
    handoffId: null,
    turn: 0,
    createdAt: at,
    updatedAt: at,
  };
}

export type ConversationOutcome = "resolved" | "handedOff";

/** What a reviewer decided about a learning candidate (a merchant message the bot got wrong). */
export type CandidateDecision = "accepted" | "rejected";

/** What one turn changed, written together (in one transaction where the backend has them). */
export interface TurnWrite {
  conversation: ConversationRecord;
  /** The turn's new transcript entries: the merchant's message and the bot's replies. */
  transcript: TranscriptEntry[];
  /** The handoff the turn opened, if it did. */
  handoff?: HandoffRecord;
  /** What the turn adds to the analytics rollup (src/analytics/), written with the rest. */
  rollup?: RollupCount[];
}

/**
 * The analytics rollup: counters per time bucket and metric (src/analytics/ decides which). A count goes to
 * its hour, its day and its week (buckets since the Unix epoch, UTC; a week is 7 × 24 hours from the epoch,
 * not a calendar week), so a report reads whole weeks where it can, days and hours only towards the edges of
 * its range; a count marked `trend` is also kept per hour on its own (`trend`), for time series that need
 * not read every metric of every hour.
 */
export interface RollupCount {
  /** Hours since the epoch (UTC). */
  hour: number;
  metric: string;
  /** Added to the counter (negative for a gauge that moves on, e.g. a flow leaving a state). */
  n: number;
  trend?: boolean;
}

export type RollupUnit = "hour" | "day" | "week" | "trend";

export const DAY_HOURS = 24;
export const WEEK_HOURS = 7 * 24;

/** A counter of the rollup as read back: one bucket's value of one metric. */
export interface RollupRow {
  bucket: number;
  metric: string;
  n: number;
}

/** The rows a count adds to: its hour, day and week, and its hour again under `trend` when marked. */
export function rollupRows(count: RollupCount): (RollupRow & { unit: RollupUnit })[] {
  const { hour, metric, n } = count;
  const rows: (RollupRow & { unit: RollupUnit })[] = [
    { unit: "hour", bucket: hour, metric, n },
    { unit: "day", bucket: Math.floor(hour / DAY_HOURS), metric, n },
    { unit: "week", bucket: Math.floor(hour / WEEK_HOURS), metric, n },
  ];
  if (count.trend) rows.push({ unit: "trend", bucket: hour, metric, n });
  return rows;
}

/** The copy of a merchant's picture kept for agents (card numbers painted over; the original is never kept). */
export interface StoredPicture {
  id: string;
  conversationId: string;
  mime: PictureMime;
  bytes: Uint8Array;
  createdAt: string;
}

export type PictureMime = "image/png" | "image/jpeg";

export interface HandoffQuery {
  status?: HandoffStatus | "active";
}

export interface Store {
  /** Incidents (many merchants, one topic, a short time), kept in the same backend. */
  readonly incidents: IncidentStore;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  saveConversation(conversation: ConversationRecord): Promise<void>;
  appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void>;
  transcript(conversationId: string): Promise<TranscriptEntry[]>;
  saveHandoff(handoff: HandoffRecord): Promise<void>;
  /** Appends the turn's transcript entries, saves the handoff it opened and the conversation, together. */
  saveTurn(turn: TurnWrite): Promise<void>;
  getHandoff(id: string): Promise<HandoffRecord | undefined>;
  /** Handoffs, newest first. `active` means open or claimed. */
  listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]>;
  /**
   * Runs `work` while no other process runs a turn of the same conversation. Stores used by one process
   * only leave it out: the engine already serialises turns inside a process.
   */
  withConversationLock?<T>(id: string, work: () => Promise<T>): Promise<T>;
  /** Remembers a reviewer's decision on a learning candidate, so it is not offered again. */
  recordDecision(candidateId: string, decision: CandidateDecision): Promise<void>;
  /** Every learning candidate decided so far, by candidate id. */
  decisions(): Promise<Map<string, CandidateDecision>>;
  /** Keeps a picture's redacted copy; its id goes on the transcript entry of the turn it came with. */
  savePicture(conversationId: string, bytes: Uint8Array, mime: PictureMime): Promise<string>;
  getPicture(id: string): Promise<StoredPicture | undefined>;
  /**
   * Keeps a satisfaction rating; the same conversation and `at` again replaces it (its comment added).
   * Card numbers in the comment are masked on write, as everywhere.
   */
  saveRating(rating: Rating): Promise<void>;
  /** Ratings given in a period (`from` included, `to` excluded; either may be left out), newest first. */
  ratings(query?: RatingQuery): Promise<Rating[]>;
  /** Adds to the analytics rollup outside a turn (a handoff closed by an agent, a rating). */
  addToRollup(counts: RollupCount[]): Promise<void>;
  /** Each metric's sum over the buckets of `unit` from `from` (included) to `to` (excluded). */
  rollupTotals(unit: RollupUnit, from: number, to: number): Promise<Map<string, number>>;
  /** The counters of `metrics` in each bucket of `unit` from `from` to `to` (excluded), zeros left out. */
  rollupSeries(unit: RollupUnit, from: number, to: number, metrics: readonly string[]): Promise<RollupRow[]>;
  /** Whether the store can take work now (readiness). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export function matchesQuery(record: HandoffRecord, query: HandoffQuery = {}): boolean {
  if (!query.status) return true;
  if (query.status === "active") return record.status !== "closed";
  return record.status === query.status;
}

export function newestFirst(a: HandoffRecord, b: HandoffRecord): number {
  return b.summary.createdAt.localeCompare(a.summary.createdAt) || b.summary.id.localeCompare(a.summary.id);
}
