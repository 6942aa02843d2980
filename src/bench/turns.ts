/**
 * Full chat turns in process: the real engine (model, flows, answer parser, replies) over a SQLite file,
 * scripted multi-turn conversations one turn after another, in rounds alternating with the storage floor
 * (floor.ts) doing the same turns' reads and writes on its own file, and with the one-row floor (the
 * conversation row alone, as issue 10 words the floor); turns per second of each, their ratios, and posdesk's
 * turn latency. posdesk is measured twice: one conversation at a time (each turn waits for the last), and
 * `AT_ONCE` conversations at a time, as a server holds them — where the store commits the turns that are
 * ready together (group commit, sqlite.ts), which the floors, one transaction per turn, never do. And once
 * more over a store in memory, in the same rounds: what the turn costs without SQLite, the most that storage
 * work could ever give. Also what a conversation costs on disk.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { MemoryStore } from "../store/memory.js";
import { SqliteStore } from "../store/sqlite.js";
import { StorageFloor } from "./floor.js";
import { interleaved, percentile, type RoundOptions, ratio, round, type Throughput } from "./measure.js";
import { CONVERSATIONS, type Script } from "./scripts.js";
import { captureShapes, type ScriptShape } from "./shape.js";

export interface TurnsResult {
  /** posdesk's turns in the timed rounds. */
  turns: number;
  /** posdesk's conversations over SQLite, one at a time and at once. */
  conversations: number;
  perSecond: number;
  rounds: number[];
  perCpuSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The storage floor doing the same turns' reads and writes, in the alternate rounds. */
  floor: Throughput;
  /** posdesk's turns per second over the floor's. */
  ratio: number | null;
  /** The same, per second of CPU time. */
  cpuRatio: number | null;
  /** The floor as issue 10 words it: the conversation row alone read and written back (floor.ts, `rowTurn`). */
  rowFloor: Throughput;
  /** posdesk's turns per second over the one-row floor's. */
  rowRatio: number | null;
  rowCpuRatio: number | null;
  /**
   * posdesk's same turns, one at a time, over a store that keeps its records in memory (`MemoryStore`: each
   * record still encoded and masked as for storage, no SQLite), in the same alternating rounds: what a turn
   * costs with the database free, against the one-row floor. No storage work takes a turn above this.
   */
  inMemory: Throughput;
  inMemoryRowRatio: number | null;
  inMemoryRowCpuRatio: number | null;
  /** posdesk with `AT_ONCE` conversations at a time, in the same alternating rounds, against both floors. */
  atOnce: {
    conversations: number;
    perSecond: number;
    rounds: number[];
    perCpuSecond: number;
    ratio: number | null;
    cpuRatio: number | null;
    rowRatio: number | null;
    rowCpuRatio: number | null;
    /** Turns the store committed together, on average, in these rounds (warm-up included). */
    turnsPerCommit: number;
  };
}

/** Conversations in progress at once in the concurrent measure: every one of them one turn after another. */
export const AT_ONCE = 32;

export interface StorageResult {
  /** Bytes per conversation, for each scripted conversation (N turns). */
  conversations: { name: string; turns: number; handoff: boolean; rowBytes: number; fileBytes: number }[];
}

export async function converse(
  engine: ConversationEngine,
  id: string,
  script: readonly string[],
  latencies?: number[],
): Promise<number> {
  for (const text of script) {
    const start = performance.now();
    await engine.handle({ conversationId: id, text, channel: "web" });
    latencies?.push(performance.now() - start);
  }
  return script.length;
}

/** A pass over every scripted conversation, each under a new id; timed passes note each turn's latency. */
export function scriptedPass(
  engine: ConversationEngine,
  nextId: () => string,
  latencies?: number[],
  scripts: readonly Script[] = CONVERSATIONS,
) {
  return async (timed: boolean): Promise<number> => {
    let turns = 0;
    for (const script of scripts)
      turns += await converse(engine, nextId(), script.turns, timed ? latencies : undefined);
    return turns;
  };
}

/** What the store committed of turns while `work` ran: its commits and the turns they carried, and `work`'s result. */
export async function commitsDuring<T>(
  store: SqliteStore,
  work: () => Promise<T>,
): Promise<{ result: T; commits: number; turns: number }> {
  const { commits, turns } = store.turnCommits;
  const result = await work();
  return { result, commits: store.turnCommits.commits - commits, turns: store.turnCommits.turns - turns };
}

/** Turns per commit of such counts, rounded to `digits` (0 when nothing was committed). */
export function turnsPerCommit(counts: { commits: number; turns: number }, digits: number): number {
  return round(counts.turns / Math.max(1, counts.commits), digits);
}

/** `atOnce` scripted passes at the same time, each under ids of its own: turns of many conversations interleave. */
export function concurrentPass(
  engine: ConversationEngine,
  nextId: () => string,
  atOnce: number,
  scripts: readonly Script[] = CONVERSATIONS,
) {
  const pass = scriptedPass(engine, nextId, undefined, scripts);
  return async (): Promise<number> => {
    const turns = await Promise.all(Array.from({ length: atOnce }, () => pass(false)));
    return turns.reduce((sum, n) => sum + n, 0);
  };
}

