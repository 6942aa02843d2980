/**
 * Where incidents are kept, beside conversations in the same backend (`Store.incidents`): the records, the
 * conversations that belong to each, and the sliding window that counts how many conversations raised a
 * topic lately. The in-memory twin here round-trips through JSON like the others; SQLite and Redis have
 * their own (sqlite-incidents.ts, redis-incidents.ts).
 */
import type { IncidentMember, IncidentRecord } from "../domain/incident.js";
import { isOpen, newestIncidentFirst } from "../domain/incident.js";
import type { TopicId } from "../domain/intents.js";
import { maskedJson } from "../domain/redact.js";

/**
 * A conversation joining an incident or changing state in it: `add` leaves a member already there as it
 * is; `set` changes its state (the time it joined stays).
 */
export interface MemberUpdate {
  incidentId: string;
  member: IncidentMember;
  mode: "add" | "set";
}

/** A raise counted: conversations in the window, and the id of the topic's open incident when it has one. */
export interface RaiseCount {
  count: number;
  open?: string;
}

export interface IncidentQuery {
  /** Only suspected and confirmed incidents. */
  open?: boolean;
}

export interface IncidentStore {
  /**
   * Counts `conversationId` raising `topic` at `at` (ms): the number of distinct conversations that raised
   * it in the window of `windowMs` up to `at`, this one included, and (read in the same step) the topic's
   * open incident, which another process may have opened a moment ago. SQLite and memory count in this
   * process's memory; Redis counts for every process sharing it.
   */
  countRaise(topic: TopicId, conversationId: string, at: number, windowMs: number): Promise<RaiseCount>;
  /** The conversations that raised `topic` after `since` (ms), oldest first, as members in state `raised`. */
  raisedSince(topic: TopicId, since: number): Promise<IncidentMember[]>;
  /** Forgets the raises counted for `topic` (an incident now counts its conversations itself). */
  clearRaises(topic: TopicId): Promise<void>;
  /**
   * Opens `incident` with `members`, unless its topic already has an open one (suspected or confirmed),
   * atomically across processes: returns the incident that is open afterwards.
   */
  open(incident: IncidentRecord, members: IncidentMember[]): Promise<IncidentRecord>;
  /** Saves a change of status or message; a closed or lapsed incident frees its topic for a new one. */
  save(incident: IncidentRecord): Promise<void>;
  get(id: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  list(query?: IncidentQuery): Promise<IncidentRecord[]>;
  /** Applies member changes in order, together (one transaction, one round trip). */
  updateMembers(updates: MemberUpdate[]): Promise<void>;
  /** The incident's conversations, oldest first. */
  members(id: string): Promise<IncidentMember[]>;
  /** When the last conversation joined the incident. */
  lastRaised(id: string): Promise<string | undefined>;
}

/** Raises of one topic in a sliding window, one entry per conversation, oldest first (Map keeps order). */
export class SlidingWindow {
  private readonly topics = new Map<TopicId, Map<string, number>>();

  count(topic: TopicId, conversationId: string, at: number, windowMs: number): number {
    let raises = this.topics.get(topic);
    if (!raises) {
      raises = new Map();
      this.topics.set(topic, raises);
    }
    // Moved to the end: the map stays in time order, so the stale ones are always at its start.
    raises.delete(conversationId);
    raises.set(conversationId, at);
    for (const [id, time] of raises) {
      if (time > at - windowMs) break;
      raises.delete(id);
    }
    return raises.size;
  }

  since(topic: TopicId, since: number): IncidentMember[] {
    return [...(this.topics.get(topic) ?? [])]
      .filter(([, time]) => time > since)
      .map(([conversationId, time]) => ({
        conversationId,
        at: new Date(time).toISOString(),
        state: "raised" as const,
      }));
  }

  clear(topic: TopicId): void {
    this.topics.delete(topic);
  }
}

/**
 * The raises of a store that counts them in this process's memory (memory and SQLite: one process owns the
 * data), beside the store's own lookup of a topic's open incident.
 */
export abstract class RaisesInProcess {
  private readonly window = new SlidingWindow();

  /** The id of the topic's open (suspected or confirmed) incident, if it has one. */
  protected abstract openIncidentOf(topic: TopicId): string | undefined;

  async countRaise(
    topic: TopicId,
    conversationId: string,
    at: number,
    windowMs: number,
  ): Promise<RaiseCount> {
    const count = this.window.count(topic, conversationId, at, windowMs);
    const open = this.openIncidentOf(topic);
    return open ? { count, open } : { count };
  }

  async raisedSince(topic: TopicId, since: number): Promise<IncidentMember[]> {
    return this.window.since(topic, since);
  }

  async clearRaises(topic: TopicId): Promise<void> {
    this.window.clear(topic);
  }
}

const copy = <T>(value: T): T => JSON.parse(maskedJson(value)) as T;

export class MemoryIncidents extends RaisesInProcess implements IncidentStore {
  private readonly records = new Map<string, IncidentRecord>();
  private readonly memberships = new Map<string, Map<string, IncidentMember>>();

  protected openIncidentOf(topic: TopicId): string | undefined {
    return [...this.records.values()].find((r) => r.topic === topic && isOpen(r))?.id;
  }

  async open(incident: IncidentRecord, members: IncidentMember[]): Promise<IncidentRecord> {
    const current = [...this.records.values()].find((r) => r.topic === incident.topic && isOpen(r));
    if (current) return copy(current);
    this.records.set(incident.id, copy(incident));
    this.memberships.set(incident.id, new Map());
    await this.updateMembers(members.map((member) => ({ incidentId: incident.id, member, mode: "add" })));
    return copy(incident);
  }

  async save(incident: IncidentRecord): Promise<void> {
    this.records.set(incident.id, copy(incident));
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    const record = this.records.get(id);
    return record && copy(record);
  }

  async list(query: IncidentQuery = {}): Promise<IncidentRecord[]> {
    return [...this.records.values()]
      .filter((r) => !query.open || isOpen(r))
      .map(copy)
      .sort(newestIncidentFirst);
  }

  async updateMembers(updates: MemberUpdate[]): Promise<void> {
    for (const { incidentId, member, mode } of updates) {
      let members = this.memberships.get(incidentId);
      if (!members) {
        members = new Map();
        this.memberships.set(incidentId, members);
      }
      const current = members.get(member.conversationId);
      if (current && mode === "add") continue;
      members.set(member.conversationId, copy({ ...member, at: current?.at ?? member.at }));
    }
  }

  async members(id: string): Promise<IncidentMember[]> {
    return [...(this.memberships.get(id)?.values() ?? [])].map(copy).sort(byJoined);
  }

  async lastRaised(id: string): Promise<string | undefined> {
    return (await this.members(id)).at(-1)?.at;
  }
}

export function byJoined(a: IncidentMember, b: IncidentMember): number {
  return a.at.localeCompare(b.at) || a.conversationId.localeCompare(b.conversationId);
}
