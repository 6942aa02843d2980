/**
 * SQLite file store (the default): conversations with their flow snapshots, transcripts and handoffs
 * survive a restart. WAL mode, so a process killed mid-turn never corrupts the file.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { HandoffRecord, TranscriptEntry } from "../domain/handoff.js";
import type { Rating, RatingQuery } from "../domain/rating.js";
import { maskCardNumbers, maskDeep, maskedJson } from "../domain/redact.js";
import { type Checkpointer, startCheckpointer } from "./checkpointer.js";
import { SqliteIncidents } from "./sqlite-incidents.js";
import { SqliteRatings } from "./sqlite-ratings.js";
import { SqliteRollup, sumCounts } from "./sqlite-rollup.js";
import {
  type CandidateDecision,
  type ConversationRecord,
  type HandoffQuery,
  matchesQuery,
  newestFirst,
  type PictureMime,
  type RollupCount,
  type RollupRow,
  type RollupUnit,
  type Store,
  type StoredPicture,
  type TurnWrite,
} from "./store.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  -- seq is the rowid: rows are never deleted, so it only grows (AUTOINCREMENT would add a write per turn).
  -- entry: the entries written together (a turn's message and replies) as a JSON array, or one entry as an
  -- object (rows written before turns were kept whole). counts: what the turn added to the analytics rollup,
  -- its metrics by number (metric-numbers.ts), folded into it after the commit (sqlite-rollup.ts), or null.
  CREATE TABLE IF NOT EXISTS transcripts (
    seq INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    counts TEXT
  );
  CREATE INDEX IF NOT EXISTS transcripts_by_conversation ON transcripts (conversation_id, seq);
  CREATE TABLE IF NOT EXISTS handoffs (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, created_at);
  -- Redacted copies of merchants' pictures, for agents (the originals are never stored).
  CREATE TABLE IF NOT EXISTS pictures (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    mime TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS learning_decisions (
    candidate_id TEXT PRIMARY KEY,
    decision TEXT NOT NULL,
    decided_at TEXT NOT NULL
  );
`;

/**
 * The page size of a new file. The WAL holds every page a commit changed, whole, and a turn changes four or
 * five (its conversation's row, the transcript's end and its index, the file's header as it grows): with SQLite's
 * 4 KB pages that is about 21 KB of log a turn for a few hundred bytes of rows, 12 KB with 2 KB pages, and the
 * turn itself is no slower (1 KB pages: 8 KB, but more rows spill onto overflow pages, and turns are slower).
 * Under the paced load of 1,000 conversations right after a burst of turns, five runs each, alternating: the
 * later-turn p99 at 4 KB pages 4.0–6.3 ms, and 14.6 and 14.9 ms in two runs; at 2 KB 4.0–5.3 ms in all five.
 */
export const PAGE_SIZE = 2048;

/** The statements of a turn, shared with the storage floor (src/bench/floor.ts) so both do the same writes. */
export const TURN_SQL = {
  getConversation: "SELECT data FROM conversations WHERE id = ?",
  putConversation:
    "INSERT INTO conversations (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
  appendTranscript: "INSERT INTO transcripts (conversation_id, entry, counts) VALUES (?, ?, ?)",
  transcript: "SELECT entry FROM transcripts WHERE conversation_id = ? ORDER BY seq",
  putHandoff:
    "INSERT INTO handoffs (id, conversation_id, status, created_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data",
} as const;

/**
 * A file made before turns carried their analytics counts gets the column (SQLite adds it without rewriting
 * a row; the rows already there have none).
 */
function addCountsColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('transcripts')");
  // Looked at under the write lock: two processes opening the same old file add it once.
  db.transaction(() => {
    if (!columns.all().some((column) => column.name === "counts"))
      db.exec("ALTER TABLE transcripts ADD COLUMN counts TEXT");
  }).immediate();
}

