/**
 * `posdesk seed-demo` and `posdesk report` as a lead runs them: the built CLI, child processes, one SQLite
 * file. The report is the same as `GET /api/analytics` gives for the range.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../src/analytics/report.js";
import { SqliteStore } from "../../src/store/sqlite.js";

const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "posdesk-report-"));
const store = join(dir, "report.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function posdesk(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, POSDESK_STORE: store, TZ: "Asia/Shanghai" },
  });
}

let seeded: Record<string, number | string>;
beforeAll(() => {
  const run = posdesk(["seed-demo", "--conversations", "120", "--days", "1", "--seed", "7"]);
  expect(run.stderr).toContain("seed-demo: 100 of 120 conversations");
  expect(run.status).toBe(0);
  seeded = JSON.parse(run.stdout) as Record<string, number | string>;
}, 120_000);

describe("posdesk seed-demo", () => {
  it("plays a day of merchants through the engine: handoffs, some closed by agents, some ratings", () => {
    expect(seeded).toMatchObject({ conversations: 120 });
    expect(seeded.turns as number).toBeGreaterThan(240);
    expect(seeded.handoffs as number).toBeGreaterThan(5);
    expect(seeded.closed as number).toBeGreaterThan(0);
    expect(seeded.closed as number).toBeLessThanOrEqual(seeded.handoffs as number);
    expect(seeded.ratings as number).toBeGreaterThan(0);
    expect(Date.parse(seeded.to as string) - Date.parse(seeded.from as string)).toBe(24 * 3_600_000);
  });

  it("will not mix demo traffic into a store that already has conversations, unless told to", () => {
    const again = posdesk(["seed-demo", "--conversations", "5"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("add --append");
  });

  it("refuses a count it cannot play", () => {
    const run = posdesk(["seed-demo", "--conversations", "lots"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--conversations must be a whole number");
  });
});

const HOUR = 3_600_000;
/**
 * The whole hours around the seeded day: a report counts a conversation in the hour it started, and takes the
 * hours that start inside its range; the seeded day starts at the minute the seeding ran.
 */
const range = () => ({
  from: new Date(Math.floor(Date.parse(seeded.from as string) / HOUR) * HOUR).toISOString(),
  to: new Date(Math.ceil(Date.parse(seeded.to as string) / HOUR) * HOUR).toISOString(),
});

describe("posdesk report", () => {
  it("gives the figures of the seeded day as JSON, as the API does", async () => {
    const { from, to } = range();
    const run = posdesk(["report", "--from", from, "--to", to]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ conversations: 120, tz: "Asia/Shanghai" });
    const direct = new SqliteStore(store);
    const expected = await buildReport(direct, {
      from: Date.parse(from),
      to: Date.parse(to),
      tz: "Asia/Shanghai",
    });
    await direct.close();
    expect(report).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it("writes CSV with --csv: one section per table", () => {
    const { from, to } = range();
    const run = posdesk(["report", "--csv", "--from", from, "--to", to]);
    expect(run.status).toBe(0);
    const sections = run.stdout.trimEnd().split("\n\n");
    expect(sections[0]?.split("\n").slice(0, 2)).toEqual(["# summary", "metric,value"]);
    expect(run.stdout).toContain("\nconversations,120\n");
    expect(sections.map((s) => s.split("\n")[0])).toContain("# funnel");
  });

  it("reads dates without a time as whole local days", () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const run = posdesk(["report", "--from", today, "--to", today]);
    const report = JSON.parse(run.stdout) as { from: string; to: string };
    expect(report.from).toBe(new Date(`${today}T00:00:00+08:00`).toISOString());
    expect(Date.parse(report.to) - Date.parse(report.from)).toBe(24 * 3_600_000);
  });

  it("refuses a bad date with a usage error", () => {
    const run = posdesk(["report", "--from", "last tuesday"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("from must be an ISO date or time");
    expect(run.stdout).toBe("");
  });
});
