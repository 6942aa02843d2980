/**
 * Sends queued deliveries in the background: claims what is due (up to `concurrency` requests in flight),
 * POSTs each signed with a timeout, and completes, retries (doubling back-off with jitter) or dead-letters
 * it. Nothing here is awaited by a turn: publishing only queues, and wakes this loop on the next tick.
 */
import type { Logger } from "pino";
import type { WebhookConfig } from "./config.js";
import type { ClaimedDelivery, WebhookQueue } from "./queue.js";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from "./signature.js";

export type WebhookOutcome = "delivered" | "retried" | "dead";

export interface WebhookMetrics {
  recordWebhook(event: string, outcome: WebhookOutcome): void;
}

export interface DispatcherOptions {
  queue: WebhookQueue;
  config: WebhookConfig;
  logger?: Logger;
  metrics?: WebhookMetrics;
  /** Milliseconds since the epoch (due times, the signed timestamp). */
  now?: () => number;
  /** The wait before the next attempt after `attempts` failed ones. */
  retryDelay: (attempts: number) => number;
  /** How often the queue is looked at when nothing woke the loop (other processes' events, lost leases). */
  pollMs?: number;
}

export const DEFAULT_POLL_MS = 1000;

/** Where a delivery went, for logs: the receiver's address without its query (which may hold a token). */
export function logUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
}

function failure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return "timed out";
  return String(e?.cause?.code ?? e?.cause?.message ?? e?.message ?? error).slice(0, 500);
}

export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private running = false;
  private pumping = false;
  private again = false;
  private kicked = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;
  private queueFailing = false;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    // Longer than any request can last (it is aborted at the timeout): another process takes a delivery
    // over only when its sender is gone.
    this.leaseMs = options.config.timeoutMs * 2 + 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  /** Looks at the queue soon (on the next turn of the event loop, never inside the caller's). */
  kick(): void {
    if (!this.running || this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.pump();
    });
  }

  /** Stops claiming; the requests in flight finish (each within the timeout) and are recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0 || this.pumping) {
      await Promise.all([...this.inFlight]);
      if (this.pumping) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.claimAndSend().finally(() => {
      this.pumping = false;
      if (this.again) this.kick();
      this.again = false;
    });
  }

  private async claimAndSend(): Promise<void> {
    const { queue, config, logger } = this.options;
    let full = true;
    while (this.running && full) {
      const room = config.concurrency - this.inFlight.size;
      if (room <= 0) return;
      let claimed: ClaimedDelivery[];
      try {
        claimed = await queue.claim(this.now(), room, this.leaseMs);
        if (this.queueFailing) logger?.info("webhooks: the queue answers again");
        this.queueFailing = false;
      } catch (error) {
        if (!this.queueFailing) logger?.warn({ err: error }, "webhooks: the queue cannot be read; retrying");
        this.queueFailing = true;
        break;
      }
      for (const delivery of claimed) this.track(this.deliver(delivery));
      full = claimed.length === room;
    }
    if (this.running) this.wake(this.now() + this.pollMs);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.kick();
    });
  }

  /** Wakes the loop at `at` (ms since the epoch), or earlier if already due to wake. */
  private wake(at: number): void {
    if (!this.running || at >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = at;
    const arm = () => {
      // Timers count from the event loop's cached time, which may lag the clock: one can fire a little
      // before `at`, when the retry is not due yet and would wait for the next poll. Then it waits again.
      const left = at - this.now();
      if (left > 0) {
        this.timer = setTimeout(arm, left);
        // A pending retry never keeps a process alive that has nothing else to do.
        this.timer.unref();
        return;
      }
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.timer = undefined;
      this.kick();
    };
    arm();
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { queue, config, logger, metrics } = this.options;
    const error = await this.send(delivery);
    const log = { delivery: delivery.id, event: delivery.event, url: logUrl(delivery.url) };
    try {
      if (error === null) {
        await queue.complete(delivery);
        metrics?.recordWebhook(delivery.event, "delivered");
        logger?.debug({ ...log, attempts: delivery.attempts }, "webhook delivered");
      } else if (delivery.attempts >= config.maxAttempts) {
        await queue.bury(delivery, this.now(), error);
        metrics?.recordWebhook(delivery.event, "dead");
        logger?.warn(
          { ...log, attempts: delivery.attempts, error },
          "webhook dead-lettered after its last attempt",
        );
      } else {
        const dueAt = this.now() + this.options.retryDelay(delivery.attempts);
        await queue.retry(delivery, dueAt, error);
        metrics?.recordWebhook(delivery.event, "retried");
        logger?.info(
          { ...log, attempts: delivery.attempts, error, retryAt: dueAt },
          "webhook failed; will retry",
        );
        this.wake(dueAt);
      }
    } catch (queueError) {
      // Recorded nowhere: the lease runs out and the delivery is claimed again.
      logger?.error({ ...log, err: queueError }, "webhooks: the outcome of a delivery could not be saved");
    }
  }

  /** One attempt: null when the receiver answered 2xx, else what went wrong. Never throws. */
  private async send(delivery: ClaimedDelivery): Promise<string | null> {
    const { config } = this.options;
    const timestamp = Math.floor(this.now() / 1000);
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "posdesk-webhooks",
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(config.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        // A redirect is an answer of its own, not followed: the receiver's address is the configured one.
        redirect: "manual",
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return failure(error);
    }
  }
}
