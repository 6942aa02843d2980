/**
 * `posdesk seed-demo`: a day (or more) of realistic merchant traffic through the real engine into a store,
 * so the analytics page has something to show (see src/analytics/demo.ts). Refuses a store whose rollup
 * already counts conversations in the last year, unless `--append`: demo traffic must never mix into real
 * figures by mistake.
 */
import { parseArgs } from "node:util";
import { seedDemo } from "../analytics/demo.js";
import { checkTimeZone, ReportRangeError } from "../analytics/report.js";
import { hourOf, metric } from "../analytics/rollup.js";
import { loadNlu } from "../nlu/model.js";
import { openStore } from "../store/index.js";
import { DAY_HOURS } from "../store/store.js";
import { UsageError } from "./usage.js";

export const SEED_DEMO_USAGE =
  "seed-demo [--conversations N] [--days D] [--seed S] [--tz ZONE] [--append] [--store PATH|URL]";

function count(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

const LINE_END = process.stderr.isTTY ? "\r" : "\n";

export async function runSeedDemo(args: string[], write: (text: string) => Promise<void>): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        conversations: { type: "string" },
        days: { type: "string" },
        seed: { type: "string" },
        tz: { type: "string" },
        append: { type: "boolean" },
        store: { type: "string" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: posdesk ${SEED_DEMO_USAGE}`);
  }
  const str = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const conversations = count("conversations", str("conversations"), 1000, 1_000_000);
  const days = count("days", str("days"), 1, 366);
  const seed = count("seed", str("seed"), 20261130, 2 ** 31);
  let tz: string | undefined;
  try {
    tz = str("tz") === undefined ? undefined : checkTimeZone(str("tz") as string);
  } catch (error) {
    if (error instanceof ReportRangeError) throw new UsageError(error.message);
    throw error;
  }

  const store = await openStore(str("store"));
  try {
    if (values.append !== true) {
      const today = Math.floor(hourOf(Date.now()) / DAY_HOURS);
      const lastYear = await store.rollupTotals("day", today - 400, today + 2);
      if ((lastYear.get(metric.conversations) ?? 0) > 0)
        throw new UsageError(
          "the store already holds conversations: add --append to seed demo traffic into it anyway",
        );
    }
    const { nlu } = loadNlu();
    const started = Date.now();
    const summary = await seedDemo({
      nlu,
      store,
      conversations,
      days,
      seed,
      ...(tz ? { tz } : {}),
      // On a terminal the count rewrites its line; in a log (CI, a pipe) each count is a line of its own.
      progress: (done) =>
        process.stderr.write(`seed-demo: ${done} of ${conversations} conversations${LINE_END}`),
    });
    if (LINE_END === "\r") process.stderr.write("\n");
    await write(JSON.stringify({ ...summary, seconds: Math.round((Date.now() - started) / 100) / 10 }));
  } finally {
    await store.close();
  }
}
