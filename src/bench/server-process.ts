/**
 * Servers under test in processes of their own, on 127.0.0.1 and a free port: posdesk's built
 * `dist/src/server.js` over a SQLite file in a temporary folder (abuse limits off: one address sends
 * everything), or the trivial reference server. Ready when `/healthz` answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { GcTotals } from "./gc-probe.js";

export const POSDESK_SERVER = join(import.meta.dirname, "..", "server.js");
export const TRIVIAL_SERVER = join(import.meta.dirname, "trivial-server.js");
/** The preload that counts a server's garbage collections (gc-probe.ts). */
export const GC_PROBE = join(import.meta.dirname, "gc-probe.js");

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** From spawn to the first successful /healthz. */
  readyMs: number;
}

export function freePort(): Promise<number> {
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

/** posdesk's environment for a benchmark run over `storeFile`. */
export function posdeskEnv(storeFile: string): NodeJS.ProcessEnv {
  return {
    POSDESK_STORE: storeFile,
    AGENT_TOKEN: randomUUID(),
    // One address sends everything here, and each conversation many turns a second: the abuse limits
    // would answer 429 to the benchmark itself.
    POSDESK_RATE_PER_ADDRESS: "0",
    POSDESK_RATE_PER_CONVERSATION: "0",
    POSDESK_SHUTDOWN_GRACE_MS: "0",
  };
}

export async function waitHealthy(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr()}`);
    await sleep(5);
  }
}

/** Spawns `script` with PORT and HOST set (and `env`), `nodeArgs` before it (--cpu-prof…). */
export async function startServerProcess(
  script: string,
  options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; args?: string[] } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, () => stderr);
  return { url, child, readyMs: performance.now() - started };
}

export async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux, whatever the kernel's own tick). */
const USER_HZ = 100;

/**
 * CPU time a process has used so far, user and system, every thread of it (its garbage collector's helpers,
 * SQLite's checkpointing worker…), in milliseconds, read from `/proc/<pid>/stat`; null where there is no
 * /proc (not Linux) or no such process. Its resolution is a clock tick: 10 ms.
 */
export function processCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: the fields counted after it are the 3rd onwards.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : null;
}

/** A server's GC probe: the file its totals are written to, and the preload and variable that start it. */
export interface GcProbe {
  file: string;
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
}

export function gcProbe(file: string): GcProbe {
  return { file, nodeArgs: ["--import", GC_PROBE], env: { POSDESK_GC_PROBE: file } };
}

/**
 * A probed server's garbage collections so far: asks it (SIGUSR2) to write its totals to `file`, and reads
 * them once the file holds the answer to this request. Null when no answer came within `timeoutMs` (a server
 * started without the probe, or gone).
 */
export async function readGcProbe(
  child: ChildProcess,
  file: string,
  timeoutMs = 2000,
): Promise<GcTotals | null> {
  const before = readTotals(file)?.seq ?? 0;
  if (child.exitCode !== null || !child.kill("SIGUSR2")) return null;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const totals = readTotals(file);
    if (totals && totals.seq > before) return totals;
    await sleep(5);
  }
  return null;
}

function readTotals(file: string): GcTotals | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as GcTotals;
  } catch {
    return null; // Not written yet, or caught half-written: read again.
  }
}
