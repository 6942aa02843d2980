/**
 * The switchboard between channels, the engine and agents: every merchant turn from any channel goes
 * through `handle`; every agent action goes through `reply` / `claim` / `close` and reaches the merchant
 * on the channel they wrote from. Live events go to the hub as they happen, and handoff events to the
 * webhooks (queued only: a turn never waits for a receiver).
 */
import { recordHandoffClosed } from "./analytics/record.js";
import { RollupCounts } from "./analytics/rollup.js";
import type { ChannelAdapter, Delivery } from "./channels/channel.js";
import { LiveHub } from "./channels/hub.js";
import type { Channel, HandoffRecord } from "./domain/handoff.js";
import type { IntentId } from "./domain/intents.js";
import type { Rating } from "./domain/rating.js";
import { maskCardNumbers } from "./domain/redact.js";
import { type ConversationEngine, EngineError, type Turn, type TurnResult } from "./engine/engine.js";
import type { Metrics } from "./metrics.js";
import type { ConversationRecord } from "./store/store.js";
import type { WebhookPublisher } from "./webhooks/events.js";

/** Told of each satisfaction rating as it is kept. */
export type RatingListener = (rating: Rating) => void | Promise<void>;

export class Switchboard {
  private readonly channels = new Map<Channel, ChannelAdapter>();
  private readonly ratingListeners = new Set<RatingListener>();
  /** Adapters that share a channel with another, each for its own conversations (`serves`); asked first. */
  private readonly sharing: ChannelAdapter[] = [];

  constructor(
    readonly engine: ConversationEngine,
    readonly hub: LiveHub = new LiveHub(),
    private readonly metrics?: Metrics,
    private readonly webhooks?: WebhookPublisher,
  ) {}

  /**
   * Calls `listener` for every rating given in this process's turns (the webhooks module publishes
   * `rating.given` from here), and again when its comment is added: the same `conversationId` and `at`,
   * now with `comment`. A listener that throws does not fail the turn. Returns the unsubscribe.
   */
  onRating(listener: RatingListener): () => void {
    this.ratingListeners.add(listener);
    return () => this.ratingListeners.delete(listener);
  }

  register(adapter: ChannelAdapter): void {
    if (adapter.serves) this.sharing.push(adapter);
    else this.channels.set(adapter.channel, adapter);
  }

  async handle(turn: Turn): Promise<TurnResult> {
    const started = performance.now();
    const result = await this.engine.handle(turn);
    const seconds = (performance.now() - started) / 1000;
    if (turn.opened) this.metrics?.recordOpened(turn.channel, seconds);
    else this.metrics?.recordTurn(turn.channel, result, seconds);
    const at = new Date().toISOString();
    const id = result.conversationId;
    // An opened chat has no merchant message: the bot speaks first.
    if (!turn.opened) {
      // A picture's message is what was read from it (masked), with what was typed beside it.
      const text = result.seen ? [result.seen.text, turn.text].filter((t) => t.trim()).join("\n") : turn.text;
      this.hub.publishConversation(id, {
        type: "message",
        from: "merchant",
        text: maskCardNumbers(text),
        at,
      });
    }
    result.replies.forEach((text, i) => {
      const last = i === result.replies.length - 1;
      this.hub.publishConversation(id, {
        type: "message",
        from: "bot",
        text,
        at,
        ...(last ? { options: result.options } : {}),
      });
    });
    if (result.rating) this.ratingGiven(result.rating);
    if (result.handoff) {
      this.hub.publishConversation(id, { type: "handoff", handoffId: result.handoff.id, status: "open" });
      this.hub.publishDesk({ type: "handoff.opened", handoffId: result.handoff.id, conversationId: id });
      await this.webhooks?.publish({
        type: "handoff.opened",
        data: { handoffId: result.handoff.id, conversationId: id, handoff: result.handoff },
      });
    } else if (result.openHandoffId) {
      this.hub.publishDesk({
        type: "handoff.updated",
        handoffId: result.openHandoffId,
        conversationId: id,
      });
    }
    return result;
  }

  async claim(handoffId: string, agent: string): Promise<HandoffRecord> {
    const claimed = await this.engine.claimHandoff(handoffId, agent);
    const conversationId = claimed.summary.conversationId;
    this.hub.publishDesk({ type: "handoff.updated", handoffId, conversationId });
    await this.publishClaimed(handoffId, conversationId, agent);
    return claimed;
  }

