/**
 * A worker thread with its own connection to a SQLite file, doing one job on a timer beside the server's
 * connection: checkpointing the WAL (checkpointer.ts).
 * The job's source receives `workerData` (`path`, `driver`: better-sqlite3's module path, `intervalMs`, and
 * the job's own settings) and stops when the parent posts a message, after a last run. Should the worker
 * fail, `onFailure` is called once, so the caller can do the job on its own thread.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface FileWorker {
  /** Asks the job to finish (its last run) and waits, at most two seconds, for the thread to end. */
  stop(): Promise<void>;
}

const DRIVER = createRequire(import.meta.url).resolve("better-sqlite3");

export function startFileWorker(
  source: string,
  workerData: { path: string; intervalMs: number } & Record<string, unknown>,
  onFailure?: () => void,
): FileWorker {
  const worker = new Worker(source, { eval: true, workerData: { ...workerData, driver: DRIVER } });
  worker.unref();
  let stopping = false;
  let failed = false;
  const fail = () => {
    if (stopping || failed) return;
    failed = true;
    onFailure?.();
  };
  const exited = new Promise<void>((done) => worker.once("exit", () => done()));
  worker.once("error", fail);
  worker.once("exit", fail);
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
