/**
 * Prometheus metrics (prom-client): turns, intents, flows, escalations, containment, turn latency, webhook
 * deliveries.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { TurnResult } from "./engine/engine.js";
import type { WebhookMetrics, WebhookOutcome } from "./webhooks/dispatcher.js";

export class Metrics implements WebhookMetrics {
  readonly registry = new Registry();
  private readonly turns = new Counter({
    name: "posdesk_turns_total",
    help: "Merchant turns handled, by channel and intent",
    labelNames: ["channel", "intent"] as const,
    registers: [this.registry],
  });
  private readonly flows = new Counter({
    name: "posdesk_flow_turns_total",
    help: "Turns that ended inside a troubleshooting flow, by flow",
    labelNames: ["flow"] as const,
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: "posdesk_escalations_total",
    help: "Handoffs to a human agent, by reason",
    labelNames: ["reason", "intent"] as const,
    registers: [this.registry],
  });
  private readonly opened = new Counter({
    name: "posdesk_chats_opened_total",
    help: "Chats opened before the merchant wrote (the bot greeted first), by channel",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });
  private readonly conversations = new Counter({
    name: "posdesk_conversations_total",
    help: "Conversations started",
    registers: [this.registry],
  });
  private readonly containment = new Gauge({
    name: "posdesk_containment_ratio",
    help: "Share of conversations started in this process that did not need a human",
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "posdesk_turn_seconds",
    help: "Time to handle one turn, store included",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly webhooks = new Counter({
    name: "posdesk_webhook_attempts_total",
    help: "Webhook attempts, by event and outcome (delivered; failed and retried; failed for the last time, dead-lettered)",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });
  private started = 0;
  private escalated = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "posdesk_" });
  }

  /**
   * A chat opened (the bot's welcome): not a merchant turn, so it counts neither as an intent nor as a
   * conversation started; the merchant's first message does.
   */
  recordOpened(channel: string, seconds: number): void {
    this.opened.inc({ channel });
    this.latency.observe(seconds);
  }

  recordTurn(channel: string, result: TurnResult, seconds: number): void {
    this.turns.inc({ channel, intent: result.intent });
    this.latency.observe(seconds);
    if (result.flow) this.flows.inc({ flow: result.flow });
    if (result.turn === 1) {
      this.started += 1;
      this.conversations.inc();
    }
    if (result.handoff) {
      this.escalated += 1;
      this.escalations.inc({ reason: result.handoff.reason, intent: result.handoff.intent });
    }
    if (this.started > 0) this.containment.set(Math.max(0, 1 - this.escalated / this.started));
  }

  recordWebhook(event: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ event, outcome });
  }
}
