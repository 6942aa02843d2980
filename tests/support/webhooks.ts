/** Webhook test fixtures: a secret, a fast configuration, sample events and a logger whose lines are kept. */
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { vi } from "vitest";
import type { WebhookConfig } from "../../src/webhooks/config.js";
import type { WebhookEvent } from "../../src/webhooks/events.js";
import { Webhooks } from "../../src/webhooks/index.js";
import { MemoryWebhookQueue, type WebhookQueue } from "../../src/webhooks/queue.js";

export const SECRET = "posdesk-test-webhook-secret";

export function fastConfig(urls: string[], overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    urls,
    secret: SECRET,
    timeoutMs: 5_000,
    maxAttempts: 5,
    concurrency: 4,
    retryMs: 1,
    maxRetryMs: 1,
    ...overrides,
  };
}

/**
 * Webhooks over `queue` (memory by default), retrying after a millisecond: closed by `closeAll`. The queue is
 * not polled (an hour): every delivery must come from the sender waking itself when work is due.
 */
export function webhooksFor(
  urls: string[],
  overrides: Partial<WebhookConfig> = {},
  options: { queue?: WebhookQueue; logger?: Logger; start?: boolean } = {},
): Webhooks {
  const webhooks = new Webhooks({
    config: fastConfig(urls, overrides),
    queue: options.queue ?? new MemoryWebhookQueue(),
    retryDelay: () => 1,
    pollMs: 3_600_000,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (options.start !== false) webhooks.start();
  opened.push(webhooks);
  return webhooks;
}

const opened: Webhooks[] = [];

/** Waits until `check` passes (it throws until then); generous, so a busy machine does not fail it. */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 15_000, interval: 10 });
}

export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((w) => w.close()));
}

export function incidentConfirmed(id = "incident-1"): WebhookEvent {
  return {
    type: "incident.confirmed",
    data: {
      id,
      topic: "network_failure",
      message: "银联网络故障，正在抢修",
      count: 14,
      confirmedAt: "2026-11-30T10:00:00.000Z",
    },
  };
}

export function ratingGiven(comment: string): WebhookEvent {
  return {
    type: "rating.given",
    data: {
      conversationId: "c-rating",
      score: 2,
      comment,
      after: "handoff",
      topic: "refund_void",
      handoffId: "h-rating",
      at: "2026-11-30T10:05:00.000Z",
    },
  };
}

/** A pino logger writing JSON lines into `lines`. */
export function keptLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}