interface WaitingTurn {
  turn: TurnWrite;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SqliteStore implements Store {
  /** The open file, for what keeps its own tables beside the conversations (the webhook queue). */
  readonly db: Database.Database;
  readonly incidents: SqliteIncidents;
  private readonly statements;
  // Transactions are prepared once: a turn's writes are one commit (one WAL append), not three or four.
  private readonly appendEntries: (conversationId: string, entries: TranscriptEntry[]) => void;
  private readonly writeTurns: (turns: readonly TurnWrite[]) => void;
  /** Turns handed to `saveTurn` and not yet committed: written together by `commitWaiting`. */
  private waiting: WaitingTurn[] = [];
  /** Commits of turns so far, and the turns they carried (the bench reports turns per commit from them). */
  readonly turnCommits = { commits: 0, turns: 0 };
  private readonly rollup: SqliteRollup;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly ratingRows: SqliteRatings;

  constructor(
    readonly path: string,
    options: { checkpointer?: { intervalMs?: number; restartBytes?: number } } = {},
  ) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // A new file gets 2 KB pages (a file that exists keeps its own; the pragma must come before WAL mode).
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    // 16 MB of page cache (SQLite's default is 2 MB): a busy server's conversations stay in memory.
    this.db.pragma("cache_size = -16384");
    this.db.exec(SCHEMA);
    addCountsColumn(this.db);
    this.ratingRows = new SqliteRatings(this.db);
    this.incidents = new SqliteIncidents(this.db);
    if (path !== ":memory:") {
      // The WAL is copied into the file by a worker thread, not inside a turn's commit (see checkpointer.ts).
      this.db.pragma("wal_autocheckpoint = 0");
      this.checkpointer = startCheckpointer(path, {
        ...options.checkpointer,
        onFailure: () => {
          if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
        },
      });
    }
    this.statements = {
      getConversation: this.db.prepare<[string], { data: string }>(TURN_SQL.getConversation),
      putConversation: this.db.prepare<[string, string, string]>(TURN_SQL.putConversation),
      appendTranscript: this.db.prepare<[string, string, string | null]>(TURN_SQL.appendTranscript),
      transcript: this.db.prepare<[string], { entry: string }>(TURN_SQL.transcript),
      putHandoff: this.db.prepare<[string, string, string, string, string]>(TURN_SQL.putHandoff),
      getHandoff: this.db.prepare<[string], { data: string }>("SELECT data FROM handoffs WHERE id = ?"),
      putDecision: this.db.prepare<[string, string, string]>(
        "INSERT INTO learning_decisions (candidate_id, decision, decided_at) VALUES (?, ?, ?) ON CONFLICT(candidate_id) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at",
      ),
      decisions: this.db.prepare<[], { candidate_id: string; decision: CandidateDecision }>(
        "SELECT candidate_id, decision FROM learning_decisions",
      ),
      listHandoffs: this.db.prepare<[], { data: string }>(
        "SELECT data FROM handoffs ORDER BY created_at DESC",
      ),
      putPicture: this.db.prepare<[string, string, string, Buffer, string]>(
        "INSERT INTO pictures (id, conversation_id, mime, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      getPicture: this.db.prepare<
        [string],
        { id: string; conversation_id: string; mime: PictureMime; bytes: Buffer; created_at: string }
      >("SELECT id, conversation_id, mime, bytes, created_at FROM pictures WHERE id = ?"),
    };
    this.rollup = new SqliteRollup(this.db);
    // The entries written together are one row: a turn's message and replies are read back together anyway,
    // and one insert instead of two or three costs less (a turn's three entries in 32-turn transactions:
    // 6.5 µs as one row, 10.9 µs as three, JSON and masking included).
    const append = (conversationId: string, entries: TranscriptEntry[], counts?: readonly RollupCount[]) => {
      if (entries.length === 0) return;
      const countsRow = counts?.length ? this.rollup.encode(counts) : null;
      this.statements.appendTranscript.run(conversationId, maskedJson(entries), countsRow);
    };
    this.appendEntries = this.db.transaction((conversationId: string, entries: TranscriptEntry[]) =>
      append(conversationId, entries),
    );
    // One transaction, no savepoint inside it: a nested better-sqlite3 transaction (appendEntries) would add
    // a SAVEPOINT and its RELEASE to every turn. A turn's analytics counts ride on its transcript row; those
    // of turns without one (no entries) are summed into one journal row. Their metrics are numbered first.
    const writeTurns = this.db.transaction((turns: readonly TurnWrite[]) => {
      const uncarried: RollupCount[][] = [];
      for (const turn of turns) {
        append(turn.conversation.id, turn.transcript, turn.rollup);
        if (turn.transcript.length === 0 && turn.rollup?.length) uncarried.push(turn.rollup);
        if (turn.handoff) this.putHandoff(turn.handoff);
        this.putConversation(turn.conversation);
      }
      if (uncarried.length > 0) this.rollup.add(sumCounts(uncarried));
    });
    this.writeTurns = (turns) => {
      for (const turn of turns) if (turn.rollup?.length) this.rollup.number(turn.rollup);
      writeTurns(turns);
    };
  }

  /**
   * Commits every turn waiting (group commit): one transaction for all of them, then each `saveTurn` settles.
   * When the batch fails, each turn is tried again in a transaction of its own, so a turn that cannot be
   * written fails alone.
   */
  private readonly commitWaiting = (): void => {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    if (batch.length > 1) {
      try {
        this.writeTurns(batch.map((w) => w.turn));
        this.counted(batch.length);
        this.rollup.committed();
        for (const waiting of batch) waiting.resolve();
        return;
      } catch {
        // One of them could not be written: each on its own below.
      }
    }
    for (const waiting of batch) {
      try {
        this.writeTurns([waiting.turn]);
        this.counted(1);
        if (waiting.turn.rollup?.length) this.rollup.committed();
        waiting.resolve();
      } catch (error) {
        waiting.reject(error);
      }
    }
  };

  private counted(turns: number): void {
    this.turnCommits.commits++;
    this.turnCommits.turns += turns;
  }

  private putConversation(conversation: ConversationRecord): void {
    this.statements.putConversation.run(
      maskCardNumbers(conversation.id),
      maskedJson(conversation),
      maskCardNumbers(conversation.updatedAt),
    );
  }

  private putHandoff(handoff: HandoffRecord): void {
    const masked = maskDeep(handoff);
    const { id, conversationId, createdAt } = masked.summary;
    this.statements.putHandoff.run(id, conversationId, masked.status, createdAt, JSON.stringify(masked));
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = this.statements.getConversation.get(id);
    return row ? (JSON.parse(row.data) as ConversationRecord) : undefined;
  }

  async saveConversation(conversation: ConversationRecord): Promise<void> {
    this.commitWaiting();
    this.putConversation(conversation);
  }

  async appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    this.commitWaiting();
    this.appendEntries(conversationId, entries);
  }

