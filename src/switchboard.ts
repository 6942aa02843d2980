/**
 * The switchboard between channels, the engine and agents: every merchant turn from any channel goes
 * through `handle`; every agent action goes through `reply` / `claim` / `close` and reaches the merchant
 * on the channel they wrote from. Live events go to the hub as they happen.
 */
import { recordHandoffClosed } from "./analytics/record.js";
import { RollupCounts } from "./analytics/rollup.js";
import type { ChannelAdapter, Delivery } from "./channels/channel.js";
import { LiveHub } from "./channels/hub.js";
import type { Channel, HandoffRecord } from "./domain/handoff.js";
import type { IntentId } from "./domain/intents.js";
import { type ConversationEngine, EngineError, type Turn, type TurnResult } from "./engine/engine.js";
import type { Metrics } from "./metrics.js";
import { maskCardNumbers } from "./nlu/redact.js";
import type { ConversationRecord } from "./store/store.js";

export class Switchboard {
  private readonly channels = new Map<Channel, ChannelAdapter>();
  /** Adapters that share a channel with another, each for its own conversations (`serves`); asked first. */
  private readonly sharing: ChannelAdapter[] = [];

  constructor(
    readonly engine: ConversationEngine,
    readonly hub: LiveHub = new LiveHub(),
    private readonly metrics?: Metrics,
  ) {}

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
    if (result.handoff) {
      this.hub.publishConversation(id, { type: "handoff", handoffId: result.handoff.id, status: "open" });
      this.hub.publishDesk({ type: "handoff.opened", handoffId: result.handoff.id, conversationId: id });
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
    this.hub.publishDesk({
      type: "handoff.updated",
      handoffId,
      conversationId: claimed.summary.conversationId,
    });
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
  }

  /** Ends the handoff with a resolution; the bot owns the chat again and tells the merchant so. */
  async close(handoffId: string, resolution: IntentId, note?: string): Promise<HandoffRecord> {
    const { handoff, conversation, text } = await this.engine.closeHandoff(handoffId, resolution, note);
    // What the agent found the problem to be, for the support lead's view (src/analytics/).
    const rollup = new RollupCounts();
    recordHandoffClosed(rollup, handoff, conversation);
    await this.engine.store.addToRollup(rollup.counts());
    await this.deliver(conversation.channel, { conversation, from: "bot", text });
    this.hub.publishConversation(conversation.id, { type: "handoff", handoffId, status: "closed" });
    this.hub.publishDesk({ type: "handoff.closed", handoffId, conversationId: conversation.id });
    return handoff;
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
