/**
 * The support lead's view over HTTP: the analytics page (`/agent/analytics`, its script and the chart
 * library, served from here: the console's Content-Security-Policy allows scripts from 'self' only), its
 * words, and `GET /api/analytics` (agent token): the report of src/analytics/report.ts for a range.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import express, { type Request, type RequestHandler, type Response } from "express";
import { parseRange } from "../analytics/range.js";
import { buildReport, ReportRangeError } from "../analytics/report.js";
import { Locale } from "../domain/intents.js";
import { section } from "../i18n.js";
import { ROOT } from "../paths.js";
import type { Store } from "../store/store.js";

/** The chart library's prebuilt bundle (line, bar, pie and the common components). */
const require = createRequire(import.meta.url);
const ECHARTS_FILE = require.resolve("echarts/dist/echarts.common.min.js");
export const ECHARTS_VERSION = (
  JSON.parse(readFileSync(join(dirname(dirname(ECHARTS_FILE)), "package.json"), "utf8")) as {
    version: string;
  }
).version;
/** The library's address carries its version, so it can be cached for good: a new version is a new address. */
export const ECHARTS_PATH = `/vendor/echarts-${ECHARTS_VERSION}.min.js`;

const WEB_DIR = join(ROOT, "src", "web");

export interface AnalyticsRoutesOptions {
  store: Store;
  agentOnly: RequestHandler;
}

/** A query value as one string; repeated or nested values are refused. */
function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ReportRangeError(`${name} must be given once`);
  return value;
}

export function analyticsRoutes(options: AnalyticsRoutesOptions): express.Router {
  const router = express.Router();
  const page = readFileSync(join(WEB_DIR, "analytics.html"), "utf8").replace("{{echarts}}", ECHARTS_PATH);
  const script = readFileSync(join(WEB_DIR, "analytics.js"), "utf8");
  // Read and compressed when first asked for: most processes never serve the page.
  let library: { plain: Buffer; gzip: Buffer } | undefined;

  router.get("/agent/analytics", (_req, res) => {
    res.type("html").send(page);
  });
  router.get("/agent/analytics.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "no-cache").send(script);
  });
  router.get(ECHARTS_PATH, (req: Request, res: Response) => {
    if (!library) {
      const plain = readFileSync(ECHARTS_FILE);
      library = { plain, gzip: gzipSync(plain) };
    }
    const gzip = /\bgzip\b/.test(req.get("accept-encoding") ?? "");
    res
      .type("application/javascript")
      .set("Cache-Control", "public, max-age=31536000, immutable")
      .set("Vary", "Accept-Encoding");
    if (gzip) res.set("Content-Encoding", "gzip");
    res.send(gzip ? library.gzip : library.plain);
  });

  /** The page's words: its own, the topics' names and the console's sign-in words, in one locale. */
  router.get("/api/ui/:locale/analytics", (req, res) => {
    const parsed = Locale.safeParse(req.params.locale);
    if (!parsed.success) {
      res.status(400).json({ error: "locale must be zh-CN or en" });
      return;
    }
    const locale = parsed.data;
    res.json({
      ...section(locale, "analytics"),
      topics: section(locale, "topics"),
      agent: section(locale, "ui.agent"),
    });
  });

  router.get("/api/analytics", options.agentOnly, async (req, res) => {
    let range: ReturnType<typeof parseRange>;
    try {
      range = parseRange({ from: single(req, "from"), to: single(req, "to"), tz: single(req, "tz") });
    } catch (error) {
      if (!(error instanceof ReportRangeError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    res.set("Cache-Control", "private, no-store").json(await buildReport(options.store, range));
  });

  return router;
}
