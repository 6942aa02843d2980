/**
 * The running server under load: the built `dist/src/server.js` on 127.0.0.1 and a free port, over a
 * temporary SQLite file. First autocannon posting to /api/chat as fast as the server answers, over many
 * connections, each connection one merchant's conversation (its own conversation id) repeating a resolved
 * troubleshooting dialogue; then as many conversations at a human pace (paced.ts). Only loopback is ever
 * targeted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { round } from "./measure.js";
import type { PacedRun } from "./paced.js";
import { REPEATABLE } from "./scripts.js";

const SERVER = join(import.meta.dirname, "..", "server.js");
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
  /** Conversations at a human pace: a reply, then a think time, then the next turn. */
  paced: PacedRun | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startServer(dir: string): Promise<{ url: string; child: ChildProcess; readyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      POSDESK_STORE: join(dir, "load.db"),
      AGENT_TOKEN: randomUUID(),
      // One address sends everything here, and each conversation many turns a second: the abuse limits
      // would answer 429 to the benchmark itself.
      POSDESK_RATE_PER_ADDRESS: "0",
      POSDESK_RATE_PER_CONVERSATION: "0",
      POSDESK_SHUTDOWN_GRACE_MS: "0",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await sleep(5);
  }
  return { url, child, readyMs: performance.now() - started };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Requests for one connection: its own conversation id (kept in autocannon's per-connection context). */
function conversationRequests(): AutocannonRequest[] {
  const setupRequest = (request: AutocannonRequest, context: Record<string, unknown>) => {
    context.conversationId ??= randomUUID();
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
function paced(url: string, conversations: number, durationS: number, thinkMs: number): Promise<PacedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [PACED, url, String(conversations), String(durationS), String(thinkMs)],
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

export async function benchLoad(
  options: { connections?: number; durationS?: number; thinkMs?: number } = {},
): Promise<LoadResult> {
  const connections = options.connections ?? 1000;
  const durationS = options.durationS ?? 15;
  const autocannon = ((await import(AUTOCANNON)) as { default: Autocannon }).default;
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-load-"));
  const server = await startServer(dir);
  try {
    // Warm-up: JIT, SQLite pages, the connection pool.
    await run(autocannon, server.url, Math.min(connections, 100), 3);
    const saturated = await run(autocannon, server.url, connections, durationS);
    const human =
      options.thinkMs === 0 ? null : await paced(server.url, connections, durationS, options.thinkMs ?? 1000);
    return { serverReadyMs: Math.round(server.readyMs), saturated, paced: human };
  } finally {
    await stopServer(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
