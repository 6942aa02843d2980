/**
 * `posdesk report`: the support lead's figures for a range, as `GET /api/analytics` gives them (JSON), or
 * as CSV with `--csv` (one section per table). Read from the store's analytics rollup.
 */
import { parseArgs } from "node:util";
import { reportCsv } from "../analytics/csv.js";
import { parseRange } from "../analytics/range.js";
import { buildReport, ReportRangeError } from "../analytics/report.js";
import { openStore } from "../store/index.js";
import { UsageError } from "./usage.js";

export const REPORT_USAGE =
  "report [--from DATE|TIME] [--to DATE|TIME] [--tz ZONE] [--csv] [--store PATH|URL]";

export async function runReport(args: string[], write: (text: string) => Promise<void>): Promise<void> {
  let values: { from?: string; to?: string; tz?: string; csv?: boolean; store?: string };
  try {
    const parsed = parseArgs({
      args,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        tz: { type: "string" },
        csv: { type: "boolean" },
        store: { type: "string" },
      },
      allowPositionals: false,
      strict: true,
    });
    values = parsed.values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: posdesk ${REPORT_USAGE}`);
  }
  let range: ReturnType<typeof parseRange>;
  try {
    // Dates and times without an offset are the local time of the machine, unless --tz says otherwise.
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    range = parseRange({ from: values.from, to: values.to, tz: values.tz }, Date.now(), local);
  } catch (error) {
    if (error instanceof ReportRangeError) throw new UsageError(error.message);
    throw error;
  }
  const store = await openStore(values.store);
  try {
    const report = await buildReport(store, range);
    await write(values.csv ? reportCsv(report).trimEnd() : JSON.stringify(report, null, 2));
  } finally {
    await store.close();
  }
}
