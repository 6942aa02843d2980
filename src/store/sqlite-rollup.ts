/**
 * The analytics rollup in the SQLite file. A turn's counts ride on the transcript row the turn appends (its
 * `counts` column, the metrics by number: metric-numbers.ts): the turn writes that row anyway, so the counts
 * add a few dozen bytes to a page the commit writes already, where a row of their own (the journal, as it
 * was) added a table's page to every commit, and upserting a dozen counters spread over the rollup's pages
 * would add several. Counts written outside a turn (a rating, a handoff an agent closed), and those of a
 * turn with no transcript row, go to the journal, a row each commit.
 *
 * Both are folded into the rollup five times a second, each distinct counter once, on the store's own
 * connection: after a commit once the last fold is 200 ms old, or by a timer when turns stop; a read folds
 * what is left first, so a report sees every turn. The fold takes the transcript rows after a cursor (the
 * last transcript seq it took, in `rollup_folded`, moved in the fold's own transaction) and deletes the
 * journal rows it took. Transcript rows are never deleted and their seq only grows, so every row is folded
 * once; a row's counts stay with it (a turn's own record of what it added).
 *
 * Not on a worker thread with a connection of its own, as it was: every commit by another connection empties
 * the store's page cache (SQLite cannot know which pages it changed), so five folds a second made each turn
 * read its pages back from the file — 10 % of a turn in the bench (turns.ts), where a fold here costs about
 * 2 ms per 1,000 turns.
 *
 * The rollup: one row per unit, bucket and metric, its primary key in that order, so that a range of
 * buckets of one unit is one stretch of the table (a year of days is ~365 × the metrics in use).
 */
import type Database from "better-sqlite3";
import { MetricNumbers } from "./metric-numbers.js";
import type { RollupCount, RollupRow, RollupUnit } from "./store.js";

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rollup (
    unit TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit, bucket, metric)
  ) WITHOUT ROWID;
  -- Counts written outside a turn, waiting to be folded: by number, as a transcript row's (metric-numbers.ts).
  CREATE TABLE IF NOT EXISTS rollup_journal (
    seq INTEGER PRIMARY KEY,
    counts TEXT NOT NULL
  );
  -- The metrics by number, as a turn's counts name them (metric-numbers.ts). Rows are never deleted: a
  -- number, once given, is never given to another metric.
  CREATE TABLE IF NOT EXISTS rollup_metrics (
    id INTEGER PRIMARY KEY,
    metric TEXT NOT NULL,
    trend INTEGER NOT NULL,
    UNIQUE (metric, trend)
  );
  -- The last transcript row whose counts are folded. A file made before turns carried their counts starts
  -- at its last row (those rows have none; their counts went to the journal).
  CREATE TABLE IF NOT EXISTS rollup_folded (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    seq INTEGER NOT NULL
  );
  INSERT OR IGNORE INTO rollup_folded (id, seq) SELECT 0, coalesce(max(seq), 0) FROM transcripts;
