/**
 * The running server under load, against a trivial JSON server (trivial-server.ts) under the same client in
 * the same run. posdesk's built `dist/src/server.js` on 127.0.0.1 over a temporary SQLite file: after a
 * short autocannon warm-up, conversations at a human pace (paced.ts); then autocannon posting to /api/chat
 * as fast as the server answers, over many connections, each connection one merchant's conversation
 * repeating a resolved troubleshooting dialogue (closed loop). posdesk's replies to the paced dialogue are
 * recorded, the posdesk server stopped, and the trivial server — answering replies of the same shape and
 * size — given the same warm-up and the same paced load. Only loopback is ever targeted.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GcKindTotals, GcTotals } from "./gc-probe.js";
import { round } from "./measure.js";
import type { PacedRun } from "./paced.js";
import { conversationId, REPEATABLE } from "./scripts.js";
import {
  type GcProbe,
  gcProbe,
  POSDESK_SERVER,
  posdeskEnv,
  processCpuMs,
  readGcProbe,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
  TRIVIAL_SERVER,
} from "./server-process.js";

const PACED = join(import.meta.dirname, "paced-child.js");
// A variable specifier: autocannon is a devDependency without types, loaded only by the benchmark.
const AUTOCANNON = "autocannon";

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
}
interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface LoadRun {
  connections: number;
  durationS: number;
  turns: number;
  turnsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface LoadResult {
  /** From spawning the server (cached model) to its first successful /healthz. */
  serverReadyMs: number;
  /** Closed loop: every connection sends its next turn as soon as the reply arrives. */
  saturated: LoadRun;
  /**
   * posdesk's conversations at a human pace (a reply, then a think time, then the next turn): the round
   * whose later-turn p99 is the median of `rounds.posdesk`.
   */
  paced: PacedRun | null;
  /** The trivial JSON server under the same paced client: the median round of `rounds.trivial`. */
  reference: PacedRun | null;
  /** Every paced round, in the order run: posdesk's and the trivial server's alternate. */
  rounds: { posdesk: PacedRun[]; trivial: PacedRun[] };
  /**
   * CPU milliseconds each server's process used per answered turn in each of those rounds (every thread,
   * the ramp-up included; null where /proc cannot tell).
   */
  cpu: { posdesk: (number | null)[]; trivial: (number | null)[] };
  /** Each server's garbage collections in each of those rounds (null where its probe did not answer). */
  gc: { posdesk: (GcRound | null)[]; trivial: (GcRound | null)[] };
  /** The server's CPU profile, when asked for (`--profile DIR`). */
  profile?: string;
}

export interface LoadOptions {
  connections?: number;
  durationS?: number;
  thinkMs?: number;
  turnsPerConversation?: number;
  /** Paced rounds of each server, alternating (3). */
  rounds?: number;
  /** Write the posdesk server's CPU profile (node --cpu-prof) into this folder. */
  profileDir?: string;
}

/** The run whose `kind` p99 is the median of the runs (the lower middle one of an even number). */
export function medianRun(runs: readonly PacedRun[], kind: "first" | "later" = "later"): PacedRun | null {
  const sorted = [...runs].sort((a, b) => a[kind].p99Ms - b[kind].p99Ms);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/** The median of the runs' `kind` p99 (ms). */
export function medianP99(runs: readonly PacedRun[], kind: "first" | "later"): number {
  return medianRun(runs, kind)?.[kind].p99Ms ?? Number.NaN;
}

/** Requests for one connection: its own conversation id (kept in autocannon's per-connection context). */
function conversationRequests(): AutocannonRequest[] {
  const setupRequest = (request: AutocannonRequest, context: Record<string, unknown>) => {
    context.conversationId ??= conversationId();
    const turn = Number(context.turn ?? 0);
    context.turn = turn + 1;
    const text = REPEATABLE[turn % REPEATABLE.length];
    return { ...request, body: JSON.stringify({ conversationId: context.conversationId, text }) };
  };
  // autocannon resets a connection's context when it has gone through the whole list: a long list keeps
  // each connection in one conversation for the whole run.
  return Array.from({ length: 500 }, () => ({
    method: "POST",
    path: "/api/chat",
    headers: { "content-type": "application/json" },
    setupRequest,
  }));
}

/** The paced generator runs in its own process, so the benchmark's own heap does not skew its clock. */
function paced(url: string, conversations: number, durationS: number, thinkMs: number, turns: number) {
  return new Promise<PacedRun>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [PACED, url, String(conversations), String(durationS), String(thinkMs), String(turns)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out) as PacedRun);
      else reject(new Error(`paced load generator exited with ${code}`));
    });
  });
}

/** CPU milliseconds per answered turn: the server's CPU time over a run (null when unknown, or nothing answered). */
export function cpuPerTurn(beforeMs: number | null, afterMs: number | null, answered: number): number | null {
  if (beforeMs === null || afterMs === null || answered === 0) return null;
  return round((afterMs - beforeMs) / answered, 3);
}

/** A server's garbage collections over one paced round (the ramp-up included), by kind. */
export interface GcRound {
  minor: GcKindTotals;
  major: GcKindTotals;
  other: GcKindTotals;
  /** Every collection's time, all kinds, per answered turn (µs): what the turns paid for their garbage. */
  usPerTurn: number;
}

