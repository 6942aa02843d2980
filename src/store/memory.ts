/**
 * In-memory store for unit tests, `POSDESK_STORE=memory:`, the story runner and the benchmark's turn without a
 * database: each record is kept as the JSON the real stores write (card numbers masked, encoded once) and
 * decoded on every read, as theirs are.
 */

import { randomUUID } from "node:crypto";
import type { HandoffRecord, TranscriptEntry } from "../domain/handoff.js";
import { inPeriod, newestRatingFirst, type Rating, type RatingQuery, ratingKey } from "../domain/rating.js";
import { maskedJson } from "../domain/redact.js";
import { MemoryIncidents } from "./incidents.js";
import {
  type CandidateDecision,
  type ConversationRecord,
  type HandoffQuery,
  matchesQuery,
  newestFirst,
  type PictureMime,
  type RollupCount,
  type RollupRow,
  type RollupUnit,
  rollupRows,
  type Store,
  type StoredPicture,
  type TurnWrite,
} from "./store.js";

export class MemoryStore implements Store {
  readonly incidents = new MemoryIncidents();
  private readonly conversations = new Map<string, string>();
  private readonly transcripts = new Map<string, string[]>();
  private readonly handoffs = new Map<string, string>();
  private readonly decided = new Map<string, CandidateDecision>();
  private readonly pictures = new Map<string, StoredPicture>();
  private readonly ratingsByKey = new Map<string, string>();
  /** The analytics rollup: "unit bucket" → metric → count. */
  private readonly rollup = new Map<string, Map<string, number>>();

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const json = this.conversations.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as ConversationRecord);
  }

  async saveConversation(conversation: ConversationRecord): Promise<void> {
    this.conversations.set(conversation.id, maskedJson(conversation));
  }

  async appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    const list = this.transcripts.get(conversationId) ?? [];
    for (const entry of entries) list.push(maskedJson(entry));
    this.transcripts.set(conversationId, list);
  }

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    return (this.transcripts.get(conversationId) ?? []).map((e) => JSON.parse(e) as TranscriptEntry);
  }

  async saveHandoff(handoff: HandoffRecord): Promise<void> {
    this.handoffs.set(handoff.summary.id, maskedJson(handoff));
  }

  async saveTurn(turn: TurnWrite): Promise<void> {
    await this.appendTranscript(turn.conversation.id, turn.transcript);
    if (turn.handoff) await this.saveHandoff(turn.handoff);
    await this.saveConversation(turn.conversation);
    if (turn.rollup) await this.addToRollup(turn.rollup);
  }

  async getHandoff(id: string): Promise<HandoffRecord | undefined> {
    const json = this.handoffs.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as HandoffRecord);
  }

  async listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]> {
    return [...this.handoffs.values()]
      .map((json) => JSON.parse(json) as HandoffRecord)
      .filter((h) => matchesQuery(h, query))
      .sort(newestFirst);
  }

  async recordDecision(candidateId: string, decision: CandidateDecision): Promise<void> {
    this.decided.set(candidateId, decision);
  }

  async decisions(): Promise<Map<string, CandidateDecision>> {
    return new Map(this.decided);
  }

  async savePicture(conversationId: string, bytes: Uint8Array, mime: PictureMime): Promise<string> {
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    this.pictures.set(id, { id, conversationId, mime, bytes: new Uint8Array(bytes), createdAt });
    return id;
  }

  async getPicture(id: string): Promise<StoredPicture | undefined> {
    const picture = this.pictures.get(id);
    return picture && { ...picture, bytes: new Uint8Array(picture.bytes) };
  }

  async saveRating(rating: Rating): Promise<void> {
    this.ratingsByKey.set(ratingKey(rating), maskedJson(rating));
  }

  async ratings(query?: RatingQuery): Promise<Rating[]> {
    return [...this.ratingsByKey.values()]
      .map((json) => JSON.parse(json) as Rating)
      .filter((r) => inPeriod(r, query))
      .sort(newestRatingFirst);
  }

  async addToRollup(counts: RollupCount[]): Promise<void> {
    for (const { unit, bucket, metric, n } of counts.flatMap(rollupRows)) {
      const key = `${unit} ${bucket}`;
      let counters = this.rollup.get(key);
      if (!counters) {
        counters = new Map();
        this.rollup.set(key, counters);
      }
      counters.set(metric, (counters.get(metric) ?? 0) + n);
    }
  }

  async rollupTotals(unit: RollupUnit, from: number, to: number): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (let bucket = from; bucket < to; bucket++)
      for (const [metric, n] of this.rollup.get(`${unit} ${bucket}`) ?? [])
        totals.set(metric, (totals.get(metric) ?? 0) + n);
    for (const [metric, n] of totals) if (n === 0) totals.delete(metric);
    return totals;
  }

  async rollupSeries(
    unit: RollupUnit,
    from: number,
    to: number,
    metrics: readonly string[],
  ): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    for (let bucket = from; bucket < to; bucket++) {
      const counters = this.rollup.get(`${unit} ${bucket}`);
      for (const metric of metrics) {
        const n = counters?.get(metric) ?? 0;
        if (n !== 0) rows.push({ bucket, metric, n });
      }
    }
    return rows;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
