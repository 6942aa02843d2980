/**
 * One storage interface for every backend (SQLite file, Redis, memory). Everything handed to a store has
 * had card numbers masked already; stores mask again on write as a last line of defence.
 */
import type { Facts, Step } from "../../flows/kit.js";
import type { PendingQuestion } from "../engine/answer.js";
import type { Channel, HandoffRecord, HandoffStatus, TranscriptEntry } from "../engine/handoff.js";
import type { Locale, TopicId } from "../nlu/intents.js";

export interface ActiveFlow {
  id: TopicId;
  version: number;
  /** XState's persisted snapshot, as JSON. */
  snapshot: unknown;
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
  notUnderstood: number;
  /** The open handoff: while set, a person owns the chat and the bot does not troubleshoot. */
  handoffId: string | null;
  turn: number;
  /** How a channel reaches this merchant again (Bot Framework reference, WeChat contact id…). */
  address?: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface HandoffQuery {
  status?: HandoffStatus | "active";
}

export interface Store {
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  saveConversation(conversation: ConversationRecord): Promise<void>;
  appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void>;
  transcript(conversationId: string): Promise<TranscriptEntry[]>;
  saveHandoff(handoff: HandoffRecord): Promise<void>;
  getHandoff(id: string): Promise<HandoffRecord | undefined>;
  /** Handoffs, newest first. `active` means open or claimed. */
  listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]>;
  /**
   * Runs `work` while no other process runs a turn of the same conversation. Stores used by one process
   * only leave it out: the engine already serialises turns inside a process.
   */
  withConversationLock?<T>(id: string, work: () => Promise<T>): Promise<T>;
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