`;

/**
 * How often the counts are folded: often enough that each fold is small (at 1,000 turns a second, 200
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

/**
 * The metric numbers of a file: read from `rollup_metrics`, and a number given to each new metric in a
 * transaction of its own, committed before any count uses it (so a turn's transaction that fails takes no
 * number back that this connection already uses).
 */
export function fileMetricNumbers(db: Database.Database) {
  const numbers = new MetricNumbers();
  const after = db.prepare<[number], { id: number; metric: string; trend: number }>(
    "SELECT id, metric, trend FROM rollup_metrics WHERE id > ?",
  );
  const highest = db.prepare<[], number | null>("SELECT max(id) FROM rollup_metrics").pluck();
  const give = db.prepare<[string, number]>(
    "INSERT OR IGNORE INTO rollup_metrics (metric, trend) VALUES (?, ?)",
  );
  const refresh = () => {
    for (const row of after.iterate(numbers.highest)) numbers.set(row.id, row.metric, row.trend === 1);
  };
  const number = db.transaction((counts: readonly RollupCount[]) => {
    for (const count of counts) give.run(count.metric, count.trend ? 1 : 0);
    refresh();
  });
  refresh();
  return {
    numbers,
    /** Numbers the metrics numbered by other connections since, when there are any. */
    refresh: () => {
      if ((highest.get() ?? 0) > numbers.highest) refresh();
    },
    /** Gives a number to each metric of `counts` that has none; outside any transaction. */
    number: (counts: readonly RollupCount[]) => {
      if (counts.every((count) => numbers.numberOf(count.metric, count.trend === true) !== undefined)) return;
      if (db.inTransaction) throw new Error("analytics metrics are numbered outside a transaction");
      number.immediate(counts);
    },
  };
}

export type FileMetricNumbers = ReturnType<typeof fileMetricNumbers>;

/** Several lists of counts as one: the counts of one hour and metric summed, those summing to zero left out. */
export function sumCounts(lists: readonly (readonly RollupCount[] | undefined)[]): RollupCount[] {
  const sums = new Map<string, RollupCount>();
  for (const counts of lists) {
    for (const count of counts ?? []) {
      const key = `${count.hour} ${count.trend ? 1 : 0} ${count.metric}`;
      const sum = sums.get(key);
      if (sum) sum.n += count.n;
      else sums.set(key, { ...count });
    }
  }
  return [...sums.values()].filter((count) => count.n !== 0);
}

/**
 * Folds what is waiting into the rollup: the function returned takes the counts of every transcript row
 * after the cursor and of every journal row, adds them to their hour, day and week (and trend) in the rollup,
 * once per distinct counter, moves the cursor to the last transcript row and deletes the journal rows, all
 * in one IMMEDIATE transaction (the write lock first: no other folder takes the same rows, and no writer can
 * add a transcript row at or below the new cursor). Returns how many rows with counts it took.
 */
export function rollupFolder(db: Database.Database, metrics: FileMetricNumbers): () => number {
  const journal = db.prepare("SELECT seq, counts FROM rollup_journal ORDER BY seq").raw();
  const folded = db.prepare<[], number>("SELECT seq FROM rollup_folded WHERE id = 0").pluck();
  const carried = db
    .prepare<[number], string>("SELECT counts FROM transcripts WHERE seq > ? AND counts IS NOT NULL")
    .pluck();
  const lastTranscript = db.prepare<[], number | null>("SELECT max(seq) FROM transcripts").pluck();
  const moveCursor = db.prepare<[number]>("UPDATE rollup_folded SET seq = ? WHERE id = 0");
  const upsert = db.prepare(
    "INSERT INTO rollup (unit, bucket, metric, n) VALUES (?, ?, ?, ?) ON CONFLICT (unit, bucket, metric) DO UPDATE SET n = n + excluded.n",
  );
  const forget = db.prepare("DELETE FROM rollup_journal WHERE seq <= ?");
  const fold = db.transaction(() => {
    const cursor = folded.get() ?? 0;
    const last = lastTranscript.get() ?? 0;
    const rows = last > cursor ? carried.all(cursor) : [];
    const journaled = journal.all() as [number, string][];
    if (last > cursor) moveCursor.run(last);
    if (rows.length === 0 && journaled.length === 0) return 0;
    for (const [, counts] of journaled) rows.push(counts);
    // Numbers given by another connection since (its rows are among these).
    metrics.refresh();
    // Summed by hour and metric first (numbers and the names as keys: no key string built per count), then
    // each distinct pair added to its hour, day and week.
    const byHour = new Map<number, Map<string, [n: number, trend: number]>>();
    const visit = (hour: number, metric: string, n: number, trend: boolean) => {
      let sums = byHour.get(hour);
      if (!sums) {
        sums = new Map();
        byHour.set(hour, sums);
      }
      const sum = sums.get(metric);
      if (sum) {
        sum[0] += n;
        if (trend) sum[1] += n;
      } else sums.set(metric, [n, trend ? n : 0]);
    };
    for (const counts of rows) metrics.numbers.decode(counts, visit);
    const totals = new Map<string, [string, number, string, number]>();
    const add = (unit: string, bucket: number, metric: string, n: number) => {
      const key = `${unit} ${bucket} ${metric}`;
      const counter = totals.get(key);
      if (counter) counter[3] += n;
      else totals.set(key, [unit, bucket, metric, n]);
    };
    for (const [hour, sums] of byHour) {
      for (const [metric, [n, trend]] of sums) {
        add("hour", hour, metric, n);
        add("day", Math.floor(hour / 24), metric, n);
        add("week", Math.floor(hour / 168), metric, n);
        if (trend) add("trend", hour, metric, trend);
      }
    }
    for (const counter of totals.values()) if (counter[3] !== 0) upsert.run(...counter);
    if (journaled.length > 0) forget.run(journaled[journaled.length - 1]?.[0] ?? 0);
    return rows.length;
  });
  return () => fold.immediate();
}

export class SqliteRollup {
  private readonly statements;
  private readonly fold: () => number;
  private readonly metrics: FileMetricNumbers;
  private readonly intervalMs: number;
  private lastFold = performance.now();
  /** Commits with counts (a turn's or the journal's) this connection made since its last fold. */
  private waiting = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Database.Database,
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
    this.metrics = fileMetricNumbers(db);
    this.fold = rollupFolder(db, this.metrics);
    this.intervalMs = options.intervalMs ?? FOLD_INTERVAL_MS;
    // Rows a process left behind (killed before its fold) are folded when the next one opens the file.
    this.foldNow();
    this.timer = setInterval(() => {
      if (this.waiting > 0) this.foldNow();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Folds what is waiting now; throws when the file is busy (another process writing). */
  private foldWaiting(): void {
    this.lastFold = performance.now();
    this.fold();
    this.waiting = 0;
  }

  /** `foldWaiting`, a busy file left to the next fold. */
  private foldNow(): void {
    try {
      if (this.db.open) this.foldWaiting();
    } catch {
      // Busy or closing: the rows wait for the next fold.
    }
  }

  /**
   * After a commit that wrote counts (a turn's, or `add`): folds when the last fold is due, so a busy
   * server folds from its turns even when its timers run late.
   */
  committed(): void {
    this.waiting++;
    if (performance.now() - this.lastFold >= this.intervalMs) this.foldNow();
  }

  /** Stops the timer and folds what is left. */
  close(): void {
    clearInterval(this.timer);
    if (this.waiting > 0) this.foldNow();
  }

  /** Gives their numbers to the metrics of `counts` that have none (outside a transaction), before `encode` or `add`. */
  number(counts: readonly RollupCount[]): void {
    this.metrics.number(counts);
  }

  /** Counts as a transcript row carries them, by number (`number` first). */
  encode(counts: readonly RollupCount[]): string {
    return this.metrics.numbers.encode(counts);
  }

  /**
   * Journals counts not carried by a transcript row (`number` first); the caller runs it inside its
   * transaction, then calls `committed`.
   */
  add(counts: readonly RollupCount[]): void {
    if (counts.length > 0) this.statements.journal.run(this.encode(counts));
  }

  /** Every committed turn included: what is left is folded first (a busy file throws to the reader). */
  totals(unit: RollupUnit, from: number, to: number): Map<string, number> {
    this.foldWaiting();
    const totals = new Map<string, number>();
    for (const row of this.statements.totals.iterate(unit, from, to))
      if (row.n !== 0) totals.set(row.metric, row.n);
    return totals;
  }

  series(unit: RollupUnit, from: number, to: number, metrics: readonly string[]): RollupRow[] {
    this.foldWaiting();
    // Rows as arrays: a year of hourly figures is tens of thousands of them.
    return this.statements.series
      .all(unit, from, to, JSON.stringify(metrics))
      .map(([bucket, metric, n]) => ({ bucket, metric, n }));
  }
}