export async function benchTurns(nlu: Nlu = loadNlu().nlu, options: RoundOptions = {}): Promise<TurnsResult> {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-"));
  const store = new SqliteStore(join(dir, "bench.db"));
  const floor = await StorageFloor.open(join(dir, "floor.db"));
  try {
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
    const inMemory = new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS });
    const { scripts } = await captureShapes(nlu);
    const latencies: number[] = [];
    let posdeskIds = 0;
    // The in-memory pass numbers its own conversations: `conversations` counts those over SQLite.
    let inMemoryIds = 0;
    // A floor's pass: every scripted conversation replayed once, each under a new id of its own.
    const floorPass = (prefix: string, replay: (id: string, script: ScriptShape) => number) => {
      let ids = 0;
      return () => {
        let turns = 0;
        for (const script of scripts) turns += replay(`${prefix}-${ids++}`, script);
        return turns;
      };
    };
    // The commits the at-once passes made, and the turns they carried.
    const atOnceCommits = { commits: 0, turns: 0 };
    const atOncePass = concurrentPass(engine, () => `m-${posdeskIds++}`, AT_ONCE);
    const measured = await interleaved(
      {
        posdesk: scriptedPass(engine, () => `c-${posdeskIds++}`, latencies),
        atOnce: async () => {
          const { result, commits, turns } = await commitsDuring(store, atOncePass);
          atOnceCommits.commits += commits;
          atOnceCommits.turns += turns;
          return result;
        },
        floor: floorPass("c", (id, script) => floor.conversation(id, script)),
        rowFloor: floorPass("r", (id, script) => floor.conversationRow(id, script)),
        inMemory: scriptedPass(inMemory, () => `n-${inMemoryIds++}`),
      },
      { warmupMs: 2000, rounds: 9, roundMs: 1000, ...options },
    );
    return {
      turns: latencies.length,
      conversations: posdeskIds,
      perSecond: Math.round(measured.posdesk.perSecond),
      rounds: measured.posdesk.rounds,
      perCpuSecond: Math.round(measured.posdesk.perCpuSecond),
      p50Ms: round(percentile(latencies, 50), 3),
      p99Ms: round(percentile(latencies, 99), 3),
      maxMs: round(percentile(latencies, 100), 1),
      floor: rounded(measured.floor),
      ratio: ratio(measured.posdesk.perSecond, measured.floor.perSecond, 3),
      cpuRatio: ratio(measured.posdesk.perCpuSecond, measured.floor.perCpuSecond, 3),
      rowFloor: rounded(measured.rowFloor),
      rowRatio: ratio(measured.posdesk.perSecond, measured.rowFloor.perSecond, 3),
      rowCpuRatio: ratio(measured.posdesk.perCpuSecond, measured.rowFloor.perCpuSecond, 3),
      inMemory: rounded(measured.inMemory),
      inMemoryRowRatio: ratio(measured.inMemory.perSecond, measured.rowFloor.perSecond, 3),
      inMemoryRowCpuRatio: ratio(measured.inMemory.perCpuSecond, measured.rowFloor.perCpuSecond, 3),
      atOnce: {
        conversations: AT_ONCE,
        perSecond: Math.round(measured.atOnce.perSecond),
        rounds: measured.atOnce.rounds,
        perCpuSecond: Math.round(measured.atOnce.perCpuSecond),
        ratio: ratio(measured.atOnce.perSecond, measured.floor.perSecond, 3),
        cpuRatio: ratio(measured.atOnce.perCpuSecond, measured.floor.perCpuSecond, 3),
        rowRatio: ratio(measured.atOnce.perSecond, measured.rowFloor.perSecond, 3),
        rowCpuRatio: ratio(measured.atOnce.perCpuSecond, measured.rowFloor.perCpuSecond, 3),
        turnsPerCommit: turnsPerCommit(atOnceCommits, 1),
      },
    };
  } finally {
    await store.close();
    await floor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A reference's throughput with its medians in whole operations per second. */
function rounded(t: Throughput): Throughput {
  return { ...t, perSecond: Math.round(t.perSecond), perCpuSecond: Math.round(t.perCpuSecond) };
}

/** Stored bytes per conversation: the rows' own bytes, and the growth of the SQLite file (checkpointed). */
export async function benchStorage(count = 500, nlu: Nlu = loadNlu().nlu): Promise<StorageResult> {
  const result: StorageResult = { conversations: [] };
  for (const script of CONVERSATIONS) {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-"));
    const file = join(dir, "bench.db");
    try {
      const store = new SqliteStore(file);
      await store.close();
      const before = fileSize(file);
      const engine = new ConversationEngine({ nlu, store: new SqliteStore(file), flows: FLOWS });
      for (let i = 0; i < count; i++)
        await converse(engine, `conversation-${String(i).padStart(6, "0")}`, script.turns);
      await engine.store.close();
      const db = new Database(file);
      db.pragma("wal_checkpoint(TRUNCATE)");
      const rows = db
        .prepare<[], { bytes: number }>(
          `SELECT (SELECT coalesce(sum(length(CAST(id AS BLOB)) + length(CAST(data AS BLOB)) + length(updated_at)), 0) FROM conversations)
                + (SELECT coalesce(sum(length(CAST(conversation_id AS BLOB)) + length(CAST(entry AS BLOB)) + coalesce(length(counts), 0) + 8), 0) FROM transcripts)
                + (SELECT coalesce(sum(length(id) + length(conversation_id) + length(status) + length(created_at) + length(CAST(data AS BLOB))), 0) FROM handoffs)
             AS bytes`,
        )
        .get();
      const handoffs = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM handoffs").get()?.n ?? 0;
      db.close();
      result.conversations.push({
        name: script.name,
        turns: script.turns.length,
        handoff: handoffs > 0,
        rowBytes: Math.round((rows?.bytes ?? 0) / count),
        fileBytes: Math.round((fileSize(file) - before) / count),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

function fileSize(file: string): number {
  let size = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      size += statSync(file + suffix).size;
    } catch {
      // no WAL file
    }
  }
  return size;
}
