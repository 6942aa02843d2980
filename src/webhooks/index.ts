/**
 * Webhooks: events (handoffs, incidents, ratings) POSTed as signed JSON to the configured URLs, from a queue
 * kept beside the conversations. `publish` is one write to the queue; delivery is the dispatcher's, in the
 * background. Card numbers are masked in every body.
 */
import type { Logger } from "pino";
import { maskedJson } from "../domain/redact.js";
import { RedisStore } from "../store/redis.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { retryDelay as defaultRetryDelay, type WebhookConfig } from "./config.js";
import { Dispatcher, type WebhookMetrics } from "./dispatcher.js";
import { type WebhookEnvelope, WebhookEvent, type WebhookPublisher } from "./events.js";
import { uuidv7 } from "./ids.js";
import type { DeadLetter, NewDelivery, WebhookQueue } from "./queue.js";
import { MemoryWebhookQueue } from "./queue.js";
import { RedisWebhookQueue } from "./queue-redis.js";
import { SqliteWebhookQueue } from "./queue-sqlite.js";

export interface WebhooksOptions {
  config: WebhookConfig;
  queue: WebhookQueue;
  logger?: Logger;
  metrics?: WebhookMetrics;
  /** Milliseconds since the epoch; tests may set the clock. */
  now?: () => number;
  /** The wait before the next attempt after `attempts` failed ones (default: doubling with jitter). */
  retryDelay?: (attempts: number) => number;
  /** How often the queue is looked at when nothing else woke the sender (default 1 s). */
  pollMs?: number;
}

/** The queue where the store is: a table in its SQLite file, keys in its Redis, or memory. */
export function webhookQueueFor(store: Store): WebhookQueue {
  if (store instanceof SqliteStore) return new SqliteWebhookQueue(store.db);
  if (store instanceof RedisStore) return new RedisWebhookQueue(store.redis, store.prefix);
  return new MemoryWebhookQueue();
}

export class Webhooks implements WebhookPublisher {
  private readonly dispatcher: Dispatcher;
  private readonly now: () => number;

  constructor(private readonly options: WebhooksOptions) {
    this.now = options.now ?? Date.now;
    const { config } = options;
    this.dispatcher = new Dispatcher({
      queue: options.queue,
      config,
      retryDelay: options.retryDelay ?? ((attempts) => defaultRetryDelay(attempts, config)),
      now: this.now,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
  }

  /**
   * Queues the event for each URL (one write), unless the event filter leaves it out. Never rejects and
   * never waits for a delivery: a malformed event or a queue that cannot be written is logged, and the
   * caller's work (a turn, an agent's action) goes on.
   */
  async publish(event: WebhookEvent): Promise<void> {
    const { config, logger } = this.options;
    try {
      const parsed = WebhookEvent.safeParse(event);
      if (!parsed.success) {
        logger?.error(
          { event: event?.type, issues: parsed.error.issues },
          "webhooks: malformed event dropped",
        );
        return;
      }
      if (config.events && !config.events.has(parsed.data.type)) return;
      const now = this.now();
      const createdAt = new Date(now).toISOString();
      const envelope: WebhookEnvelope = { id: uuidv7(now), ...parsed.data, createdAt };
      const body = maskedJson({ id: envelope.id, type: envelope.type, createdAt, data: envelope.data });
      const deliveries: NewDelivery[] = config.urls.map((url) => ({
        id: uuidv7(now),
        eventId: envelope.id,
        event: envelope.type,
        url,
        body,
        createdAt,
      }));
      await this.options.queue.enqueue(deliveries, now);
      this.dispatcher.kick();
    } catch (error) {
      logger?.error({ err: error, event: event?.type }, "webhooks: event could not be queued");
    }
  }

  /** Starts sending what is queued (also what an earlier run left). */
  start(): void {
    this.dispatcher.start();
  }

  /** Stops sending; requests in flight finish first. Nothing queued is lost: the next start sends it. */
  close(): Promise<void> {
    return this.dispatcher.stop();
  }

  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return this.options.queue.deadLetters(limit);
  }

  /** A dead letter queued again for now, with a fresh count of attempts. False when there is no such one. */
  async redeliver(id: string): Promise<boolean> {
    const revived = await this.options.queue.revive(id, this.now());
    if (revived) this.dispatcher.kick();
    return revived;
  }

  pending(): Promise<number> {
    return this.options.queue.pending();
  }
}

export type { WebhookConfig } from "./config.js";
export { parseWebhookConfig, WebhookConfigError } from "./config.js";
export type { WebhookEvent, WebhookEventType, WebhookPublisher } from "./events.js";
