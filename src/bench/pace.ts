/**
 * What a turn costs at a human pace. The real engine over a SQLite file in process (no HTTP), many
 * conversations alive at once, their turns arriving evenly at a set rate — a timer every millisecond starts
 * the turns that are due — against the same engine running turns back to back (`AT_ONCE` conversations at a
 * time, as `turns` measures it), in alternating rounds of one run. The figure is the main thread's busy time
 * per turn (`performance.eventLoopUtilization`), the timer's own busy time taken out.
 *
 * Why: the server under the paced load spends several times the CPU per request that the same turns cost in
 * a loop. Turns that come one at a time, with the thread idle between them, find the processor's caches
 * cold and commit one by one (SQLite's write of each changed page and its locks are system calls); turns
 * back to back share both. This measure shows that gap without the HTTP server in it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { SqliteStore } from "../store/sqlite.js";
import { median, ratio, round } from "./measure.js";
import { CONVERSATIONS, type Script } from "./scripts.js";
import { AT_ONCE, commitsDuring, concurrentPass, turnsPerCommit } from "./turns.js";

export interface PaceRate {
  /** Turns started per second. */
  perSecond: number;
  /** Turns finished in the timed rounds. */
  turns: number;
  /** Main-thread busy time per turn, the median round (µs). */
  busyUs: number;
  rounds: number[];
  /** `busyUs` over the back-to-back turn's. */
  ratio: number | null;
  /** Turns the store committed together, on average. */
  turnsPerCommit: number;
}

export interface PaceResult {
  /** Conversations alive at once at the set rates (each takes its next turn in turn). */
  conversations: number;
  /** Main-thread busy time per turn with turns back to back, the median round (µs). */
  hotUs: number;
  hotRounds: number[];
  rates: PaceRate[];
  /** The millisecond timer's own busy time, per second, taken out of the paced figures (µs). */
  timerUsPerSecond: number;
}

export interface PaceOptions {
  rates?: readonly number[];
  conversations?: number;
  rounds?: number;
  roundMs?: number;
}

/** Busy milliseconds of the main thread while `work` runs (idle time waiting for timers excluded). */
async function busyWhile(work: () => Promise<void>): Promise<number> {
  const before = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(before).active;
}

/** A timer every millisecond for `ms`, calling `tick` with the milliseconds gone by since it started. */
function ticking(ms: number, tick: (elapsed: number) => void): Promise<void> {
  const start = performance.now();
  return new Promise((done) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      tick(elapsed);
      if (elapsed >= ms) {
        clearInterval(timer);
        done();
      }
    }, 1);
  });
}

/**
 * `conversations` conversations that each take their next scripted turn when asked, starting over under a
 * new id when their script ends.
 */
export function roundRobin(
  engine: ConversationEngine,
  conversations: number,
  scripts: readonly Script[] = CONVERSATIONS,
) {
  let ids = 0;
  const live = Array.from({ length: conversations }, (_, i) => ({
    id: `pace-${ids++}`,
    script: (scripts[i % scripts.length] as Script).turns,
    next: 0,
  }));
  let turn = 0;
  return (): Promise<unknown> => {
    const c = live[turn++ % live.length] as (typeof live)[number];
    if (c.next >= c.script.length) {
      c.id = `pace-${ids++}`;
      c.next = 0;
    }
    const text = c.script[c.next++] as string;
    return engine.handle({ conversationId: c.id, text, channel: "web" });
  };
}

export async function benchPace(nlu: Nlu = loadNlu().nlu, options: PaceOptions = {}): Promise<PaceResult> {
  const { rates = [250, 1000, 4000], conversations = 1000, rounds = 3, roundMs = 2000 } = options;
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-pace-"));
  const store = new SqliteStore(join(dir, "pace.db"));
  try {
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
    let hotIds = 0;
    const hotPass = concurrentPass(engine, () => `hot-${hotIds++}`, AT_ONCE);
    const next = roundRobin(engine, conversations);

    const hotRound = async (ms: number): Promise<number> => {
      let turns = 0;
      const busy = await busyWhile(async () => {
        const end = performance.now() + ms;
        while (performance.now() < end) turns += await hotPass();
      });
      return (busy * 1000) / turns;
    };
    const pacedRound = async (perSecond: number, ms: number) => {
      const pending = new Set<Promise<unknown>>();
      let started = 0;
      const { result: busy, ...committed } = await commitsDuring(store, () =>
        busyWhile(async () => {
          await ticking(ms, (elapsed) => {
            const due = Math.floor((Math.min(elapsed, ms) * perSecond) / 1000);
            for (; started < due; started++) {
              const turn = next();
              pending.add(turn);
              // Settled either way (a failed turn fails the round through Promise.all below, not here).
              const forget = () => pending.delete(turn);
              turn.then(forget, forget);
            }
          });
          await Promise.all(pending);
        }),
      );
      return { busy, started, committed };
    };
    const timerAlone = async (ms: number) => (await busyWhile(() => ticking(ms, () => {}))) / (ms / 1000);

    // Warm-up: the code compiled, the file and the live conversations made, at the highest rate.
    await hotRound(1000);
    await pacedRound(Math.max(...rates), 1000);
    const timerRounds: number[] = [];
    const hot: number[] = [];
    // Per rate: each round's µs per turn, the turns started, and the commits and the turns they carried.
    const paced = rates.map(() => ({ us: [] as number[], started: 0, committed: { commits: 0, turns: 0 } }));
    for (let r = 0; r < rounds; r++) {
      hot.push(await hotRound(roundMs / 2));
      const timerPerSecond = await timerAlone(roundMs / 4);
      timerRounds.push(timerPerSecond);
      for (const [i, perSecond] of rates.entries()) {
        const run = await pacedRound(perSecond, roundMs);
        const timer = timerPerSecond * (roundMs / 1000);
        const at = paced[i] as (typeof paced)[number];
        at.us.push((Math.max(0, run.busy - timer) * 1000) / run.started);
        at.started += run.started;
        at.committed.commits += run.committed.commits;
        at.committed.turns += run.committed.turns;
      }
    }
    const hotUs = median(hot);
    return {
      conversations,
      hotUs: round(hotUs, 1),
      hotRounds: hot.map((us) => round(us, 1)),
      timerUsPerSecond: round(median(timerRounds) * 1000, 0),
      rates: rates.map((perSecond, i) => {
        const at = paced[i] as (typeof paced)[number];
        const busyUs = median(at.us);
        return {
          perSecond,
          turns: at.started,
          busyUs: round(busyUs, 1),
          rounds: at.us.map((us) => round(us, 1)),
          ratio: ratio(busyUs, hotUs, 2),
          turnsPerCommit: turnsPerCommit(at.committed, 2),
        };
      }),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
