/**
 * `npm run bench`: how fast posdesk is on this machine, each figure against a reference measured in the
 * same run, and the goals of issue 10 read on the ratios. Prints a table; `--json` writes one JSON object
 * instead (to stdout, or to `--out FILE` with the table on stdout). Never part of the test suite.
 *
 *   node dist/src/bench/run.js [--json] [--out FILE] [--only classify,turns,pace,length,rows,storage,startup,load,memory,ocr]
 *                              [--rows N] [--idle N] [--connections N] [--duration S] [--think MS] [--load-rounds N]
 *                              [--no-peer] [--profile DIR]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { loadNlu } from "../nlu/model.js";
import { benchClassification } from "./classify.js";
import { benchLength, benchStoredConversations } from "./growth.js";
import { benchLoad } from "./load.js";
import { round } from "./measure.js";
import { benchMemory } from "./memory.js";
import { benchOcr } from "./ocr.js";
import { benchPace } from "./pace.js";
import { type CpuProfile, summarizeProfile } from "./profile.js";
import { profileClassification } from "./profile-classify.js";
import { profileTurns } from "./profile-turns.js";
import { measuresOf, type Report } from "./report.js";
import { benchStartup } from "./startup.js";
import { table } from "./table.js";
import { benchStorage, benchTurns } from "./turns.js";

const PARTS = [
  "classify",
  "turns",
  "pace",
  "length",
  "rows",
  "storage",
  "startup",
  "load",
  "memory",
  "ocr",
] as const;
type Part = (typeof PARTS)[number];

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean" },
      out: { type: "string" },
      only: { type: "string" },
      rows: { type: "string" },
      idle: { type: "string" },
      connections: { type: "string" },
      duration: { type: "string" },
      think: { type: "string" },
      "load-rounds": { type: "string" },
      "no-peer": { type: "boolean" },
      profile: { type: "string" },
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
    rows: Number(values.rows ?? 1_000_000),
    idle: Number(values.idle ?? 10_000),
    connections: Number(values.connections ?? 1000),
    durationS: Number(values.duration ?? 15),
    thinkMs: Number(values.think ?? 1000),
    loadRounds: Number(values["load-rounds"] ?? 3),
    peer: values["no-peer"] !== true,
    profileDir: values.profile,
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const opts = options();
  const started = performance.now();
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
    measures: [],
  };
  const nlu = loadNlu().nlu;
  if (opts.only.has("classify")) {
    progress("classifications (posdesk and NLP.js in alternating rounds: training NLP.js takes a while)");
    report.classification = await benchClassification({ peer: opts.peer, nlu });
    if (opts.profileDir) {
      progress(`CPU profile of the classification loop into ${opts.profileDir}`);
      report.profiles = { ...report.profiles, classify: await profileClassification(nlu, opts.profileDir) };
    }
  }
  if (opts.only.has("turns")) {
    progress("chat turns in process over SQLite, against the storage floor");
    report.turns = await benchTurns(nlu);
    if (opts.profileDir) {
      progress(`CPU profile of the turn loop into ${opts.profileDir}`);
      report.profiles = { ...report.profiles, turns: await profileTurns(nlu, opts.profileDir) };
    }
  }
  if (opts.only.has("pace")) {
    progress("chat turns in process at set rates over many conversations, against turns back to back");
    report.pace = await benchPace(nlu);
  }
  if (opts.only.has("length")) {
    progress("turn cost along a long conversation");
    report.length = await benchLength(nlu);
  }
  if (opts.only.has("rows")) {
    progress(
      `turn cost with ${opts.rows.toLocaleString("en-US")} stored conversations (seeding the file first)`,
    );
    report.rows = await benchStoredConversations(nlu, opts.rows);
  }
  if (opts.only.has("storage")) {
    progress("bytes per conversation");
    report.storage = await benchStorage(500, nlu);
  }
  if (opts.only.has("startup")) {
    progress("start-up (spawning node processes)");
    report.startup = await benchStartup();
  }
  if (opts.only.has("load")) {
    progress(
      `load test: ${opts.connections} conversations, ${opts.loadRounds} paced rounds of ${opts.durationS} s per server, alternating, loopback only`,
    );
    report.load = await benchLoad({
      connections: opts.connections,
      durationS: opts.durationS,
      thinkMs: opts.thinkMs,
      rounds: opts.loadRounds,
      ...(opts.profileDir ? { profileDir: opts.profileDir } : {}),
    });
    if (report.load.profile) {
      const profile = JSON.parse(readFileSync(report.load.profile, "utf8")) as CpuProfile;
      report.profiles = {
        ...report.profiles,
        server: { file: report.load.profile, summary: summarizeProfile(profile) },
      };
    }
  }
  if (opts.only.has("memory")) {
    progress(`memory per idle conversation (${opts.idle.toLocaleString("en-US")} conversations)`);
    report.memory = await benchMemory(opts.idle);
  }
  if (opts.only.has("ocr")) {
    progress("OCR: the OCR set drawn, then read one picture at a time");
    report.ocr = await benchOcr({ progress });
  }
  report.machine.loadAverageEnd = round(loadavg()[0] ?? 0, 2);
  report.durationS = Math.round((performance.now() - started) / 1000);
  report.measures = measuresOf(report);
  const json = `${JSON.stringify(report)}\n`;
  if (opts.out) writeFileSync(opts.out, json);
  if (opts.json && !opts.out) process.stdout.write(json);
  else process.stdout.write(`${table(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