/** The collections between two readings of a server's probe (null when either is unknown, or nothing answered). */
export function gcPerTurn(before: GcTotals | null, after: GcTotals | null, answered: number): GcRound | null {
  if (!before || !after || answered === 0) return null;
  const spent = (kind: keyof GcRound & keyof GcTotals) => ({
    count: after[kind].count - before[kind].count,
    ms: after[kind].ms - before[kind].ms,
  });
  const [minor, major, other] = [spent("minor"), spent("major"), spent("other")];
  const rounded = ({ count, ms }: GcKindTotals) => ({ count, ms: round(ms, 1) });
  return {
    minor: rounded(minor),
    major: rounded(major),
    other: rounded(other),
    usPerTurn: round(((minor.ms + major.ms + other.ms) * 1000) / answered, 2),
  };
}

/** A server under test with its GC probe. */
interface ProbedServer {
  server: ServerProcess;
  gc: GcProbe;
}

/** A paced round against `server`, and what its process spent per answered turn: CPU, and collections. */
async function pacedRound(
  { server, gc }: ProbedServer,
  conversations: number,
  durationS: number,
  thinkMs: number,
  turns: number,
): Promise<{ run: PacedRun; cpuMsPerTurn: number | null; gc: GcRound | null }> {
  const pid = server.child.pid ?? -1;
  const gcBefore = await readGcProbe(server.child, gc.file);
  const before = processCpuMs(pid);
  const run = await paced(server.url, conversations, durationS, thinkMs, turns);
  const cpuMsPerTurn = cpuPerTurn(before, processCpuMs(pid), run.answered);
  return {
    run,
    cpuMsPerTurn,
    gc: gcPerTurn(gcBefore, await readGcProbe(server.child, gc.file), run.answered),
  };
}

async function run(
  autocannon: Autocannon,
  url: string,
  connections: number,
  durationS: number,
): Promise<LoadRun> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 30,
    requests: conversationRequests(),
  });
  return {
    connections,
    durationS: result.duration,
    turns: result["2xx"],
    turnsPerSecond: Math.round(result["2xx"] / result.duration),
    p50Ms: round(result.latency.p50, 1),
    p90Ms: round(result.latency.p90, 1),
    p99Ms: round(result.latency.p99, 1),
    maxMs: round(result.latency.max, 1),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** posdesk's replies to the paced dialogue's messages, by message, for the trivial server to answer. */
async function recordReplies(url: string): Promise<Record<string, unknown>> {
  const replies: Record<string, unknown> = {};
  const id = conversationId();
  for (const text of REPEATABLE) {
    const response = await fetch(`${url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId: id, text }),
    });
    if (!response.ok) throw new Error(`posdesk answered ${response.status} to ${text}`);
    replies[text] ??= await response.json();
  }
  return replies;
}

export async function benchLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const connections = options.connections ?? 1000;
  const durationS = options.durationS ?? 15;
  const thinkMs = options.thinkMs ?? 1000;
  const turns = options.turnsPerConversation ?? 5;
  const roundCount = thinkMs > 0 ? Math.max(1, options.rounds ?? 3) : 0;
  const autocannon = ((await import(AUTOCANNON)) as { default: Autocannon }).default;
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-load-"));
  const profileName = `server-${Date.now()}.cpuprofile`;
  try {
    const posdeskGc = gcProbe(join(dir, "posdesk-gc.json"));
    const server = await startServerProcess(POSDESK_SERVER, {
      env: { ...posdeskEnv(join(dir, "load.db")), ...posdeskGc.env },
      nodeArgs: [
        ...posdeskGc.nodeArgs,
        ...(options.profileDir
          ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${profileName}`]
          : []),
      ],
    });
    let saturated: LoadRun;
    const rounds: LoadResult["rounds"] = { posdesk: [], trivial: [] };
    const cpu: LoadResult["cpu"] = { posdesk: [], trivial: [] };
    const gc: LoadResult["gc"] = { posdesk: [], trivial: [] };
    try {
      // Warm-up: JIT, SQLite pages, the connection pool; the trivial server gets the same.
      await run(autocannon, server.url, Math.min(connections, 100), 3);
      const repliesFile = join(dir, "replies.json");
      writeFileSync(repliesFile, JSON.stringify(await recordReplies(server.url)));
      const trivialGc = gcProbe(join(dir, "trivial-gc.json"));
      const trivial =
        roundCount > 0
          ? await startServerProcess(TRIVIAL_SERVER, {
              args: [repliesFile],
              nodeArgs: trivialGc.nodeArgs,
              env: trivialGc.env,
            })
          : null;
      try {
        if (trivial) await run(autocannon, trivial.url, Math.min(connections, 100), 3);
        // Rounds alternate, so that both servers see the machine as it is through the run (a quiet spell
        // or a busy one falls on each); each is reported by its median round. Only the one under load works.
        for (let round = 0; trivial && round < roundCount; round++) {
          for (const [who, at] of [
            ["posdesk", { server, gc: posdeskGc }],
            ["trivial", { server: trivial, gc: trivialGc }],
          ] as const) {
            const measured = await pacedRound(at, connections, durationS, thinkMs, turns);
            rounds[who].push(measured.run);
            cpu[who].push(measured.cpuMsPerTurn);
            gc[who].push(measured.gc);
          }
        }
      } finally {
        if (trivial) await stopServerProcess(trivial.child);
      }
      saturated = await run(autocannon, server.url, connections, durationS);
    } finally {
      await stopServerProcess(server.child);
    }
    const written = options.profileDir ? readdirSync(options.profileDir).includes(profileName) : false;
    return {
      serverReadyMs: Math.round(server.readyMs),
      saturated,
      paced: medianRun(rounds.posdesk),
      reference: medianRun(rounds.trivial),
      rounds,
      cpu,
      gc,
      ...(written && options.profileDir ? { profile: join(options.profileDir, profileName) } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
