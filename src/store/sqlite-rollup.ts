/**
 * The analytics rollup in the SQLite file. A turn's counts ride on the transcript row the turn appends (its
 * `counts` column): the turn writes that row anyway, so the counts add a few bytes to a page the commit
 * writes already, where a row of their own (the journal, as it was) added a table's page to every commit —
 * about a tenth of a turn that runs alone (the bench's `turns`), and upserting a dozen counters spread over
 * the rollup's pages would add several. Counts written outside a turn (a rating, a handoff an agent closed),
 * and those of a turn with no transcript row, go to the journal, one row each.
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
import type { RollupCount, RollupRow, RollupUnit } from "./store.js";

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rollup (
    unit TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit, bucket, metric)
  ) WITHOUT ROWID;
  -- Counts written outside a turn, waiting to be folded: [[hour, metric, n, trend (0|1)], ...] per row.
  CREATE TABLE IF NOT EXISTS rollup_journal (
    seq INTEGER PRIMARY KEY,
    counts TEXT NOT NULL
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

/** The form of a turn's counts in its transcript row and in the journal. */
export function countsJson(counts: readonly RollupCount[]): string {
  return JSON.stringify(counts.map((c) => [c.hour, c.metric, c.n, c.trend ? 1 : 0]));
}

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
export function rollupFolder(db: Database.Database): () => number {
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
    if (rows.length === 0 && journaled.length === 0) {
      if (last > cursor) moveCursor.run(last);
      return 0;
    }
    for (const [, counts] of journaled) rows.push(counts);
    // Summed by hour and metric first (numbers and the parsed names as keys: no key string built per count),
    // then each distinct pair added to its hour, day and week.
    const byHour = new Map<number, Map<string, [n: number, trend: number]>>();
    for (const counts of rows) {
      for (const [hour, metric, n, trend] of JSON.parse(counts) as [number, string, number, number][]) {
        let metrics = byHour.get(hour);
        if (!metrics) {
          metrics = new Map();
          byHour.set(hour, metrics);
        }
        const sum = metrics.get(metric);
        if (sum) {
          sum[0] += n;
          if (trend) sum[1] += n;
        } else metrics.set(metric, [n, trend ? n : 0]);
      }
    }
    const totals = new Map<string, [string, number, string, number]>();
    const add = (unit: string, bucket: number, metric: string, n: number) => {
      const key = `${unit} ${bucket} ${metric}`;
      const counter = totals.get(key);
      if (counter) counter[3] += n;
      else totals.set(key, [unit, bucket, metric, n]);
    };
    for (const [hour, metrics] of byHour) {
      for (const [metric, [n, trend]] of metrics) {
        add("hour", hour, metric, n);
        add("day", Math.floor(hour / 24), metric, n);
        add("week", Math.floor(hour / 168), metric, n);
        if (trend) add("trend", hour, metric, trend);
      }
    }
    for (const counter of totals.values()) if (counter[3] !== 0) upsert.run(...counter);
    if (last > cursor) moveCursor.run(last);
    if (journaled.length > 0) forget.run(journaled[journaled.length - 1]?.[0] ?? 0);
    return rows.length;
  });
  return () => fold.immediate();
}

export class SqliteRollup {
  private readonly statements;
  private readonly fold: () => number;
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
    this.fold = rollupFolder(db);
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

  /** Journals counts written outside a turn's transcript row; the caller runs it inside its transaction, then calls `committed`. */
  add(counts: readonly RollupCount[]): void {
    if (counts.length > 0) this.statements.journal.run(countsJson(counts));
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