  /** The agent's message reaches the merchant on their own channel. */
  async reply(handoffId: string, text: string): Promise<void> {
    const handoff = await this.engine.store.getHandoff(handoffId);
    if (handoff?.status === "closed") throw new EngineError("handoff is closed", 409);
    // A merchant the channel cannot reach now: the agent is told, and nothing is recorded as sent.
    const current = handoff && (await this.engine.store.getConversation(handoff.summary.conversationId));
    const unreachable = current ? this.adapterFor(current)?.unreachable?.(current) : undefined;
    if (unreachable) throw new EngineError(unreachable, 409);
    const { conversation, text: masked } = await this.engine.agentMessage(handoffId, text);
    await this.deliver(conversation.channel, { conversation, from: "agent", text: masked });
    this.hub.publishDesk({ type: "handoff.updated", handoffId, conversationId: conversation.id });
    // An agent's first answer to an open handoff takes it, as a claim would (with nobody named).
    if (handoff?.status === "open") await this.publishClaimed(handoffId, conversation.id, null);
  }

  private publishClaimed(handoffId: string, conversationId: string, claimedBy: string | null) {
    return this.webhooks?.publish({
      type: "handoff.claimed",
      data: { handoffId, conversationId, claimedBy, claimedAt: new Date().toISOString() },
    });
  }

  /**
   * Ends the handoff with a resolution; the bot owns the chat again and tells the merchant so, asking them
   * to rate the agent's help (with the scores as quick replies) unless they were asked a moment ago.
   */
  async close(handoffId: string, resolution: IntentId, note?: string): Promise<HandoffRecord> {
    const { handoff, conversation, text, options } = await this.engine.closeHandoff(
      handoffId,
      resolution,
      note,
    );
    // What the agent found the problem to be, for the support lead's view (src/analytics/).
    const rollup = new RollupCounts();
    recordHandoffClosed(rollup, handoff, conversation);
    await this.engine.store.addToRollup(rollup.counts());
    await this.deliver(conversation.channel, { conversation, from: "bot", text, options });
    this.hub.publishConversation(conversation.id, { type: "handoff", handoffId, status: "closed" });
    this.hub.publishDesk({ type: "handoff.closed", handoffId, conversationId: conversation.id });
    await this.webhooks?.publish({
      type: "handoff.closed",
      data: {
        handoffId,
        conversationId: conversation.id,
        intent: handoff.summary.intent,
        resolution,
        note: handoff.note ?? "",
        closedAt: handoff.closedAt ?? new Date().toISOString(),
      },
    });
    return handoff;
  }

  private ratingGiven(rating: Rating): void {
    for (const listener of this.ratingListeners) {
      // The listener's failure is its own (a webhook down): the merchant's turn is done.
      try {
        void Promise.resolve(listener(rating)).catch(() => undefined);
      } catch {}
    }
    const { conversationId, score, comment, after, topic, handoffId, at } = rating;
    void this.webhooks?.publish({
      type: "rating.given",
      data: {
        conversationId,
        score,
        after,
        topic,
        at,
        ...(comment !== undefined ? { comment } : {}),
        ...(handoffId !== undefined ? { handoffId } : {}),
      },
    });
    // A handoff's rating shows on it in the console.
    if (rating.handoffId)
      this.hub.publishDesk({
        type: "handoff.updated",
        handoffId: rating.handoffId,
        conversationId: rating.conversationId,
      });
  }

  /** Why the merchant cannot be reached on their channel now (WeChat's 48-hour window), or undefined. */
  unreachable(conversation: ConversationRecord): string | undefined {
    return this.adapterFor(conversation)?.unreachable?.(conversation);
  }

  /**
   * A message from the bot outside the merchant's own turn (an incident's notice), already in the
   * transcript: it reaches them on their channel, with quick replies where it asks something.
   */
  async announce(conversation: ConversationRecord, text: string, options: string[] = []): Promise<void> {
    await this.deliver(conversation.channel, {
      conversation,
      from: "bot",
      text,
      ...(options.length > 0 ? { options } : {}),
    });
  }

  private adapterFor(conversation: ConversationRecord): ChannelAdapter | undefined {
    const { channel } = conversation;
    return (
      this.sharing.find((a) => a.channel === channel && a.serves?.(conversation)) ??
      this.channels.get(channel)
    );
  }

  private async deliver(channel: Channel, delivery: Delivery): Promise<void> {
    this.hub.publishConversation(delivery.conversation.id, {
      type: "message",
      from: delivery.from,
      text: delivery.text,
      at: new Date().toISOString(),
      proactive: true,
      ...(delivery.options?.length ? { options: delivery.options } : {}),
    });
    const adapter = this.adapterFor(delivery.conversation);
    if (adapter) await adapter.deliver(delivery);
    else this.hub.publishDelivery(channel, delivery);
  }

  /** Delivers what other processes publish for `adapter`'s channel (e.g. agent replies to WeChat). */
  serveDeliveries(adapter: ChannelAdapter): () => void {
    return this.hub.subscribeDeliveries(adapter.channel, (delivery) => {
      void adapter.deliver(delivery).catch(() => undefined);
    });
  }
}
