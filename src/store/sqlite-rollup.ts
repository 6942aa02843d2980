/**
 * The analytics rollup in the SQLite file: one row per unit, bucket and metric, its primary key in that
 * order, so that a range of buckets of one unit is one stretch of the table (a year of days is ~365 × the
 * metrics in use). A turn adds its changes with one prepared statement inside its own transaction.
 */
import type Database from "better-sqlite3";
import type { RollupChange, RollupRow, RollupUnit } from "./store.js";

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rollup (
    unit TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (unit, bucket, metric)
  ) WITHOUT ROWID;
`;

export const ROLLUP_SQL = {
  add: "INSERT INTO rollup (unit, bucket, metric, n) VALUES (?, ?, ?, ?) ON CONFLICT (unit, bucket, metric) DO UPDATE SET n = n + excluded.n",
  totals:
    "SELECT metric, SUM(n) AS n FROM rollup WHERE unit = ? AND bucket >= ? AND bucket < ? GROUP BY metric",
  series:
    "SELECT bucket, metric, n FROM rollup WHERE unit = ? AND bucket >= ? AND bucket < ? AND metric IN (SELECT value FROM json_each(?)) AND n != 0 ORDER BY bucket",
} as const;

export class SqliteRollup {
  private readonly statements;

  constructor(db: Database.Database) {
    db.exec(ROLLUP_SCHEMA);
    this.statements = {
      add: db.prepare<[RollupUnit, number, string, number]>(ROLLUP_SQL.add),
      totals: db.prepare<[RollupUnit, number, number], { metric: string; n: number }>(ROLLUP_SQL.totals),
      series: db.prepare<[RollupUnit, number, number, string], RollupRow>(ROLLUP_SQL.series),
    };
  }

  /** Adds the changes; the caller runs it inside a transaction (the turn's, or its own). */
  add(changes: readonly RollupChange[]): void {
    for (const c of changes) this.statements.add.run(c.unit, c.bucket, c.metric, c.n);
  }

  totals(unit: RollupUnit, from: number, to: number): Map<string, number> {
    const totals = new Map<string, number>();
    for (const row of this.statements.totals.iterate(unit, from, to))
      if (row.n !== 0) totals.set(row.metric, row.n);
    return totals;
  }

  series(unit: RollupUnit, from: number, to: number, metrics: readonly string[]): RollupRow[] {
    return this.statements.series.all(unit, from, to, JSON.stringify(metrics));
  }
}
