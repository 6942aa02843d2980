/**
 * Live events inside one process: what a conversation's subscribers (the web widget's event stream) and
 * the agent console must see as it happens.
 */
import { EventEmitter } from "node:events";
import type { HandoffStatus } from "../engine/handoff.js";

export type ConversationEvent =
  | {
      type: "message";
      from: "merchant" | "bot" | "agent";
      text: string;
      at: string;
      options?: string[];
      /** Not a reply to a merchant's turn: an agent's message, or the bot's note when a handoff closes. */
      proactive?: boolean;
    }
  | { type: "handoff"; handoffId: string; status: HandoffStatus };

export interface DeskEvent {
  type: "handoff.opened" | "handoff.updated" | "handoff.closed";
  handoffId: string;
  conversationId: string;
}

export class LiveHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publishConversation(conversationId: string, event: ConversationEvent): void {
    this.emitter.emit(`conversation:${conversationId}`, event);
  }

  subscribeConversation(conversationId: string, listener: (event: ConversationEvent) => void): () => void {
    const name = `conversation:${conversationId}`;
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  publishDesk(event: DeskEvent): void {
    this.emitter.emit("desk", event);
  }

  subscribeDesk(listener: (event: DeskEvent) => void): () => void {
    this.emitter.on("desk", listener);
    return () => this.emitter.off("desk", listener);
  }
}
