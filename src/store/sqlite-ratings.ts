/**
 * The SQLite store's satisfaction ratings: their own table, indexed by time for `GET /api/ratings?from&to`.
 * Apart from the turn's statements (sqlite.ts): a rating is written only on the turn that gives it.
 */
import type Database from "better-sqlite3";
import { isoInstant, type Rating, type RatingQuery } from "../domain/rating.js";
import { maskCardNumbers, maskedJson } from "../domain/redact.js";

const SCHEMA = `
  -- at: the rating's instant as toISOString writes it (UTC, milliseconds), so text order is time order.
  CREATE TABLE IF NOT EXISTS ratings (
    conversation_id TEXT NOT NULL,
    at TEXT NOT NULL,
    score INTEGER NOT NULL,
    after TEXT NOT NULL,
    topic TEXT,
    handoff_id TEXT,
    channel TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (conversation_id, at)
  );
  CREATE INDEX IF NOT EXISTS ratings_by_at ON ratings (at);
`;

/** Below and above every ISO time: a period left open at one end is still one indexed range. */
const EARLIEST = "";
const LATEST = "~";

export class SqliteRatings {
  private readonly put;
  private readonly between;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.put = db.prepare<[string, string, number, string, string | null, string | null, string, string]>(
      `INSERT INTO ratings (conversation_id, at, score, after, topic, handoff_id, channel, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(conversation_id, at) DO UPDATE SET score = excluded.score, after = excluded.after,
         topic = excluded.topic, handoff_id = excluded.handoff_id, channel = excluded.channel, data = excluded.data`,
    );
    this.between = db.prepare<[string, string], { data: string }>(
      "SELECT data FROM ratings WHERE at >= ? AND at < ? ORDER BY at DESC, conversation_id DESC",
    );
  }

  save(rating: Rating): void {
    this.put.run(
      maskCardNumbers(rating.conversationId),
      isoInstant(rating.at),
      rating.score,
      rating.after,
      rating.topic,
      rating.handoffId ?? null,
      rating.channel,
      maskedJson(rating),
    );
  }

  list(query: RatingQuery = {}): Rating[] {
    const from = query.from === undefined ? EARLIEST : isoInstant(query.from);
    const to = query.to === undefined ? LATEST : isoInstant(query.to);
    return this.between.all(from, to).map((row) => JSON.parse(row.data) as Rating);
  }
}
