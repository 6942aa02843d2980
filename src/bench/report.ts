/** The benchmark's report: what was measured (each part's own result) and the measures read from it. */
import type { ClassificationResult } from "./classify.js";
import { type Goal, type Measure, measure } from "./goals.js";
import type { LengthResult, StoredResult } from "./growth.js";
import { type GcRound, type LoadResult, medianP99 } from "./load.js";
import { median, round } from "./measure.js";
import type { MemoryResult } from "./memory.js";
import type { OcrResult } from "./ocr.js";
import type { PaceResult } from "./pace.js";
import type { PacedRun } from "./paced.js";
import type { ProfileSummary } from "./profile.js";
import type { ClassifyProfile } from "./profile-classify.js";
import type { TurnsProfile } from "./profile-turns.js";
import type { StartupResult } from "./startup.js";
import { AT_ONCE, type StorageResult, type TurnsResult } from "./turns.js";

export interface Machine {
  cpus: number;
  model: string;
  memoryGb: number;
  node: string;
  platform: string;
  /** The 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
  /** The 1-minute load average when it ended. */
  loadAverageEnd?: number;
}

export interface Report {
  at: string;
  machine: Machine;
  durationS?: number;
  classification?: ClassificationResult;
  turns?: TurnsResult;
  pace?: PaceResult;
  length?: LengthResult;
  rows?: StoredResult;
  storage?: StorageResult;
  startup?: StartupResult;
  load?: LoadResult;
  memory?: MemoryResult;
  ocr?: OcrResult;
  profiles?: {
    classify?: ClassifyProfile;
    turns?: TurnsProfile;
    server?: { file: string; summary: ProfileSummary };
  };
  measures: Measure[];
}

const MB = 2 ** 20;

/** The median of the values known (nearest rank), or null when none is. */
function knownMedian(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : median(known);
}

