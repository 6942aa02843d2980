/** The HandoffSummary of the contract: one zod schema for the code and the tests. */
import { z } from "zod";
import { IntentId, Locale } from "./intents.js";
import type { Rating } from "./rating.js";

export const Channel = z.enum(["cli", "web", "wechat", "botframework"]);
export type Channel = z.infer<typeof Channel>;

export const TranscriptEntry = z.object({
  from: z.enum(["merchant", "bot", "agent"]),
  text: z.string(),
  at: z.iso.datetime(),
  /** What the bot classified a merchant message as: with the agent's resolution, a learning candidate. */
  intent: IntentId.optional(),
  /** The merchant sent a picture with this message: the id of its redacted copy (`GET /api/pictures/:id`). */
  picture: z.string().optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

export const HandoffReason = z.enum(["requested", "unresolved", "policy", "not_understood"]);
export type HandoffReason = z.infer<typeof HandoffReason>;

export const Priority = z.enum(["urgent", "high", "normal", "low"]);
export type Priority = z.infer<typeof Priority>;

export const HandoffSummary = z.object({
  id: z.string().min(1),
  conversationId: z.string().min(1),
  channel: Channel,
  locale: Locale,
  /** The topic the merchant needs help with: never `human_agent`. */
  intent: IntentId.exclude(["human_agent"]),
  flow: z.string().nullable(),
  reason: HandoffReason,
  priority: Priority,
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  stepsTried: z.array(z.object({ step: z.string(), result: z.string() })),
  /**
   * The states of `flow` the conversation passed through, in order, the last where it stopped (an addition
   * to the contract's summary: absent from handoffs made before it, and when there is no flow).
   */
  statePath: z.array(z.string()).optional(),
  summary: z.string().min(1),
  transcript: z.array(TranscriptEntry),
  createdAt: z.iso.datetime(),
});
export type HandoffSummary = z.infer<typeof HandoffSummary>;

export const HandoffStatus = z.enum(["open", "claimed", "closed"]);
export type HandoffStatus = z.infer<typeof HandoffStatus>;

/** A handoff as stored: the summary as it was at escalation, and what the agent did with it. */
export interface HandoffRecord {
  summary: HandoffSummary;
  status: HandoffStatus;
  claimedBy?: string;
  resolution?: IntentId;
  note?: string;
  closedAt?: string;
  /** The merchant's rating of the help they got, asked once the agent closed the handoff. */
  rating?: Rating;
}
