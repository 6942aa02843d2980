/**
 * Start-up time, measured as users meet it: a fresh `node` process that loads the model and classifies
 * one message, cold (empty model cache: trained from intents/) and with the cached model, against a bare
 * `node -e ""` in the same run, so the figures can be given net of Node's own start.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, round } from "./measure.js";

const CHILD = join(import.meta.dirname, "startup-child.js");

export interface StartupResult {
  runs: number;
  nodeMs: number;
  coldMs: number;
  cachedMs: number;
  /** Net of Node's own start (`node -e ""`). */
  coldNetMs: number;
  cachedNetMs: number;
}

function timeProcess(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve({ ms, out });
      else reject(new Error(`${args.join(" ")} exited with ${code}`));
    });
  });
}

async function timeMany(runs: number, once: () => Promise<number>): Promise<number> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return median(times);
}

export async function benchStartup(runs = 10): Promise<StartupResult> {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-cache-"));
    dirs.push(dir);
    return dir;
  };
  const loadModel = async (cacheDir: string, expectCached: boolean): Promise<number> => {
    const { ms, out } = await timeProcess([CHILD], { ...process.env, POSDESK_CACHE_DIR: cacheDir });
    const { fromCache } = JSON.parse(out) as { fromCache: boolean };
    if (fromCache !== expectCached) throw new Error(`expected fromCache ${expectCached}, got ${fromCache}`);
    return ms;
  };
  try {
    const nodeMs = await timeMany(runs, async () => (await timeProcess(["-e", ""])).ms);
    const coldMs = await timeMany(runs, () => loadModel(tempDir(), false));
    const cache = tempDir();
    await loadModel(cache, false);
    const cachedMs = await timeMany(runs, () => loadModel(cache, true));
    return {
      runs,
      nodeMs: round(nodeMs),
      coldMs: round(coldMs),
      cachedMs: round(cachedMs),
      coldNetMs: round(coldMs - nodeMs),
      cachedNetMs: round(cachedMs - nodeMs),
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
