/** Stored records for store and analytics tests, built as the engine starts them. */
import type { ConversationRecord } from "../../src/store/store.js";

/** A web conversation as the engine first stores it (no topic, no flow, nothing learnt), at `at`. */
export function conversationRecord(
  id: string,
  at: string,
  fields: Partial<ConversationRecord> = {},
): ConversationRecord {
  return {
    id,
    channel: "web",
    locale: "zh-CN",
    localeFixed: false,
    topic: null,
    flow: null,
    question: null,
    facts: {},
    stepsTried: [],
    notUnderstood: 0,
    handoffId: null,
    turn: 1,
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}
