/**
 * The webhook queue as a table in the store's own SQLite file: queued deliveries are there after a restart
 * (or a crash: WAL, as for the conversations). A claim is one UPDATE … RETURNING, atomic even for two
 * processes on one file.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { WebhookEventType } from "./events.js";
import type { ClaimedDelivery, DeadLetter, NewDelivery, QueuedDelivery, WebhookQueue } from "./queue.js";

const SCHEMA = `
  -- One row per event and URL until it is delivered (then deleted) or dead (then kept, status 'dead').
  -- due_at: when it may be claimed next (ms since the epoch); while claimed, when its lease runs out.
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    claim TEXT,
    last_error TEXT,
    dead_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, due_at);
`;

interface Row {
  seq: number;
  id: string;
  event_id: string;
  event: WebhookEventType;
  url: string;
  body: string;
  created_at: string;
  attempts: number;
  claim: string | null;
  last_error: string | null;
  dead_at: number | null;
}

const COLUMNS = "seq, id, event_id, event, url, body, created_at, attempts, claim, last_error, dead_at";

function delivery(row: Row): QueuedDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    event: row.event,
    url: row.url,
    body: row.body,
    createdAt: row.created_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export class SqliteWebhookQueue implements WebhookQueue {
  private readonly statements;
  private readonly insertAll: (deliveries: NewDelivery[], dueAt: number) => void;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.statements = {
      insert: db.prepare<[string, string, string, string, string, string, number]>(
        "INSERT INTO webhook_deliveries (id, event_id, event, url, body, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      claim: db.prepare<[string, number, number, number], Row>(
        `UPDATE webhook_deliveries SET claim = ?, due_at = ?, attempts = attempts + 1
         WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE status = 'pending' AND due_at <= ?
                       ORDER BY due_at, seq LIMIT ?)
         RETURNING ${COLUMNS}`,
      ),
      complete: db.prepare<[string, string]>(
        "DELETE FROM webhook_deliveries WHERE id = ? AND claim = ? AND status = 'pending'",
      ),
      retry: db.prepare<[number, string, string, string]>(
        "UPDATE webhook_deliveries SET due_at = ?, last_error = ?, claim = NULL WHERE id = ? AND claim = ? AND status = 'pending'",
      ),
      bury: db.prepare<[number, string, string, string]>(
        "UPDATE webhook_deliveries SET status = 'dead', dead_at = ?, last_error = ?, claim = NULL WHERE id = ? AND claim = ? AND status = 'pending'",
      ),
      dead: db.prepare<[number], Row>(
        `SELECT ${COLUMNS} FROM webhook_deliveries WHERE status = 'dead' ORDER BY dead_at DESC, seq DESC LIMIT ?`,
      ),
      revive: db.prepare<[number, string]>(
        "UPDATE webhook_deliveries SET status = 'pending', due_at = ?, attempts = 0, dead_at = NULL WHERE id = ? AND status = 'dead'",
      ),
      pending: db.prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'",
      ),
    };
    this.insertAll = db.transaction((deliveries: NewDelivery[], dueAt: number) => {
      for (const d of deliveries)
        this.statements.insert.run(d.id, d.eventId, d.event, d.url, d.body, d.createdAt, dueAt);
    });
  }

  async enqueue(deliveries: NewDelivery[], dueAt: number): Promise<void> {
    this.insertAll(deliveries, dueAt);
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const claim = randomUUID();
    return this.statements.claim
      .all(claim, now + leaseMs, now, limit)
      .sort((a, b) => a.seq - b.seq)
      .map((row) => ({ ...delivery(row), claim }));
  }

  async complete(d: ClaimedDelivery): Promise<boolean> {
    return this.statements.complete.run(d.id, d.claim).changes === 1;
  }

  async retry(d: ClaimedDelivery, dueAt: number, error: string): Promise<boolean> {
    return this.statements.retry.run(dueAt, error, d.id, d.claim).changes === 1;
  }

  async bury(d: ClaimedDelivery, deadAt: number, error: string): Promise<boolean> {
    return this.statements.bury.run(deadAt, error, d.id, d.claim).changes === 1;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.statements.dead
      .all(limit)
      .map((row) => ({ ...delivery(row), deadAt: new Date(row.dead_at ?? 0).toISOString() }));
  }

  async revive(id: string, dueAt: number): Promise<boolean> {
    return this.statements.revive.run(dueAt, id).changes === 1;
  }

  async pending(): Promise<number> {
    return this.statements.pending.get()?.n ?? 0;
  }
}
