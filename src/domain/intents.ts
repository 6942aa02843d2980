/** The closed set of intent ids of the contract, and which of them start a troubleshooting flow. */
import { z } from "zod";

export const TROUBLESHOOTING_INTENTS = [
  "card_declined",
  "settlement_delay",
  "terminal_dead",
  "network_failure",
  "card_read_error",
  "printer_problem",
  "limit_exceeded",
  "account_frozen",
  "signin_key_error",
  "software_update",
  "fees_inquiry",
  "refund_void",
] as const;

export const INTENTS = [...TROUBLESHOOTING_INTENTS, "human_agent", "greeting", "goodbye", "none"] as const;

export const IntentId = z.enum(INTENTS);
export type IntentId = z.infer<typeof IntentId>;
export type TopicId = (typeof TROUBLESHOOTING_INTENTS)[number];

export const Locale = z.enum(["zh-CN", "en"]);
export type Locale = z.infer<typeof Locale>;

export function isTopic(intent: string): intent is TopicId {
  return (TROUBLESHOOTING_INTENTS as readonly string[]).includes(intent);
}
