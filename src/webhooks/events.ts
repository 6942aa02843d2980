/**
 * What posdesk tells outside systems (a ticketing tool, a chat room, the support lead's dashboard): the
 * webhook events, one zod schema each, and the envelope every delivery's body is. Handoff events are
 * published by the switchboard; incidents and ratings by their own modules.
 */
import { z } from "zod";
import { HandoffSummary } from "../domain/handoff.js";
import { IntentId } from "../domain/intents.js";

const at = z.iso.datetime();

/** A handoff was opened by a turn: the contract's HandoffSummary, transcript included. */
export const HandoffOpened = z.object({
  handoffId: z.string().min(1),
  conversationId: z.string().min(1),
  handoff: HandoffSummary,
});

/** An agent took the handoff: by claiming it, or (`claimedBy` null) by answering it first. */
export const HandoffClaimed = z.object({
  handoffId: z.string().min(1),
  conversationId: z.string().min(1),
  claimedBy: z.string().nullable(),
  claimedAt: at,
});

/** The agent closed the handoff with what the problem really was; the bot owns the chat again. */
export const HandoffClosed = z.object({
  handoffId: z.string().min(1),
  conversationId: z.string().min(1),
  /** The topic the handoff was opened for. */
  intent: IntentId,
  /** What the agent found the problem to be. */
  resolution: IntentId,
  note: z.string(),
  closedAt: at,
});

const Incident = z.object({
  id: z.string().min(1),
  topic: IntentId,
  /** What merchants who raise the topic are told first (null for a suspected incident dismissed unconfirmed). */
  message: z.string().nullable(),
  /** Merchants (conversations) counted in the incident. */
  count: z.number().int().nonnegative(),
});

/** A suspected outage confirmed by the support lead. */
export const IncidentConfirmed = Incident.extend({ confirmedAt: at });

/** An incident over. */
export const IncidentClosed = Incident.extend({ closedAt: at });

/** A merchant rated the help they got, after a flow or after a handoff. */
export const RatingGiven = z.object({
  conversationId: z.string().min(1),
  score: z.number().int().min(1).max(5),
  comment: z.string().optional(),
  after: z.enum(["flow", "handoff"]),
  /** The troubleshooting topic rated, or null when there was none. */
  topic: IntentId.nullable(),
  handoffId: z.string().min(1).optional(),
  at,
});

export const WebhookEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("handoff.opened"), data: HandoffOpened }),
  z.object({ type: z.literal("handoff.claimed"), data: HandoffClaimed }),
  z.object({ type: z.literal("handoff.closed"), data: HandoffClosed }),
  z.object({ type: z.literal("incident.confirmed"), data: IncidentConfirmed }),
  z.object({ type: z.literal("incident.closed"), data: IncidentClosed }),
  z.object({ type: z.literal("rating.given"), data: RatingGiven }),
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export type WebhookEventType = WebhookEvent["type"];

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = WebhookEvent.options.map(
  (option) => option.shape.type.value,
);

/** The body of every delivery: the event with its id (the same for every URL) and when it happened. */
export type WebhookEnvelope = WebhookEvent & { id: string; createdAt: string };

/** What publishes events: `Webhooks` when configured; the callers hold it as this, optional. */
export interface WebhookPublisher {
  /** Queues the event for every URL that wants it; never rejects, never waits for a delivery. */
  publish(event: WebhookEvent): Promise<void>;
}
