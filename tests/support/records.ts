/** Stored records for store and analytics tests, built as the engine starts them. */
import { type ConversationRecord, newConversationRecord } from "../../src/store/store.js";

/** A web conversation as the engine stores it after its first message (no topic, no flow, nothing learnt), at `at`. */
export function conversationRecord(
  id: string,
  at: string,
  fields: Partial<ConversationRecord> = {},
): ConversationRecord {
  return {
    ...newConversationRecord({ id, channel: "web", locale: "zh-CN", localeFixed: false, at }),
    turn: 1,
    ...fields,
  };
}
