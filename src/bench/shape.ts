/**
 * What posdesk's store does in each turn of the scripted conversations, in bytes: the conversation row it
 * reads and writes back, the transcript row it appends (with the turn's analytics counts), the handoff it
 * opens, and whether it reads the transcript (a handoff copies it). Captured from the real engine; the storage floor (floor.ts) replays it,
 * and the seeded files (seed.ts) are filled with the records it saw.
 */
import { FLOWS } from "../../flows/index.js";
import { maskDeep } from "../domain/redact.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { MemoryStore } from "../store/memory.js";
import { MetricNumbers } from "../store/metric-numbers.js";
import type { ConversationRecord, RollupCount, TurnWrite } from "../store/store.js";
import { CONVERSATIONS, type Script } from "./scripts.js";

export interface TurnShape {
  /** Bytes of the conversation row as the SQLite store writes it (masked JSON), less those of its id. */
  conversationBytes: number;
  /** Bytes of the transcript row appended (the turn's entries as one JSON array), or null when none. */
  transcriptBytes: number | null;
  /** Bytes of the handoff row's JSON the turn opened (less those of the conversation id), or null. */
  handoffBytes: number | null;
  /** The turn read the conversation's transcript back (to copy it into a handoff). */
  readsTranscript: boolean;
  /**
   * Bytes of the turn's analytics counts (rollup), or null when it has none: on its transcript row, or in a
   * journal row of their own when the turn appends no transcript row.
   */
  countsBytes: number | null;
}

export interface ScriptShape {
  name: string;
  turns: TurnShape[];
}

export interface ShapeCapture {
  scripts: ScriptShape[];
  /** The conversation record after each turn: realistic rows to seed files with. */
  records: ConversationRecord[];
}

/** The bytes of a value as the stores write it: masked, then JSON (SQLite keeps TEXT as UTF-8). */
export function storedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(maskDeep(value)));
}

/** A memory store that notes, turn by turn, what a SQLite store would have read and written. */
class RecordingStore extends MemoryStore {
  readonly turns: TurnShape[] = [];
  /** The analytics metrics numbered as a new SQLite file numbers them, running the same scripts in order. */
  constructor(private readonly metrics: MetricNumbers) {
    super();
  }

  readonly records: ConversationRecord[] = [];
  private readTranscript = false;

  override async transcript(conversationId: string) {
    this.readTranscript = true;
    return super.transcript(conversationId);
  }

  override async saveTurn(turn: TurnWrite): Promise<void> {
    const idBytes = Buffer.byteLength(turn.conversation.id);
    this.turns.push({
      conversationBytes: storedBytes(turn.conversation) - idBytes,
      transcriptBytes: turn.transcript.length ? storedBytes(turn.transcript) : null,
      handoffBytes: turn.handoff ? storedBytes(turn.handoff) - idBytes : null,
      readsTranscript: this.readTranscript,
      countsBytes: turn.rollup?.length ? this.countsBytes(turn.rollup) : null,
    });
    this.records.push(structuredClone(turn.conversation));
    this.readTranscript = false;
    await super.saveTurn(turn);
  }

  private countsBytes(counts: RollupCount[]): number {
    this.metrics.numberInOrder(counts);
    return Buffer.byteLength(this.metrics.encode(counts));
  }
}

/** Runs each script once through the real engine (web channel, as the turn benchmark does). */
export async function captureShapes(
  nlu: Nlu,
  scripts: readonly Script[] = CONVERSATIONS,
): Promise<ShapeCapture> {
  const capture: ShapeCapture = { scripts: [], records: [] };
  const metrics = new MetricNumbers();
  for (const [i, script] of scripts.entries()) {
    const store = new RecordingStore(metrics);
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
    for (const text of script.turns)
      await engine.handle({ conversationId: `shape-${i}`, text, channel: "web" });
    capture.scripts.push({ name: script.name, turns: store.turns });
    capture.records.push(...store.records);
  }
  return capture;
}
