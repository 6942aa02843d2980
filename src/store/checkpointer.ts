/**
 * Checkpoints a SQLite file's write-ahead log from a worker thread. SQLite otherwise copies the WAL into the
 * database (and syncs it) inside whichever commit crosses 1,000 pages: every few hundred turns, one turn —
 * and, in the server, every request waiting behind it — stalls for milliseconds. Here the copy runs on
 * another thread with its own connection, off the path of the turn; a PASSIVE checkpoint never blocks a
 * writer. When the log has grown large anyway (writes never paused long enough for it to start over), a
 * TRUNCATE checkpoint waits for a quiet moment and resets it.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 50");
const checkpoint = () => {
  try {
    let walBytes = 0;
    try { walBytes = statSync(workerData.path + "-wal").size; } catch {}
    if (walBytes === 0) return;
    db.pragma(walBytes > workerData.truncateBytes ? "wal_checkpoint(TRUNCATE)" : "wal_checkpoint(PASSIVE)");
  } catch {
    // Busy: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(
  path: string,
  options: { intervalMs?: number; truncateBytes?: number; onFailure?: () => void } = {},
): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      path,
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      intervalMs: options.intervalMs ?? 200,
      truncateBytes: options.truncateBytes ?? 64 * 2 ** 20,
    },
  });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((done) => worker.once("exit", () => done()));
  // Without the worker the log would grow for ever: the caller goes back to checkpointing in its commits.
  worker.once("error", () => options.onFailure?.());
  worker.once("exit", () => {
    if (!stopping) options.onFailure?.();
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage("stop");
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