  /**
   * The turn is committed with every other turn that reaches this point before the event loop next turns
   * (the requests read from the sockets in the same poll): one commit, one WAL append, for all of them. The
   * promise settles once the turn is in the file, so no reply goes out for a turn that is not.
   */
  saveTurn(turn: TurnWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ turn, resolve, reject }) === 1) setImmediate(this.groupCommit);
    });
  }

  /**
   * The group commit, unless the checkpointer asked for a hold (see checkpointer.ts): then the turns wait until
   * it has copied the whole log, and the commit that ends the hold starts the log over.
   */
  private readonly groupCommit = (): void => {
    const gate = this.checkpointer?.gate;
    if (gate && this.waiting.length > 0 && gate.hold()) void gate.released().then(this.commitWaiting);
    else this.commitWaiting();
  };

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    return this.statements.transcript
      .all(conversationId)
      .flatMap((row) => JSON.parse(row.entry) as TranscriptEntry | TranscriptEntry[]);
  }

  async saveHandoff(handoff: HandoffRecord): Promise<void> {
    this.commitWaiting();
    this.putHandoff(handoff);
  }

  async getHandoff(id: string): Promise<HandoffRecord | undefined> {
    const row = this.statements.getHandoff.get(id);
    return row ? (JSON.parse(row.data) as HandoffRecord) : undefined;
  }

  async listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]> {
    return this.statements.listHandoffs
      .all()
      .map((row) => JSON.parse(row.data) as HandoffRecord)
      .filter((h) => matchesQuery(h, query))
      .sort(newestFirst);
  }

  async recordDecision(candidateId: string, decision: CandidateDecision): Promise<void> {
    this.statements.putDecision.run(candidateId, decision, new Date().toISOString());
  }

  async decisions(): Promise<Map<string, CandidateDecision>> {
    return new Map(this.statements.decisions.all().map((row) => [row.candidate_id, row.decision]));
  }

  async savePicture(conversationId: string, bytes: Uint8Array, mime: PictureMime): Promise<string> {
    const id = randomUUID();
    const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.statements.putPicture.run(id, conversationId, mime, blob, new Date().toISOString());
    return id;
  }

  async getPicture(id: string): Promise<StoredPicture | undefined> {
    const row = this.statements.getPicture.get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      conversationId: row.conversation_id,
      mime: row.mime,
      bytes: new Uint8Array(row.bytes),
      createdAt: row.created_at,
    };
  }

  async saveRating(rating: Rating): Promise<void> {
    this.ratingRows.save(rating);
  }

  async ratings(query?: RatingQuery): Promise<Rating[]> {
    return this.ratingRows.list(query);
  }

  async addToRollup(counts: RollupCount[]): Promise<void> {
    if (counts.length === 0) return;
    this.rollup.number(counts);
    this.rollup.add(counts);
    this.rollup.committed();
  }

  async rollupTotals(unit: RollupUnit, from: number, to: number): Promise<Map<string, number>> {
    return this.rollup.totals(unit, from, to);
  }

  async rollupSeries(
    unit: RollupUnit,
    from: number,
    to: number,
    metrics: readonly string[],
  ): Promise<RollupRow[]> {
    return this.rollup.series(unit, from, to, metrics);
  }

  async ready(): Promise<boolean> {
    return this.db.open;
  }

  /** Holds the store gave the checkpointer, and RESTART checkpoints it still made (see checkpointer.ts). */
  get checkpoints(): { holds: number; restarts: number } {
    return this.checkpointer?.gate.counts ?? { holds: 0, restarts: 0 };
  }

  async close(): Promise<void> {
    this.commitWaiting();
    this.rollup.close();
    await this.checkpointer?.stop();
    this.db.close();
  }
}