export function measuresOf(report: Report): Measure[] {
  const list: Measure[] = [];
  const c = report.classification;
  if (c?.peer)
    list.push(
      measure({
        id: "classification",
        name: `classifications/s, posdesk vs ${c.peer.name}`,
        value: Math.round(c.posdesk.perSecond),
        reference: Math.round(c.peer.perSecond),
        referenceName: `${c.peer.name} (node-nlp NlpManager, zh + en) trained on the same phrases, classifying the same ${c.messages} held-out messages, in alternating rounds on one thread`,
        unit: "/s",
        goal: { on: "ratio", op: ">=", bound: 3 },
        cpuRatio: c.cpuRatio,
      }),
    );
  const t = report.turns;
  if (t) {
    // Every turns line: turns per second against a floor, the goal read on the ratio (none for a bound).
    const turns = ({
      cpuRatio,
      goal = { on: "ratio", op: ">=", bound: 0.25 },
      ...fields
    }: Pick<Measure, "id" | "name" | "value" | "reference" | "referenceName" | "cpuRatio"> & {
      goal?: Goal | null;
    }) => measure({ ...fields, unit: "/s", goal, cpuRatio }, 3);
    const atOnce = `${t.atOnce.conversations} conversations at once`;
    const together = `posdesk runs ${t.atOnce.conversations} scripted conversations at a time and commits the turns that are ready together`;
    list.push(
      turns({
        id: "turns",
        name: "persisted turns/s in process vs storage floor",
        value: t.perSecond,
        reference: t.floor.perSecond,
        referenceName:
          "bare better-sqlite3 with posdesk's schema and pragmas doing the same turns' reads and writes (rows of the same bytes, one prepared statement each, one transaction per turn), in alternating rounds",
        cpuRatio: t.cpuRatio,
      }),
      turns({
        id: "turns.row",
        name: "persisted turns/s in process vs one-row floor",
        value: t.perSecond,
        reference: t.rowFloor.perSecond,
        referenceName:
          "the floor as issue 10 words it: bare better-sqlite3 reading the conversation row and writing it back (the same bytes) in one transaction per turn, nothing else written, in the same alternating rounds",
        cpuRatio: t.rowCpuRatio,
      }),
      turns({
        id: "turns.inMemory",
        name: "turns/s in process, records kept in memory (no SQLite), vs one-row floor",
        value: t.inMemory.perSecond,
        reference: t.rowFloor.perSecond,
        referenceName:
          "the one-row floor of `turns.row`, in the same alternating rounds; posdesk's engine runs the same turns one at a time over MemoryStore (each record encoded and masked as for storage, kept in a Map): the turn with the database free, so a ratio below the goal of `turns.row` here is one no storage work can reach",
        cpuRatio: t.inMemoryRowCpuRatio,
        goal: null,
      }),
      turns({
        id: "turns.atOnce",
        name: `persisted turns/s in process, ${atOnce}, vs storage floor`,
        value: t.atOnce.perSecond,
        reference: t.floor.perSecond,
        referenceName: `the storage floor of \`turns\` (one transaction per turn, one turn at a time), in the same alternating rounds; ${together}`,
        cpuRatio: t.atOnce.cpuRatio,
      }),
      turns({
        id: "turns.atOnce.row",
        name: `persisted turns/s in process, ${atOnce}, vs one-row floor`,
        value: t.atOnce.perSecond,
        reference: t.rowFloor.perSecond,
        referenceName: `the one-row floor of \`turns.row\` (one transaction per turn), in the same alternating rounds; ${together}`,
        cpuRatio: t.atOnce.rowCpuRatio,
      }),
    );
  }
  const pace = report.pace;
  if (pace)
    for (const rate of pace.rates) {
      const perSecond = rate.perSecond.toLocaleString("en-US");
      list.push(
        measure(
          {
            id: `pace.${rate.perSecond}`,
            name: `main-thread time per turn in process, ${perSecond} turns/s evenly over ${pace.conversations.toLocaleString("en-US")} conversations, vs back to back`,
            value: rate.busyUs,
            reference: pace.hotUs,
            referenceName: `the same engine and file with turns back to back (${AT_ONCE} conversations at a time, as turns.atOnce), in alternating rounds; the paced figure is net of its millisecond timer`,
            unit: "µs",
            note: `${rate.turnsPerCommit} turns per commit`,
          },
          2,
        ),
      );
      if (rate.ratio !== null && rate.floor.ratio !== null)
        list.push(
          measure(
            {
              id: `pace.${rate.perSecond}.floor`,
              name: `what ${perSecond} turns/s costs a turn over back to back: posdesk's turn vs the storage floor's`,
              value: rate.ratio,
              reference: rate.floor.ratio,
              referenceName: `the storage floor of \`turns\` (the same turns' reads and writes, bare better-sqlite3) paced the same way over as many conversations, against itself back to back, in the same rounds: ${rate.floor.busyUs} µs a turn against ${pace.floorHotUs}`,
              unit: "×",
            },
            2,
          ),
        );
    }
  const load = report.load;
  if (load?.paced && load.reference) {
    const { paced: p, reference: r, rounds } = load;
    const trivial = `a trivial node:http JSON server in its own process (parses the body, answers posdesk's reply of the same shape and size) under the same paced client, in rounds alternating with posdesk's (median round of ${rounds.trivial.length})`;
    const sum = (runs: readonly PacedRun[]) => runs.reduce((n, run) => n + run.errors + run.non2xx, 0);
    const who = `${p.conversations} conversations at a human pace`;
    for (const kind of ["later", "first"] as const)
      list.push(
        measure({
          id: `http.${kind}.p99`,
          name: `HTTP p99, ${kind} turns, ${who} vs trivial server (median of ${rounds.posdesk.length} rounds)`,
          value: medianP99(rounds.posdesk, kind),
          reference: medianP99(rounds.trivial, kind),
          referenceName: trivial,
          unit: "ms",
          goal: { on: "ratio", op: "<=", bound: 2 },
        }),
      );
    list.push(
      measure({
        id: "http.turns",
        name: `HTTP turns/s, ${who} vs trivial server`,
        value: p.turnsPerSecond,
        reference: r.turnsPerSecond,
        referenceName: trivial,
        unit: "/s",
      }),
    );
    /** What each server spent per answered turn in its rounds: the median round of each, against each other. */
    const perTurn = (
      id: string,
      what: string,
      rounds: { posdesk: (number | null)[]; trivial: (number | null)[] },
      unit: string,
      how: string,
    ) => {
      const value = knownMedian(rounds.posdesk);
      const reference = knownMedian(rounds.trivial);
      if (value !== null && reference !== null)
        list.push(
          measure({
            id,
            name: `${what} per answered turn, ${who}, vs trivial server (median of ${rounds.posdesk.length} rounds)`,
            value,
            reference,
            referenceName: `${trivial}; ${how}, over the whole round (ramp-up included)`,
            unit,
          }),
        );
    };
    perTurn("http.cpu", "server CPU", load.cpu, "ms", "each server's process, every thread, from /proc");
    const gcUs = (rounds: readonly (GcRound | null)[]) => rounds.map((g) => g?.usPerTurn ?? null);
    perTurn(
      "http.gc",
      "garbage collection",
      { posdesk: gcUs(load.gc.posdesk), trivial: gcUs(load.gc.trivial) },
      "µs",
      "the time each server's collections stopped it (all kinds), from V8's performance entries in its process (gc-probe.ts)",
    );
    list.push(
      measure({
        id: "http.errors",
        name: "HTTP errors + non-2xx at a human pace vs trivial server (all rounds)",
        value: sum(rounds.posdesk),
        reference: sum(rounds.trivial),
        referenceName: trivial,
        unit: "",
        goal: { on: "value", op: "<=", bound: 0 },
      }),
    );
  }
  const l = report.length;
  if (l)
    list.push(
      measure({
        id: "length",
        name: `turn cost at turns ${l.late.fromTurn}–${l.late.toTurn} vs ${l.early.fromTurn}–${l.early.toTurn} (median)`,
        value: l.late.medianMs,
        reference: l.early.medianMs,
        referenceName: `the median turn of turns ${l.early.fromTurn}–${l.early.toTurn} of the same ${l.conversations} conversations (the same messages, in process, SQLite file)`,
        unit: "ms",
        goal: { on: "ratio", op: "<=", bound: 1.25 },
      }),
    );
  const rows = report.rows;
  if (rows)
    list.push(
      measure({
        id: "rows",
        name: `turn cost with ${rows.rows.toLocaleString("en-US")} stored conversations vs 1 (mean)`,
        value: rows.big.meanMs,
        reference: rows.small.meanMs,
        referenceName:
          "the same scripted turns (new conversations, random ids) on a SQLite file holding one conversation, in alternating rounds",
        unit: "ms",
        goal: { on: "ratio", op: "<=", bound: 1.25 },
        cpuRatio: rows.cpuRatio,
      }),
    );
  const m = report.memory;
  if (m) {
    const baseline = `the same server after its warm-up, before the ${m.conversations.toLocaleString("en-US")} conversations${m.collected ? " (garbage collected before each sample)" : ""}`;
    for (const [key, label] of [
      ["heapUsed", "heap"],
      ["rss", "RSS"],
    ] as const)
      list.push(
        measure(
          {
            id: `memory.${key}`,
            name: `server ${label} after ${m.conversations.toLocaleString("en-US")} idle conversations vs baseline`,
            value: round(m.after[key] / MB, 1),
            reference: round(m.baseline[key] / MB, 1),
            referenceName: baseline,
            unit: "MB",
            note: `${Math.round(m.perConversation[key]).toLocaleString("en-US")} B per idle conversation`,
          },
          3,
        ),
      );
  }
  const o = report.ocr;
  if (o)
    list.push(
      measure(
        {
          id: "ocr",
          name: `OCR ms per picture (${o.images} pictures, ${o.longSide} px) vs sharp decode + resize`,
          value: round(o.perImageMs.mean, 1),
          reference: round(o.decodeResizeMs, 1),
          referenceName: "sharp decoding and resizing the same pictures to the same size, in the same run",
          unit: "ms",
          note: `codes read right ${o.correct} / ${o.images} = ${o.accuracy} (goal >= 0.9: ${o.accuracy >= 0.9 ? "met" : "not met"}); p50 / p90 ${round(o.perImageMs.p50, 0)} / ${round(o.perImageMs.p90, 0)} ms; model load ${round(o.modelLoadMs, 0)} ms`,
        },
        1,
      ),
    );
  const s = report.startup;
  if (s)
    list.push(
      measure({
        id: "startup",
        name: "start-up with the cached model vs node's own start",
        value: s.cachedMs,
        reference: s.nodeMs,
        referenceName: 'a bare `node -e ""`, median of the same number of spawns',
        unit: "ms",
        goal: { on: "net", op: "<", bound: 1000 },
        note: `${s.cachedNetMs} ms net`,
      }),
    );
  return list;
}
