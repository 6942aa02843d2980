/**
 * `npm run bench`: how fast posdesk is on this machine, against the goals of the issue. Prints a table;
 * `--json` writes one JSON object instead (to stdout, or to `--out FILE`). Never part of the test suite.
 *
 *   node dist/src/bench/run.js [--json] [--out FILE] [--only classify,turns,storage,startup,load,ocr]
 *                              [--connections N] [--duration S] [--think MS] [--no-peer]
 */
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { benchClassification, type ClassificationResult } from "./classify.js";
import { benchLoad, type LoadResult } from "./load.js";
import { round } from "./measure.js";
import { benchOcr, type OcrResult } from "./ocr.js";
import { benchStartup, type StartupResult } from "./startup.js";
import { benchStorage, benchTurns, type StorageResult, type TurnsResult } from "./turns.js";

const PARTS = ["classify", "turns", "storage", "startup", "load", "ocr"] as const;
type Part = (typeof PARTS)[number];

interface Report {
  at: string;
  machine: {
    cpus: number;
    model: string;
    memoryGb: number;
    node: string;
    platform: string;
    /** The 1-minute load average when the run started: other work on the machine skews every figure. */
    loadAverage: number;
  };
  classification?: ClassificationResult;
  turns?: TurnsResult;
  storage?: StorageResult;
  startup?: StartupResult;
  load?: LoadResult;
  ocr?: OcrResult;
  goals: Goal[];
}

