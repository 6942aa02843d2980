/**
 * `npm start` on every core: `POSDESK_WORKERS=N` (or `auto`, one per core) starts N server processes that share
 * the port — node:cluster hands each new connection to the next process. Only with the Redis store, which is
 * what lets processes share conversations (a turn's lock, the live hub, incidents, the webhook queue); a SQLite
 * file belongs to one process. The primary process only starts, restarts and stops the workers:
 *
 * - a worker that dies once all are up is replaced (its turns in flight fail; conversations are in Redis);
 * - a worker that dies while they start stops everything, with the reason in the log (no restart loop);
 * - SIGTERM / SIGINT stop every worker as one server stops (requests in flight finish), then the primary;
 * - the model reloaded through the admin API in one worker is reloaded in the others too.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Logger } from "./logger.js";

/** The message a worker sends when its model was reloaded through the admin API, passed on to the others. */
export const RELOAD_MODEL = "posdesk:reload-model";

/** How many server processes `POSDESK_WORKERS` asks for: 1 when unset. */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const value = env.POSDESK_WORKERS?.trim();
  if (!value) return 1;
  if (value === "auto") return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new Error(`POSDESK_WORKERS must be a whole number from 1 to 64, or auto (got "${value}")`);
  return count;
}

/** Why these settings cannot run several workers, if they cannot. */
export function clusterProblem(env: NodeJS.ProcessEnv, store: string): string | undefined {
  if (!/^rediss?:\/\//.test(store))
    return "POSDESK_WORKERS above 1 needs the Redis store (POSDESK_STORE=redis://…): a SQLite file belongs to one process";
  if (env.WECHATY_PUPPET)
    return "POSDESK_WORKERS above 1 cannot log in to WeChat in every worker: run `posdesk wechat` beside the server instead";
  return undefined;
}

/** Starts `count` workers running this same script, and looks after them until a signal stops them. */
export function runPrimary(count: number, logger: Logger, announce: (url: string) => void): void {
  let stopping = false;
  let started = 0;
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  cluster.on("listening", (worker, address) => {
    started++;
    logger.info({ worker: worker.process.pid }, "worker listening");
    if (started === count) {
      const host = address.address && address.address !== "::" ? address.address : "127.0.0.1";
      announce(`http://${host}:${address.port}`);
    }
  });
  cluster.on("message", (from, message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== RELOAD_MODEL) return;
    for (const worker of workers()) if (worker !== from) worker.send({ type: RELOAD_MODEL });
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (workers().length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (started < count) {
      logger.error({ worker: worker.process.pid, code, signal }, "a worker died while starting; stopping");
      stopping = true;
      for (const other of workers()) other.process.kill("SIGTERM");
      process.exitCode = 1;
      if (workers().length === 0) process.exit(1);
      return;
    }
    logger.warn({ worker: worker.process.pid, code, signal }, "worker died; starting another");
    cluster.fork();
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down the workers");
      for (const worker of workers()) worker.process.kill("SIGTERM");
      if (workers().length === 0) process.exit(0);
    });
  }
  for (let i = 0; i < count; i++) cluster.fork();
}
