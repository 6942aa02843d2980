/**
 * The storage floor: what the scripted conversations' turns cost SQLite alone. Bare better-sqlite3 on
 * posdesk's schema with the pragmas of src/store/sqlite.ts (2 KB pages, WAL, synchronous NORMAL, 16 MB page
 * cache, the WAL copied back by the same checkpointing worker). Per turn: read the conversation row; read the
 * transcript where posdesk does (a handoff); then one transaction appending the transcript row with the
 * turn's analytics counts (a journal row when the turn has counts and no transcript row), inserting the
 * handoff the turn opened and writing the conversation row back — the writes of posdesk's `saveTurn`, one
 * prepared statement each, rows of the same sizes (shape.ts). The counts are not folded here: folding them
 * into the rollup is posdesk's own work. No JSON, no masking, no
 * model: the least any implementation of a persisted turn pays on this machine.
 *
 * `rowTurn` is the floor as issue 10 words it — the conversation row alone, read and written back in one
 * transaction — which writes less than a turn of posdesk must (its transcript, a handoff, its analytics), so
 * it is faster, and posdesk's ratio against it lower; the bench reports both.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { type Checkpointer, startCheckpointer } from "../store/checkpointer.js";
import { SqliteStore, TURN_SQL } from "../store/sqlite.js";
import { ROLLUP_SQL } from "../store/sqlite-rollup.js";
import type { ScriptShape, TurnShape } from "./shape.js";

/** As src/store/sqlite.ts sets them (tests/bench/floor.test.ts checks they stay the same). */
const PRAGMAS = [
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "busy_timeout = 5000",
  "cache_size = -16384",
  "wal_autocheckpoint = 0",
];

/** The effective settings of a connection that the floor and posdesk's store must share. */
export function connectionSettings(db: Database.Database): Record<string, unknown> {
  const names = [
    "page_size",
    "journal_mode",
    "synchronous",
    "busy_timeout",
    "cache_size",
    "wal_autocheckpoint",
  ];
  return Object.fromEntries(names.map((name) => [name, db.pragma(name, { simple: true })]));
}

export class StorageFloor {
  readonly db: Database.Database;
  private readonly checkpointer: Checkpointer;
  private readonly fillers = new Map<number, string>();
  private readonly statements;
  private readonly writeTurn: (id: string, shape: TurnShape, at: string) => void;
  private readonly writeRow: (id: string, shape: TurnShape, at: string) => void;

  private constructor(path: string) {
    this.db = new Database(path);
    for (const pragma of PRAGMAS) this.db.pragma(pragma);
    // A synchronous writer never takes the checkpointer's hold (checkpointer.ts): asked for none, it starts the
    // log over at once, as it did before the hold.
    this.checkpointer = startCheckpointer(path, { askMs: 0 });
    this.statements = {
      getConversation: this.db.prepare<[string], { data: string }>(TURN_SQL.getConversation),
      putConversation: this.db.prepare<[string, string, string]>(TURN_SQL.putConversation),
      appendTranscript: this.db.prepare<[string, string, string | null]>(TURN_SQL.appendTranscript),
      transcript: this.db.prepare<[string], { entry: string }>(TURN_SQL.transcript),
      putHandoff: this.db.prepare<[string, string, string, string, string]>(TURN_SQL.putHandoff),
      journal: this.db.prepare<[string]>(ROLLUP_SQL.journal),
    };
    this.writeTurn = this.db.transaction((id: string, shape: TurnShape, at: string) => {
      const counts = shape.countsBytes === null ? null : this.filler(shape.countsBytes);
      if (shape.transcriptBytes !== null)
        this.statements.appendTranscript.run(id, this.filler(shape.transcriptBytes), counts);
      else if (counts !== null) this.statements.journal.run(counts);
      if (shape.handoffBytes !== null)
        this.statements.putHandoff.run(randomUUID(), id, "open", at, id + this.filler(shape.handoffBytes));
      this.statements.putConversation.run(id, id + this.filler(shape.conversationBytes), at);
    });
    this.writeRow = this.db.transaction((id: string, shape: TurnShape, at: string) => {
      this.statements.putConversation.run(id, id + this.filler(shape.conversationBytes), at);
    });
  }

  /** A floor over `path`, its schema made by posdesk's own store first. */
  static async open(path: string): Promise<StorageFloor> {
    await new SqliteStore(path).close();
    return new StorageFloor(path);
  }

  /** A string of `bytes` bytes (ASCII), made once per size. */
  private filler(bytes: number): string {
    let text = this.fillers.get(bytes);
    if (text === undefined) {
      text = "x".repeat(Math.max(0, bytes));
      this.fillers.set(bytes, text);
    }
    return text;
  }

  turn(id: string, shape: TurnShape, at = new Date().toISOString()): void {
    this.statements.getConversation.get(id);
    if (shape.readsTranscript) this.statements.transcript.all(id);
    this.writeTurn(id, shape, at);
  }

  /** One scripted conversation's turns under `id`; returns how many. */
  conversation(id: string, script: ScriptShape): number {
    for (const shape of script.turns) this.turn(id, shape);
    return script.turns.length;
  }

  /**
   * The floor as issue 10 words it: per turn, the conversation row read, then written back (the same bytes
   * as posdesk's) in one transaction — no transcript, no handoff, no analytics counts.
   */
  rowTurn(id: string, shape: TurnShape, at = new Date().toISOString()): void {
    this.statements.getConversation.get(id);
    this.writeRow(id, shape, at);
  }

  /** One scripted conversation's turns under `id`, the conversation row only (`rowTurn`); returns how many. */
  conversationRow(id: string, script: ScriptShape): number {
    for (const shape of script.turns) this.rowTurn(id, shape);
    return script.turns.length;
  }

  async close(): Promise<void> {
    await this.checkpointer.stop();
    this.db.close();
  }
}