interface Goal {
  name: string;
  goal: string;
  value: number;
  unit: string;
  met: boolean;
}

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean" },
      out: { type: "string" },
      only: { type: "string" },
      connections: { type: "string" },
      duration: { type: "string" },
      think: { type: "string" },
      "no-peer": { type: "boolean" },
    },
    strict: true,
  });
  const only = (values.only?.split(",") ?? [...PARTS]) as Part[];
  const unknown = only.filter((p) => !PARTS.includes(p));
  if (unknown.length > 0) throw new Error(`--only: unknown part ${unknown.join(", ")} (${PARTS.join(", ")})`);
  return {
    json: values.json === true,
    out: values.out,
    only: new Set(only),
    connections: Number(values.connections ?? 1000),
    durationS: Number(values.duration ?? 15),
    thinkMs: Number(values.think ?? 1000),
    peer: values["no-peer"] !== true,
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function goals(report: Report): Goal[] {
  const list: Goal[] = [];
  const add = (
    name: string,
    goal: string,
    value: number | undefined,
    unit: string,
    met: (v: number) => boolean,
  ) => {
    if (value !== undefined) list.push({ name, goal, value, unit, met: met(value) });
  };
  add(
    "classifications per second",
    ">= 20000",
    report.classification?.posdesk.perSecond,
    "/s",
    (v) => v >= 20_000,
  );
  add("persisted turns per second", ">= 3000", report.turns?.perSecond, "/s", (v) => v >= 3000);
  add("turn latency p99, in process", "< 5 ms", report.turns?.p99Ms, "ms", (v) => v < 5);
  const paced = report.load?.paced;
  add(
    `turn latency p99 over HTTP, ${paced?.conversations ?? 1000} conversations at a human pace`,
    "< 50 ms",
    paced?.p99Ms,
    "ms",
    (v) => v < 50,
  );
  add("OCR: response codes read right", ">= 0.9", report.ocr?.accuracy, "", (v) => v >= 0.9);
  add(
    "start-up with the cached model (net of node)",
    "< 1000 ms",
    report.startup?.cachedNetMs,
    "ms",
    (v) => v < 1000,
  );
  return list;
}

const n = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value)
    ? "-"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(report: Report): string {
  const rows: [string, string][] = [];
  const c = report.classification;
  if (c) {
    rows.push([`classifications/s, posdesk (${c.messages} test messages, 1 core)`, n(c.posdesk.perSecond)]);
    if (c.peer) {
      rows.push([`classifications/s, ${c.peer.name} (same phrases, zh + en)`, n(c.peer.perSecond)]);
      rows.push(["ratio posdesk / NLP.js", `${n(c.ratio ?? undefined, 1)}x`]);
    }
  }
  const t = report.turns;
  if (t) {
    rows.push(["persisted turns/s (engine + SQLite file, in process)", n(t.perSecond)]);
    rows.push([
      "turn latency p50 / p99 / max, in process",
      `${n(t.p50Ms, 2)} / ${n(t.p99Ms, 2)} / ${n(t.maxMs, 1)} ms`,
    ]);
  }
  for (const s of report.storage?.conversations ?? []) {
    rows.push([
      `bytes per conversation (rows / file): ${s.name}, ${s.turns} turns`,
      `${n(s.rowBytes)} / ${n(s.fileBytes)}`,
    ]);
  }
  const st = report.startup;
  if (st) {
    rows.push(['start-up: node -e ""', `${n(st.nodeMs)} ms`]);
    rows.push([
      "start-up, cold (model trained from intents/), net of node",
      `${n(st.coldNetMs)} ms (${n(st.coldMs)} total)`,
    ]);
    rows.push(["start-up, cached model, net of node", `${n(st.cachedNetMs)} ms (${n(st.cachedMs)} total)`]);
  }
  const l = report.load;
  if (l) {
    rows.push(["server ready (spawn to /healthz, cached model)", `${n(l.serverReadyMs)} ms`]);
    const runs = [
      { ...l.saturated, how: "autocannon, closed loop" },
      ...(l.paced
        ? [
            {
              ...l.paced,
              connections: l.paced.conversations,
              timeouts: 0,
              how: `think ${l.paced.thinkMs} ms`,
            },
          ]
        : []),
    ];
    for (const r of runs) {
      rows.push([`HTTP, ${r.connections} conversations, ${r.how}: turns/s`, n(r.turnsPerSecond)]);
      rows.push([
        `HTTP, ${r.connections} conversations, ${r.how}: p50 / p99 / max`,
        `${n(r.p50Ms, 1)} / ${n(r.p99Ms, 1)} / ${n(r.maxMs, 1)} ms`,
      ]);
      if (r.errors + r.timeouts + r.non2xx > 0)
        rows.push([`  errors / timeouts / non-2xx`, `${r.errors} / ${r.timeouts} / ${r.non2xx}`]);
    }
  }
  const o = report.ocr;
  if (o) {
    rows.push([
      `OCR: codes read right (${o.images} pictures, ${o.megabytes} MB)`,
      `${o.correct} / ${o.images} = ${n(o.accuracy, 3)}`,
    ]);
    rows.push(["OCR: messages without a code led to their intent", `${o.intents.correct} / ${o.intents.of}`]);
    rows.push([
      `OCR: ms per picture mean / p50 / p90 / max (${o.threads} thread, ${o.longSide} px)`,
      `${n(o.perImageMs.mean)} / ${n(o.perImageMs.p50)} / ${n(o.perImageMs.p90)} / ${n(o.perImageMs.max)} ms`,
    ]);
    rows.push(["OCR: pictures per second, one after another", n(o.imagesPerSecond, 2)]);
    rows.push(["OCR: model load (worker start, first picture)", `${n(o.modelLoadMs)} ms`]);
    rows.push([
      "reference: sharp decode + resize, ms per picture; OCR / reference",
      `${n(o.decodeResizeMs, 1)} ms; ${n(o.ratio, 1)}x`,
    ]);
    for (const miss of o.misses) rows.push([`  missed ${miss.name}`, `read ${miss.read ?? "no code"}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const m = report.machine;
  const lines = [
    `posdesk benchmarks — ${m.cpus} cores (${m.model}), Node ${m.node}, load average ${m.loadAverage} at start, ${report.at}`,
    "",
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    "",
    "goals",
    ...report.goals.map(
      (g) =>
        `  ${g.met ? "met   " : "MISSED"}  ${g.name.padEnd(width - 8)}  ${g.goal.padEnd(10)} ${n(g.value, g.unit === "ms" ? 1 : g.unit === "" ? 3 : 0)} ${g.unit}`,
    ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = options();
  const report: Report = {
    at: new Date().toISOString(),
    machine: {
      cpus: availableParallelism(),
      model: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: round(loadavg()[0] ?? 0, 2),
    },
    goals: [],
  };
  if (opts.only.has("classify")) {
    progress("classifications (posdesk, then NLP.js: training it takes a while)");
    report.classification = await benchClassification({ peer: opts.peer });
  }
  if (opts.only.has("turns")) {
    progress("chat turns in process over SQLite");
    report.turns = await benchTurns();
  }
  if (opts.only.has("storage")) {
    progress("bytes per conversation");
    report.storage = await benchStorage();
  }
  if (opts.only.has("startup")) {
    progress("start-up (spawning node processes)");
    report.startup = await benchStartup();
  }
  if (opts.only.has("load")) {
    progress(`load test: ${opts.connections} connections, ${opts.durationS} s per run, loopback only`);
    report.load = await benchLoad({
      connections: opts.connections,
      durationS: opts.durationS,
      thinkMs: opts.thinkMs,
    });
  }
  if (opts.only.has("ocr")) {
    progress("OCR: the OCR set drawn, then read one picture at a time");
    report.ocr = await benchOcr({ progress });
  }
  report.goals = goals(report);
  const json = `${JSON.stringify(report)}\n`;
  if (opts.out) writeFileSync(opts.out, json);
  if (opts.json && !opts.out) process.stdout.write(json);
  else process.stdout.write(`${table(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
