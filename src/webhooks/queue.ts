/**
 * The webhook queue: one delivery per event and URL, kept where the store keeps conversations (a SQLite
 * table, Redis keys, or memory for tests), so deliveries survive a restart. A delivery is claimed with a
 * lease before it is sent: claiming is atomic, so two processes sharing a queue never send the same delivery
 * at once, and a delivery whose process died is claimed again when its lease runs out.
 */

import type { WebhookEventType } from "./events.js";

/** A delivery as queued: the body is the event's envelope, card numbers masked, as it will be sent. */
export interface NewDelivery {
  /** Sent as `X-Posdesk-Delivery`: the same on every attempt, so a receiver can drop repeats. */
  id: string;
  eventId: string;
  event: WebhookEventType;
  url: string;
  body: string;
  createdAt: string;
}

export interface QueuedDelivery extends NewDelivery {
  /** Attempts started so far (a claim starts one). */
  attempts: number;
  lastError: string | null;
}

/** A delivery being sent: `claim` proves it is still this sender's (the lease has not been taken over). */
export interface ClaimedDelivery extends QueuedDelivery {
  claim: string;
}

export interface DeadLetter extends QueuedDelivery {
  deadAt: string;
}

export interface WebhookQueue {
  /** Queues deliveries, due at `dueAt` (ms since the epoch), in one write. */
  enqueue(deliveries: NewDelivery[], dueAt: number): Promise<void>;
  /**
   * Takes up to `limit` deliveries due by `now`, oldest due first, counting an attempt for each and leasing
   * them until `now + leaseMs`. Atomic: a delivery is claimed by one caller only.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Delivered: removed. False when the claim was lost (the lease ran out and another took it). */
  complete(delivery: ClaimedDelivery): Promise<boolean>;
  /** Failed, to be tried again at `dueAt`. */
  retry(delivery: ClaimedDelivery, dueAt: number, error: string): Promise<boolean>;
  /** Failed for the last time: kept aside as a dead letter, no longer tried. */
  bury(delivery: ClaimedDelivery, deadAt: number, error: string): Promise<boolean>;
  /** Dead letters, the most recent first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** A dead letter queued again, due at `dueAt`, with its attempts counted from zero. False if no such one. */
  revive(id: string, dueAt: number): Promise<boolean>;
  /** Deliveries still to be sent (due or not, in flight included). */
  pending(): Promise<number>;
}

interface MemoryEntry {
  delivery: QueuedDelivery;
  dueAt: number;
  seq: number;
  claim: string | null;
  deadAt: number | null;
}

/** The queue in memory, for tests: the same promises as the persisted ones, gone with the process. */
export class MemoryWebhookQueue implements WebhookQueue {
  private readonly entries = new Map<string, MemoryEntry>();
  private seq = 0;
  private claims = 0;

  async enqueue(deliveries: NewDelivery[], dueAt: number): Promise<void> {
    for (const d of deliveries)
      this.entries.set(d.id, {
        delivery: { ...d, attempts: 0, lastError: null },
        dueAt,
        seq: this.seq++,
        claim: null,
        deadAt: null,
      });
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const due = [...this.entries.values()]
      .filter((e) => e.deadAt === null && e.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)
      .slice(0, limit);
    const claim = `memory-${++this.claims}`;
    return due.map((entry) => {
      entry.claim = claim;
      entry.dueAt = now + leaseMs;
      entry.delivery = { ...entry.delivery, attempts: entry.delivery.attempts + 1 };
      return { ...entry.delivery, claim };
    });
  }

  private held(delivery: ClaimedDelivery): MemoryEntry | undefined {
    const entry = this.entries.get(delivery.id);
    return entry && entry.deadAt === null && entry.claim === delivery.claim ? entry : undefined;
  }

  async complete(delivery: ClaimedDelivery): Promise<boolean> {
    return this.held(delivery) ? this.entries.delete(delivery.id) : false;
  }

  async retry(delivery: ClaimedDelivery, dueAt: number, error: string): Promise<boolean> {
    const entry = this.held(delivery);
    if (!entry) return false;
    Object.assign(entry, { dueAt, claim: null, delivery: { ...entry.delivery, lastError: error } });
    return true;
  }

  async bury(delivery: ClaimedDelivery, deadAt: number, error: string): Promise<boolean> {
    const entry = this.held(delivery);
    if (!entry) return false;
    Object.assign(entry, { deadAt, claim: null, delivery: { ...entry.delivery, lastError: error } });
    return true;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return [...this.entries.values()]
      .filter((e): e is MemoryEntry & { deadAt: number } => e.deadAt !== null)
      .sort((a, b) => b.deadAt - a.deadAt || b.seq - a.seq)
      .slice(0, limit)
      .map((e) => ({ ...e.delivery, deadAt: new Date(e.deadAt).toISOString() }));
  }

  async revive(id: string, dueAt: number): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry || entry.deadAt === null) return false;
    Object.assign(entry, { deadAt: null, dueAt, delivery: { ...entry.delivery, attempts: 0 } });
    return true;
  }

  async pending(): Promise<number> {
    return [...this.entries.values()].filter((e) => e.deadAt === null).length;
  }
}
