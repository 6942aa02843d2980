/**
 * WeChat posts a message again when it has no answer within 5 s (three tries in all): each message is one
 * turn however often it comes. The first post claims the message; a retry gets the first one's passive
 * reply if it is ready, or `success` (the answer then comes through the customer-service API, once).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { TtlStore } from "./ttl-store.js";
import type { InboundMessage } from "./xml.js";

/** How far a message has got. */
type Progress = { state: "running" } | { state: "answered"; texts: string[] } | { state: "sent" };

/** Long enough for WeChat's retries (15 s or so), and for a slow turn still running. */
const RUNNING_MS = 60_000;
const KEPT_MS = 5 * 60_000;
const POLL_MS = 100;

/** WeChat's advice: messages by MsgId, events (which have none) by sender and time. */
export function messageKey(message: InboundMessage): string {
  return message.MsgId ? `msg:${message.MsgId}` : `event:${message.FromUserName}:${message.CreateTime}`;
}

export class SeenMessages {
  constructor(private readonly shared: TtlStore) {}

  /** True for the first post of a message: this one runs the turn. */
  claim(key: string): Promise<boolean> {
    return this.shared.add(key, JSON.stringify({ state: "running" } satisfies Progress), RUNNING_MS);
  }

  /** The turn was answered by a passive reply with `texts` (none: nothing to say). */
  answered(key: string, texts: string[]): Promise<void> {
    return this.shared.set(key, JSON.stringify({ state: "answered", texts } satisfies Progress), KEPT_MS);
  }

  /** The answer went (or was left) to the customer-service API. */
  sent(key: string): Promise<void> {
    return this.shared.set(key, JSON.stringify({ state: "sent" } satisfies Progress), KEPT_MS);
  }

  /** For a retry: the first post's passive reply, if it is ready within `ms`; undefined otherwise. */
  async passiveReply(key: string, ms: number): Promise<string[] | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const json = await this.shared.get(key);
      const progress = json ? (JSON.parse(json) as Progress) : undefined;
      if (progress?.state === "answered") return progress.texts;
      if (progress?.state !== "running" || Date.now() + POLL_MS > deadline) return undefined;
      await sleep(POLL_MS);
    }
  }
}
