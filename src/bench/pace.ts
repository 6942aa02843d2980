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
 *
 * The reference for that gap is the storage floor (floor.ts: bare better-sqlite3 doing the same turns' reads
 * and writes, one transaction a turn) paced the same way over as many conversations, against itself back to
 * back, in the same rounds: what this machine charges for idleness between pieces of work that touch no
 * model, flow or JSON. posdesk's gap over the floor's is what is left for posdesk's own code to answer for.
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
import { StorageFloor } from "./floor.js";
import { median, ratio, round } from "./measure.js";
import { CONVERSATIONS, type Script } from "./scripts.js";
import { captureShapes, type ScriptShape } from "./shape.js";
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
  /** The storage floor at this rate: its time per turn (µs, median round), its rounds, and that over its own back to back. */
  floor: { busyUs: number; rounds: number[]; ratio: number | null };
  /** posdesk's `ratio` over the floor's: how much more posdesk's turn pays for the pace than bare storage does. */
  overFloor: number | null;
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
  /** The storage floor's time per turn back to back (µs, median round), and its rounds. */
  floorHotUs: number;
  floorHotRounds: number[];
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

/** Starts turns evenly at `perSecond` for `ms` (`start` each, as the millisecond timer finds them due); returns how many. */
async function startEvenly(perSecond: number, ms: number, start: () => void): Promise<number> {
  let started = 0;
  await ticking(ms, (elapsed) => {
    const due = Math.floor((Math.min(elapsed, ms) * perSecond) / 1000);
    for (; started < due; started++) start();
  });
  return started;
}

/** Main-thread busy µs per turn of `pass` (which returns the turns it took) run again and again for `ms`. */
async function busyPerTurn(ms: number, pass: () => Promise<number>): Promise<number> {
  let turns = 0;
  const busy = await busyWhile(async () => {
    const end = performance.now() + ms;
    while (performance.now() < end) turns += await pass();
  });
  return (busy * 1000) / turns;
}

/**
 * `conversations` conversations, `prefix-0`, `prefix-1`…, that each take their script's next turn when asked,
 * in turn, starting over under a new id when their script ends.
 */
function dealer<Turn>(
  prefix: string,
  conversations: number,
  scripts: readonly (readonly Turn[])[],
): () => { id: string; turn: Turn } {
  let ids = 0;
  const live = Array.from({ length: conversations }, (_, i) => ({
    id: `${prefix}-${ids++}`,
    script: scripts[i % scripts.length] as readonly Turn[],
    next: 0,
  }));
  let dealt = 0;
  return () => {
    const c = live[dealt++ % live.length] as (typeof live)[number];
    if (c.next >= c.script.length) {
      c.id = `${prefix}-${ids++}`;
      c.next = 0;
    }
    return { id: c.id, turn: c.script[c.next++] as Turn };
  };
}

/** posdesk's turns, dealt to `conversations` live conversations (`pace-…`) each saying its script in turn. */
export function roundRobin(
  engine: ConversationEngine,
  conversations: number,
  scripts: readonly Script[] = CONVERSATIONS,
) {
  const deal = dealer(
    "pace",
    conversations,
    scripts.map((script) => script.turns),
  );
  return (): Promise<unknown> => {
    const { id, turn } = deal();
    return engine.handle({ conversationId: id, text: turn, channel: "web" });
  };
}

/** The storage floor's turns dealt the same way (`floor-…`): each replays its script's reads and writes (their shapes). */
export function floorRoundRobin(
  floor: StorageFloor,
  conversations: number,
  scripts: readonly ScriptShape[],
): () => void {
  const deal = dealer(
    "floor",
    conversations,
    scripts.map((script) => script.turns),
  );
  return () => {
    const { id, turn } = deal();
    floor.turn(id, turn);
  };
}

