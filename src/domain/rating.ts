/**
 * A merchant's satisfaction rating: asked once after a flow ends resolved or an agent closes a handoff
 * (src/engine/satisfaction.ts), kept by every store, listed by `GET /api/ratings`. One zod schema for the
 * code and the tests.
 */
import { z } from "zod";
import { Channel } from "./handoff.js";
import { TROUBLESHOOTING_INTENTS } from "./intents.js";

export const RatingScore = z.number().int().min(1).max(5);
export type RatingScore = 1 | 2 | 3 | 4 | 5;
export const RATING_SCORES: readonly RatingScore[] = [1, 2, 3, 4, 5];

/** What was rated: the bot's help (a flow that ended resolved) or a person's (a handoff an agent closed). */
export const RatedAfter = z.enum(["flow", "handoff"]);
export type RatedAfter = z.infer<typeof RatedAfter>;

/** Longest comment kept: a merchant's message is cut at 2,000 characters anyway. */
export const MAX_COMMENT_CHARS = 2000;

export const Rating = z.object({
  conversationId: z.string().min(1),
  score: RatingScore,
  /** What the merchant said after rating, card numbers masked; absent when they skipped it. */
  comment: z.string().min(1).max(MAX_COMMENT_CHARS).optional(),
  after: RatedAfter,
  /** The troubleshooting topic rated (the agent's resolution after a handoff), or null when there was none. */
  topic: z.enum(TROUBLESHOOTING_INTENTS).nullable(),
  /** After a handoff: the handoff rated. */
  handoffId: z.string().min(1).optional(),
  channel: Channel,
  /** When the rating was given. With `conversationId`, what identifies it: a comment saves it again. */
  at: z.iso.datetime(),
});
export type Rating = z.infer<typeof Rating>;

/** A period of ratings: `from` included, `to` excluded, both ISO times. */
export interface RatingQuery {
  from?: string;
  to?: string;
}

/** The same instant however it was written ("2026-05-01T08:00:00+08:00" is "2026-05-01T00:00:00.000Z"). */
export function isoInstant(time: string): string {
  return new Date(time).toISOString();
}

export function inPeriod(rating: Rating, query: RatingQuery = {}): boolean {
  const at = Date.parse(rating.at);
  if (query.from !== undefined && at < Date.parse(query.from)) return false;
  if (query.to !== undefined && at >= Date.parse(query.to)) return false;
  return true;
}

export function newestRatingFirst(a: Rating, b: Rating): number {
  return b.at.localeCompare(a.at) || b.conversationId.localeCompare(a.conversationId);
}

/** What identifies a rating in a store: its instant first, so keys sort by time. */
export function ratingKey(rating: Pick<Rating, "conversationId" | "at">): string {
  return `${isoInstant(rating.at)}|${rating.conversationId}`;
}

export interface RatingReport {
  count: number;
  /** The mean score, to two decimals; null when there is no rating. */
  average: number | null;
  /** How many ratings gave each score, "1" to "5" (every score present, 0 when none). */
  byScore: Record<`${RatingScore}`, number>;
  /** Newest first. */
  ratings: Rating[];
}

export function ratingReport(ratings: readonly Rating[]): RatingReport {
  const byScore = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let sum = 0;
  for (const rating of ratings) {
    byScore[`${rating.score as RatingScore}`] += 1;
    sum += rating.score;
  }
  const count = ratings.length;
  return {
    count,
    average: count === 0 ? null : Math.round((sum / count) * 100) / 100,
    byScore,
    ratings: [...ratings].sort(newestRatingFirst),
  };
}
