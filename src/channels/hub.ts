/**
 * Live events: what a conversation's subscribers (the web widget's event stream) and the agent console
 * must see as it happens, and deliveries for a channel whose adapter runs in another process. `LiveHub`
 * works inside one process; `RedisHub` carries the same events between processes over Redis pub/sub.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Channel, HandoffStatus } from "../domain/handoff.js";
import type { TopicId } from "../domain/intents.js";
import type { Delivery } from "./channel.js";

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

export type DeskEvent =
  | {
      type: "handoff.opened" | "handoff.updated" | "handoff.closed";
      handoffId: string;
      conversationId: string;
    }
  | {
      /** `updated`: conversations joined it; `lapsed`: suspected, then quiet for a whole window. */
      type:
        | "incident.detected"
        | "incident.updated"
        | "incident.confirmed"
        | "incident.closed"
        | "incident.lapsed";
      incidentId: string;
      topic: TopicId;
    };

type Envelope =
  | { kind: "conversation"; id: string; event: ConversationEvent }
  | { kind: "desk"; event: DeskEvent }
  | { kind: "delivery"; channel: Channel; delivery: Delivery };

export class LiveHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publishConversation(conversationId: string, event: ConversationEvent): void {
    this.publish({ kind: "conversation", id: conversationId, event });
  }

  publishDesk(event: DeskEvent): void {
    this.publish({ kind: "desk", event });
  }

  /** A delivery for a channel this process has no adapter for: the process that has one sends it. */
  publishDelivery(channel: Channel, delivery: Delivery): void {
    this.publish({ kind: "delivery", channel, delivery });
  }

  subscribeConversation(conversationId: string, listener: (event: ConversationEvent) => void): () => void {
    return this.on(`conversation:${conversationId}`, listener);
  }

  subscribeDesk(listener: (event: DeskEvent) => void): () => void {
    return this.on("desk", listener);
  }

  subscribeDeliveries(channel: Channel, listener: (delivery: Delivery) => void): () => void {
    return this.on(`delivery:${channel}`, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }

  protected publish(envelope: Envelope): void {
    this.dispatch(envelope);
  }

  protected dispatch(envelope: Envelope): void {
    if (envelope.kind === "conversation") this.emitter.emit(`conversation:${envelope.id}`, envelope.event);
    else if (envelope.kind === "desk") this.emitter.emit("desk", envelope.event);
    else this.emitter.emit(`delivery:${envelope.channel}`, envelope.delivery);
  }

  private on<T>(name: string, listener: (value: T) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}

/** The hub over Redis pub/sub: an agent on process A reaches a merchant whose widget is on process B. */
export class RedisHub extends LiveHub {
  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly topic: string,
  ) {
    super();
  }

  static async connect(redis: Redis, topic = "posdesk:events"): Promise<RedisHub> {
    const subscriber = redis.duplicate();
    subscriber.on("error", () => undefined);
    const hub = new RedisHub(redis, subscriber, topic);
    subscriber.on("message", (_channel: string, message: string) =>
      hub.dispatch(JSON.parse(message) as Envelope),
    );
    await subscriber.subscribe(topic);
    return hub;
  }

  protected override publish(envelope: Envelope): void {
    void this.publisher.publish(this.topic, JSON.stringify(envelope)).catch(() => {
      // Redis is down: live updates are best-effort (the transcript in the store is the record).
    });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