export async function benchPace(nlu: Nlu = loadNlu().nlu, options: PaceOptions = {}): Promise<PaceResult> {
  const { rates = [250, 1000, 4000], conversations = 1000, rounds = 3, roundMs = 2000 } = options;
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-pace-"));
  const store = new SqliteStore(join(dir, "pace.db"));
  const floor = await StorageFloor.open(join(dir, "floor.db"));
  try {
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
    let hotIds = 0;
    const hotPass = concurrentPass(engine, () => `hot-${hotIds++}`, AT_ONCE);
    const next = roundRobin(engine, conversations);
    const { scripts } = await captureShapes(nlu);
    const nextFloor = floorRoundRobin(floor, conversations, scripts);

    const hotRound = (ms: number) => busyPerTurn(ms, hotPass);
    // The floor back to back as posdesk's hot pass runs: AT_ONCE turns, then the event loop turns.
    const floorHotRound = (ms: number) =>
      busyPerTurn(ms, async () => {
        for (let i = 0; i < AT_ONCE; i++) nextFloor();
        await new Promise((resolve) => setImmediate(resolve));
        return AT_ONCE;
      });
    const floorPacedRound = async (perSecond: number, ms: number) => {
      let started = 0;
      const busy = await busyWhile(async () => {
        started = await startEvenly(perSecond, ms, nextFloor);
      });
      return { busy, started };
    };
    const pacedRound = async (perSecond: number, ms: number) => {
      const pending = new Set<Promise<unknown>>();
      let started = 0;
      const { result: busy, ...committed } = await commitsDuring(store, () =>
        busyWhile(async () => {
          started = await startEvenly(perSecond, ms, () => {
            const turn = next();
            pending.add(turn);
            // Settled either way (a failed turn fails the round through Promise.all below, not here).
            const forget = () => pending.delete(turn);
            turn.then(forget, forget);
          });
          await Promise.all(pending);
        }),
      );
      return { busy, started, committed };
    };
    const timerAlone = async (ms: number) => (await busyWhile(() => ticking(ms, () => {}))) / (ms / 1000);

    // Warm-up: the code compiled, the files and the live conversations made, at the highest rate.
    await hotRound(1000);
    await pacedRound(Math.max(...rates), 1000);
    await floorHotRound(500);
    await floorPacedRound(Math.max(...rates), 500);
    const timerRounds: number[] = [];
    const hot: number[] = [];
    const floorHot: number[] = [];
    // Per rate: each round's µs per turn, the turns started, and the commits and the turns they carried.
    const paced = rates.map(() => ({ us: [] as number[], started: 0, committed: { commits: 0, turns: 0 } }));
    const floorPaced = rates.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      hot.push(await hotRound(roundMs / 2));
      floorHot.push(await floorHotRound(roundMs / 4));
      // The median of three short samples: one stall in a sample (a collection, another process) would
      // otherwise be taken out of every paced figure of the round, and can leave a cheap turn at nothing.
      const timerSamples: number[] = [];
      for (let i = 0; i < 3; i++) timerSamples.push(await timerAlone(roundMs / 4));
      const timerPerSecond = median(timerSamples);
      timerRounds.push(timerPerSecond);
      // µs per turn of a paced round of `ms`, its timer's busy time taken out.
      const net = (run: { busy: number; started: number }, ms: number) =>
        (Math.max(0, run.busy - timerPerSecond * (ms / 1000)) * 1000) / run.started;
      for (const [i, perSecond] of rates.entries()) {
        const run = await pacedRound(perSecond, roundMs);
        const at = paced[i] as (typeof paced)[number];
        at.us.push(net(run, roundMs));
        at.started += run.started;
        at.committed.commits += run.committed.commits;
        at.committed.turns += run.committed.turns;
        (floorPaced[i] as number[]).push(net(await floorPacedRound(perSecond, roundMs / 2), roundMs / 2));
      }
    }
    const hotUs = median(hot);
    const floorHotUs = median(floorHot);
    return {
      conversations,
      hotUs: round(hotUs, 1),
      hotRounds: hot.map((us) => round(us, 1)),
      timerUsPerSecond: round(median(timerRounds) * 1000, 0),
      floorHotUs: round(floorHotUs, 1),
      floorHotRounds: floorHot.map((us) => round(us, 1)),
      rates: rates.map((perSecond, i) => {
        const at = paced[i] as (typeof paced)[number];
        const busyUs = median(at.us);
        const floorUs = median(floorPaced[i] as number[]);
        return {
          perSecond,
          turns: at.started,
          busyUs: round(busyUs, 1),
          rounds: at.us.map((us) => round(us, 1)),
          ratio: ratio(busyUs, hotUs, 2),
          turnsPerCommit: turnsPerCommit(at.committed, 2),
          floor: {
            busyUs: round(floorUs, 1),
            rounds: (floorPaced[i] as number[]).map((us) => round(us, 1)),
            ratio: ratio(floorUs, floorHotUs, 2),
          },
          overFloor: ratio(busyUs / hotUs, floorUs / floorHotUs, 2),
        };
      }),
    };
  } finally {
    await store.close();
    await floor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
