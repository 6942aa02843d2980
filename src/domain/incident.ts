/**
 * Incidents: many merchants raising one topic in a short time (a network down in one city, settlements
 * late for everyone). Detected as suspected, confirmed by an agent with a message for merchants, closed
 * when it is over. The engine, the stores and the agent API all speak of these records.
 */
import type { TopicId } from "./intents.js";

/**
 * `suspected`: detected, not yet looked at; `confirmed`: an agent confirmed it, merchants are told its
 * message; `closed`: over (or dismissed); `lapsed`: suspected, then nobody raised the topic for a window.
 */
export type IncidentStatus = "suspected" | "confirmed" | "closed" | "lapsed";

export const OPEN_STATUSES: readonly IncidentStatus[] = ["suspected", "confirmed"];

export interface IncidentRecord {
  id: string;
  topic: TopicId;
  status: IncidentStatus;
  detectedAt: string;
  /** The agent's message for merchants (card numbers masked), once confirmed. */
  message?: string;
  confirmedAt?: string;
  closedAt?: string;
}

/**
 * Where a conversation stands with an incident: it `raised` the topic; it was `told` the message and asked
 * whether theirs is the same; the merchant said it is (`linked`: told when it is over) or is not
 * (`declined`: troubleshot as usual).
 */
export type MemberState = "raised" | "told" | "linked" | "declined";

export interface IncidentMember {
  conversationId: string;
  /** When it joined the incident (raised the topic). */
  at: string;
  state: MemberState;
}

/** What a merchant was asked or answered about an incident, kept with their conversation (by incident id). */
export type IncidentAnswer = "asked" | "linked" | "declined";

export function isOpen(incident: IncidentRecord): boolean {
  return OPEN_STATUSES.includes(incident.status);
}

export function newestIncidentFirst(a: IncidentRecord, b: IncidentRecord): number {
  return b.detectedAt.localeCompare(a.detectedAt) || b.id.localeCompare(a.id);
}
