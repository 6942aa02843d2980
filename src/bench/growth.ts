/**
 * Whether a turn's cost grows: with the length of the conversation (turns around the 5th against turns
 * around the 500th of the same conversations), and with the number of stored conversations (the same
 * scripted turns on a file holding one conversation against one seeded with a million, in alternating
 * rounds). In process, the real engine over SQLite files in a temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { interleaved, median, percentile, ratio, round } from "./measure.js";
import { conversationId, REPEATABLE } from "./scripts.js";
import { seedConversations } from "./seed.js";
import { captureShapes } from "./shape.js";
import { scriptedPass } from "./turns.js";

export interface Window {
  /** First and last turn of the window (1-based), whole cycles of the repeated dialogue. */
  fromTurn: number;
  toTurn: number;
  samples: number;
  medianMs: number;
}

export interface LengthResult {
  conversations: number;
  turnsEach: number;
  early: Window;
  late: Window;
  /** The late window's median turn over the early one's. */
  ratio: number | null;
}

export interface TurnCost {
  perSecond: number;
  rounds: number[];
  perCpuSecond: number;
  /** Mean time of a turn: 1 / turns per second. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface StoredResult {
  rows: number;
  seedMs: number;
  fileMb: number;
  small: TurnCost;
  big: TurnCost;
  /** The mean turn on the big file over the mean turn on the small one. */
  ratio: number | null;
  /** The same, in CPU time. */
  cpuRatio: number | null;
}

const engineOver = (nlu: Nlu, store: Store) => new ConversationEngine({ nlu, store, flows: FLOWS });

/**
 * Windows of `window` turns starting at turn 5 and around `lateTurn`, both starting at the same point of the
 * repeated dialogue (so they hold the same messages).
 */
export function lengthWindows(lateTurn: number, window: number, cycle = REPEATABLE.length) {
  const earlyFrom = cycle + 1;
  const lateFrom = earlyFrom + cycle * Math.max(1, Math.round((lateTurn - window / 2 - earlyFrom) / cycle));
  return { early: [earlyFrom, earlyFrom + window - 1], late: [lateFrom, lateFrom + window - 1] } as const;
}

export async function benchLength(
  nlu: Nlu,
  options: { conversations?: number; lateTurn?: number; window?: number } = {},
): Promise<LengthResult> {
  const conversations = options.conversations ?? 10;
  const window = options.window ?? 2 * REPEATABLE.length;
  const { early, late } = lengthWindows(options.lateTurn ?? 500, window);
  const turnsEach = late[1];
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-length-"));
  const store = new SqliteStore(join(dir, "length.db"));
  try {
    const engine = engineOver(nlu, store);
    const talk = async (id: string, turns: number, latencies?: number[]) => {
      for (let turn = 1; turn <= turns; turn++) {
        const start = performance.now();
        await engine.handle({
          conversationId: id,
          text: REPEATABLE[(turn - 1) % REPEATABLE.length] ?? "",
          channel: "web",
        });
        latencies?.push(performance.now() - start);
      }
    };
    await talk(conversationId(), 200);
    const earlyMs: number[] = [];
    const lateMs: number[] = [];
    for (let c = 0; c < conversations; c++) {
      const latencies: number[] = [];
      await talk(conversationId(), turnsEach, latencies);
      earlyMs.push(...latencies.slice(early[0] - 1, early[1]));
      lateMs.push(...latencies.slice(late[0] - 1, late[1]));
    }
    const summary = ([fromTurn, toTurn]: readonly [number, number], samples: number[]): Window => ({
      fromTurn,
      toTurn,
      samples: samples.length,
      medianMs: round(median(samples), 3),
    });
    return {
      conversations,
      turnsEach,
      early: summary(early, earlyMs),
      late: summary(late, lateMs),
      ratio: ratio(median(lateMs), median(earlyMs)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStoredConversations(nlu: Nlu, rows = 1_000_000): Promise<StoredResult> {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-rows-"));
  try {
    const { records } = await captureShapes(nlu);
    const smallFile = join(dir, "one.db");
    const bigFile = join(dir, `rows-${rows}.db`);
    await seedConversations(smallFile, 1, records);
    const seeded = await seedConversations(bigFile, rows, records);
    const small = new SqliteStore(smallFile);
    const big = new SqliteStore(bigFile);
    try {
      const latencies = { small: [] as number[], big: [] as number[] };
      const measured = await interleaved(
        {
          small: scriptedPass(engineOver(nlu, small), conversationId, latencies.small),
          big: scriptedPass(engineOver(nlu, big), conversationId, latencies.big),
        },
        { warmupMs: 1000, rounds: 7, roundMs: 1000 },
      );
      const cost = (key: "small" | "big"): TurnCost => ({
        perSecond: Math.round(measured[key].perSecond),
        rounds: measured[key].rounds,
        perCpuSecond: Math.round(measured[key].perCpuSecond),
        meanMs: round(1000 / measured[key].perSecond, 3),
        p50Ms: round(percentile(latencies[key], 50), 3),
        p99Ms: round(percentile(latencies[key], 99), 3),
      });
      return {
        rows,
        seedMs: seeded.ms,
        fileMb: round(seeded.bytes / 2 ** 20, 1),
        small: cost("small"),
        big: cost("big"),
        ratio: ratio(measured.small.perSecond, measured.big.perSecond),
        cpuRatio: ratio(measured.small.perCpuSecond, measured.big.perCpuSecond),
      };
    } finally {
      await small.close();
      await big.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
