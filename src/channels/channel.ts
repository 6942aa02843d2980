/** What a channel adapter is: a thin shell that turns its platform's messages into Turns and back. */
import type { Channel } from "../domain/handoff.js";
import type { ConversationRecord } from "../store/store.js";

/**
 * A message for the merchant that did not come as a reply to their own turn (an agent's, a closing note, an
 * incident's notice).
 */
export interface Delivery {
  conversation: ConversationRecord;
  from: "agent" | "bot";
  text: string;
  /**
   * Quick replies for a question the message asks (the rating question when a handoff closes, an incident's
   * "is yours the same?"): each channel shows them as it shows a turn's — buttons, suggested actions, or
   * numbered on WeChat.
   */
  options?: string[];
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** Sends `delivery` to the merchant on this channel (proactively). */
  deliver(delivery: Delivery): Promise<void>;
  /**
   * For an adapter that shares its channel with another (WeChat's Official Account beside Wechaty: both
   * are `wechat` in handoffs): whether `conversation` is one of its own.
   */
  serves?(conversation: ConversationRecord): boolean;
  /**
   * Why the merchant cannot be reached now (a platform's messaging window has closed), or undefined when
   * they can: asked before an agent's message is recorded, so the agent is told instead.
   */
  unreachable?(conversation: ConversationRecord): string | undefined;
}
