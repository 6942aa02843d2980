/**
 * Checkpoints a SQLite file's write-ahead log from a worker thread. SQLite otherwise copies the WAL into the
 * database (and syncs it) inside whichever commit crosses 1,000 pages: every few hundred turns, one turn —
 * and, in the server, every request waiting behind it — stalls for milliseconds. Here the copy runs on
 * another thread with its own connection, off the path of the turn; a PASSIVE checkpoint never blocks a
 * writer.
 *
 * Under steady writes a PASSIVE checkpoint never quite catches up (commits land while it copies), so the log
 * never starts over by itself and would grow without end. When the frames in it pass `restartBytes`, a
 * RESTART checkpoint, right after a PASSIVE one has copied nearly everything, takes the write lock for the
 * few frames left and makes the next commit write from the start of the file again. Not TRUNCATE: cutting a
 * large file on a disk mounted with `discard` held the lock for 20–80 ms, and the server's next commit slept
 * in SQLite's busy handler (1, 2, 5, 10, 15, 20… ms) for all of it, with every request behind it; a RESTART
 * holds it for a few milliseconds (`npm run bench -- --only load`: later-turn p99 28–37 ms → 12–15 ms). The
 * file keeps its largest size while the server runs; stopping truncates it.
 *
 * A few milliseconds are still a stall: the RESTART syncs the file while it holds the lock (3.6–9.4 ms on the
 * bench VM's disk), and the server's next commit sleeps through it in SQLite's busy handler, whose steps
 * overshoot (a 4 ms hold costs 1 + 2 + 5 ms). Under the paced load of 1,000 conversations (about 28 KB of log
 * a turn, at 4 KB pages; sqlite.ts now makes 2 KB ones) a RESTART every 64 MB came every 3–4 s, each one a
 * stall of 5–20 ms that every request queued behind shared, and the later-turn p99 rose with the file: 5.6 →
 * 13.1 ms over four runs on one growing file (4.2–6.6 ms with the file in memory, /dev/shm, where a sync costs
 * nothing). At 256 MB, one every 10–15 s: 4.1–7.2 ms over the same four runs. Only sustained writes grow the
 * log that far; a server with a quiet moment has its log copied whole by a PASSIVE checkpoint, and the next
 * commit starts it over by itself.
 *
 * So the log is started over by the store's own connection instead, where it can be (`CommitGate`). When the log
 * has grown past `restartBytes`, the worker asks the store to hold its commits; the store holds at its next
 * group commit (its turns go on being worked out meanwhile; only their saves wait), the worker's PASSIVE
 * checkpoint then copies the whole log and syncs the file, the hold ends, and the store's next commit finds the
 * log copied and starts it over itself, as SQLite does. Nothing sleeps in the busy handler with the event loop
 * blocked, and the store's page cache is kept: a RESTART by the worker changes the log's header under the
 * store's connection, which then empties its page cache and reads every page back from the file. RESTART stays
 * for when no store takes the hold within `askMs` (one with nothing to commit, or none that uses the gate: the
 * storage floor).
 */
import { type FileWorker, startFileWorker } from "./file-worker.js";

/** The gate's shared words: its state, then two counters. */
const STATE = 0;
/** The states: no hold asked; asked by the worker; held by the store. */
const OPEN = 0;
const ASKED = 1;
const HELD = 2;
/** Counters beside the state, for tests and the bench: holds the store gave, RESTARTs the worker still made. */
const HOLDS = 1;
const RESTARTS = 2;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const gate = new Int32Array(workerData.gate);
// Hardly any waiting: a RESTART that finds the writer busy or a reader still in the log for more than a
// few milliseconds gives up (the next tick tries again) rather than hold the write lock while it waits.
db.pragma("busy_timeout = 5");
const pageSize = db.pragma("page_size", { simple: true });
const checkpoint = (mode) => {
  try {
    // [busy, frames in the log, frames copied]
    const [result] = db.pragma("wal_checkpoint(" + mode + ")");
    return result ? result.log : 0;
  } catch {
    return 0; // Busy: the next tick tries again.
  }
};
const tick = () => {
  if (checkpoint("PASSIVE") * pageSize <= workerData.restartBytes) return;
  // The store holds its commits at its next group commit; a store with nothing to commit writes nothing anyway.
  Atomics.store(gate, ${STATE}, ${ASKED});
  Atomics.wait(gate, ${STATE}, ${ASKED}, workerData.askMs);
  const held = Atomics.compareExchange(gate, ${STATE}, ${ASKED}, ${OPEN}) !== ${ASKED};
  if (!held) {
    // No store took the hold (none uses the gate, or it had nothing to commit): the log is started over here.
    Atomics.add(gate, ${RESTARTS}, 1);
    checkpoint("RESTART");
    return;
  }
  // Nothing is committed meanwhile: this copies the whole log, and the store's next commit starts it over.
  checkpoint("PASSIVE");
  Atomics.store(gate, ${STATE}, ${OPEN});
  Atomics.notify(gate, ${STATE});
  Atomics.add(gate, ${HOLDS}, 1);
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  Atomics.store(gate, ${STATE}, ${OPEN});
  Atomics.notify(gate, ${STATE});
  db.pragma("busy_timeout = 2000");
  checkpoint("TRUNCATE");
  db.close();
  parentPort.close();
});
`;

/**
 * The store's side of the hold: `hold()` at each group commit, and when it says so, commit only once
 * `released()` settles. A hold lasts one PASSIVE checkpoint (a copy and a sync: milliseconds); should the
 * worker not end it, it ends by itself after `maxHoldMs`.
 */
export class CommitGate {
  private readonly word: Int32Array;

  constructor(
    readonly buffer = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT),
    private readonly maxHoldMs = 50,
  ) {
    this.word = new Int32Array(buffer);
  }

  /** Whether the checkpointer asked for a hold: if so the hold is taken, and the caller must wait for `released`. */
  hold(): boolean {
    return Atomics.compareExchange(this.word, STATE, ASKED, HELD) === ASKED;
  }

  released(): Promise<void> {
    const waited = Atomics.waitAsync(this.word, STATE, HELD, this.maxHoldMs);
    return waited.async ? waited.value.then(() => undefined) : Promise.resolve();
  }

  /** Holds the store gave, and RESTART checkpoints the worker still made, so far. */
  get counts(): { holds: number; restarts: number } {
    return { holds: Atomics.load(this.word, HOLDS), restarts: Atomics.load(this.word, RESTARTS) };
  }
}

export interface Checkpointer extends FileWorker {
  readonly gate: CommitGate;
}

/** Checkpoints the WAL of the file at `path` from a worker; should it fail, `onFailure` (checkpoint in commits). */
export function startCheckpointer(
  path: string,
  options: { intervalMs?: number; restartBytes?: number; askMs?: number; onFailure?: () => void } = {},
): Checkpointer {
  const gate = new CommitGate();
  const worker = startFileWorker(
    WORKER,
    {
      path,
      intervalMs: options.intervalMs ?? 200,
      restartBytes: options.restartBytes ?? 256 * 2 ** 20,
      askMs: options.askMs ?? 20,
      gate: gate.buffer,
    },
    options.onFailure,
  );
  return { gate, stop: () => worker.stop() };
}
