/**
 * The analytics rollup in the SQLite file. A turn appends its counts to a journal, one row in its own
 * transaction: the end of one table, the page the previous turns wrote, where upserting a dozen counters
 * spread over the rollup's pages would add several page writes to each commit (it doubled a turn's write
 * in a measurement). A worker thread folds the journal into the rollup five times a second, with its own
 * connection, each distinct counter once; a read folds what is left first, so a report sees every turn.
 *
 * The rollup: one row per unit, bucket and metric, its primary key in that order, so that a range of
 * buckets of one unit is one stretch of the table (a year of days is ~365 × the metrics in use).
 */
import type Database from "better-sqlite3";
import { type FileWorker, startFileWorker } from "./file-worker.js";
import type { RollupCount, RollupRow, RollupUnit } from "./store.js";

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rollup (
    unit TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit, bucket, metric)
  ) WITHOUT ROWID;
  -- Counts waiting to be folded into the rollup: [[hour, metric, n, trend (0|1)], ...] per row.
  CREATE TABLE IF NOT EXISTS rollup_journal (
    seq INTEGER PRIMARY KEY,
    counts TEXT NOT NULL
  );
`;

/**
 * How often the journal is folded: often enough that each fold is small (at 1,000 turns a second, 200
 * turns' counts, about a millisecond of the write lock), seldom enough to cost nothing when idle.
 */
export const FOLD_INTERVAL_MS = 200;

export const ROLLUP_SQL = {
  journal: "INSERT INTO rollup_journal (counts) VALUES (?)",
  totals:
    "SELECT metric, SUM(n) AS n FROM rollup WHERE unit = ? AND bucket >= ? AND bucket < ? GROUP BY metric",
  series:
    "SELECT bucket, metric, n FROM rollup WHERE unit = ? AND bucket >= ? AND bucket < ? AND metric IN (SELECT value FROM json_each(?)) AND n != 0",
} as const;

/** The journal's form of a turn's counts. */
export function journalEntry(counts: readonly RollupCount[]): string {
  return JSON.stringify(counts.map((c) => [c.hour, c.metric, c.n, c.trend ? 1 : 0]));
}

/**
 * Folds the journal into the rollup: the function returned takes every journaled row, adds its counts to
 * their hour, day and week (and trend) in the rollup, once per distinct counter, and deletes the rows, all
 * in one IMMEDIATE transaction (the write lock first: no other folder takes the same rows). Returns how
 * many journal rows it took.
 *
 * Self-contained (nothing from outside but `db`): the worker thread runs it from its source text.
 */
export function journalFolder(db: Database.Database): () => number {
  const read = db.prepare("SELECT seq, counts FROM rollup_journal ORDER BY seq").raw();
  const upsert = db.prepare(
    "INSERT INTO rollup (unit, bucket, metric, n) VALUES (?, ?, ?, ?) ON CONFLICT (unit, bucket, metric) DO UPDATE SET n = n + excluded.n",
  );
  const forget = db.prepare("DELETE FROM rollup_journal WHERE seq <= ?");
  const fold = db.transaction(() => {
    const rows = read.all() as [number, string][];
    if (rows.length === 0) return 0;
    const totals = new Map<string, [string, number, string, number]>();
    const add = (unit: string, bucket: number, metric: string, n: number) => {
      const key = `${unit} ${bucket} ${metric}`;
      const counter = totals.get(key);
      if (counter) counter[3] += n;
      else totals.set(key, [unit, bucket, metric, n]);
    };
    for (const [, counts] of rows) {
      for (const [hour, metric, n, trend] of JSON.parse(counts) as [number, string, number, number][]) {
        add("hour", hour, metric, n);
        add("day", Math.floor(hour / 24), metric, n);
        add("week", Math.floor(hour / 168), metric, n);
        if (trend) add("trend", hour, metric, n);
      }
    }
    for (const counter of totals.values()) if (counter[3] !== 0) upsert.run(...counter);
    forget.run(rows[rows.length - 1]?.[0] ?? 0);
    return rows.length;
  });
  return () => fold.immediate();
}

export class SqliteRollup {
  private readonly statements;
  readonly fold: () => number;
  private readonly folder: RollupFolder | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `path`: the file, whose journal a worker folds; ":memory:" is folded on this thread. */
  constructor(
    private readonly db: Database.Database,
    path: string,
    options: { intervalMs?: number } = {},
  ) {
    db.exec(ROLLUP_SCHEMA);
    this.statements = {
      journal: db.prepare<[string]>(ROLLUP_SQL.journal),
      totals: db.prepare<[RollupUnit, number, number], { metric: string; n: number }>(ROLLUP_SQL.totals),
      series: db
        .prepare<[RollupUnit, number, number, string], [number, string, number]>(ROLLUP_SQL.series)
        .raw(),
    };
    this.fold = journalFolder(db);
    const intervalMs = options.intervalMs ?? FOLD_INTERVAL_MS;
    if (path === ":memory:") this.foldHere(intervalMs);
    else this.folder = startRollupFolder(path, { intervalMs, onFailure: () => this.foldHere(intervalMs) });
  }

  /** Without the worker the journal would only be folded by reads: fold it on this thread instead. */
  private foldHere(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        if (this.db.open) this.fold();
      } catch {
        // Busy: the next tick folds it.
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops folding; the worker folds what is left first. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.folder?.stop();
  }

  /** Journals the counts; the caller runs it inside its transaction (the turn's). */
  add(counts: readonly RollupCount[]): void {
    if (counts.length > 0) this.statements.journal.run(journalEntry(counts));
  }

  totals(unit: RollupUnit, from: number, to: number): Map<string, number> {
    this.fold();
    const totals = new Map<string, number>();
    for (const row of this.statements.totals.iterate(unit, from, to))
      if (row.n !== 0) totals.set(row.metric, row.n);
    return totals;
  }

  series(unit: RollupUnit, from: number, to: number, metrics: readonly string[]): RollupRow[] {
    this.fold();
    // Rows as arrays: a year of hourly figures is tens of thousands of them.
    return this.statements.series
      .all(unit, from, to, JSON.stringify(metrics))
      .map(([bucket, metric, n]) => ({ bucket, metric, n }));
  }
}

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 1000");
const run = (${journalFolder.toString()})(db);
const fold = () => {
  try { run(); } catch { /* busy: the next tick folds it */ }
};
const timer = setInterval(fold, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  fold();
  db.close();
  parentPort.close();
});
`;

export type RollupFolder = FileWorker;

/**
 * Folds the journal of the file at `path` every `intervalMs` from a worker thread. Should the worker fail,
 * `onFailure` is called: the caller folds in its own thread instead.
 */
export function startRollupFolder(
  path: string,
  options: { intervalMs?: number; onFailure?: () => void } = {},
): RollupFolder {
  return startFileWorker(
    WORKER,
    { path, intervalMs: options.intervalMs ?? FOLD_INTERVAL_MS },
    options.onFailure,
  );
}
