/**
 * Full chat turns in process: the real engine (model, flows, answer parser, replies) over a SQLite file,
 * scripted multi-turn conversations one turn after another; turns per second and each turn's latency.
 * Also what a conversation costs on disk.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { SqliteStore } from "../store/sqlite.js";
import { percentile, round } from "./measure.js";
import { CONVERSATIONS } from "./scripts.js";

export interface TurnsResult {
  turns: number;
  conversations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface StorageResult {
  /** Bytes per conversation, for each scripted conversation (N turns). */
  conversations: { name: string; turns: number; handoff: boolean; rowBytes: number; fileBytes: number }[];
}

async function converse(
  engine: ConversationEngine,
  id: string,
  script: readonly string[],
  latencies?: number[],
) {
  for (const text of script) {
    const start = performance.now();
    await engine.handle({ conversationId: id, text, channel: "web" });
    latencies?.push(performance.now() - start);
  }
}

export async function benchTurns(
  options: { warmupMs?: number; durationMs?: number } = {},
): Promise<TurnsResult> {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-"));
  const store = new SqliteStore(join(dir, "bench.db"));
  try {
    const engine = new ConversationEngine({ nlu: loadNlu().nlu, store, flows: FLOWS });
    let n = 0;
    const warmEnd = performance.now() + (options.warmupMs ?? 2000);
    while (performance.now() < warmEnd) {
      for (const script of CONVERSATIONS) await converse(engine, `warm-${n++}`, script.turns);
    }
    const latencies: number[] = [];
    let conversations = 0;
    const start = performance.now();
    const end = start + (options.durationMs ?? 8000);
    while (performance.now() < end) {
      for (const script of CONVERSATIONS)
        await converse(engine, `c-${conversations++}`, script.turns, latencies);
    }
    const elapsed = performance.now() - start;
    return {
      turns: latencies.length,
      conversations,
      perSecond: Math.round((latencies.length / elapsed) * 1000),
      p50Ms: round(percentile(latencies, 50), 3),
      p99Ms: round(percentile(latencies, 99), 3),
      maxMs: round(percentile(latencies, 100), 1),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
                + (SELECT coalesce(sum(length(CAST(conversation_id AS BLOB)) + length(CAST(entry AS BLOB)) + 8), 0) FROM transcripts)
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
