/**
 * The webhook queue keeps the same promises on every backend: memory, a table in the store's SQLite file,
 * and a real Redis. Claims are atomic (two consumers never get the same delivery), leases run out, and what
 * is queued outlives the connection that queued it.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisClient } from "../../src/store/redis.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { uuidv7 } from "../../src/webhooks/ids.js";
import { MemoryWebhookQueue, type NewDelivery, type WebhookQueue } from "../../src/webhooks/queue.js";
import { RedisWebhookQueue } from "../../src/webhooks/queue-redis.js";
import { SqliteWebhookQueue } from "../../src/webhooks/queue-sqlite.js";
import { type RedisServer, startRedis } from "../support/redis.js";

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "posdesk-webhook-queue-"));
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  /** What is queued outlives the connection (not so in memory). */
  persistent: boolean;
  /** A queue; `another` is a second consumer of the same queue (another connection, as another process has). */
  open(): { queue: WebhookQueue; another(): WebhookQueue; reopen?(): Promise<WebhookQueue> };
}

const backends: Record<string, Backend> = {
  memory: {
    persistent: false,
    open() {
      const queue = new MemoryWebhookQueue();
      return { queue, another: () => queue };
    },
  },
  sqlite: {
    persistent: true,
    open() {
      const path = join(dir, `${randomUUID()}.db`);
      const opened = (): SqliteStore => {
        const store = new SqliteStore(path);
        closers.push(() => store.close());
        return store;
      };
      const first = opened();
      return {
        queue: new SqliteWebhookQueue(first.db),
        another: () => new SqliteWebhookQueue(opened().db),
        async reopen() {
          await first.close();
          return new SqliteWebhookQueue(opened().db);
        },
      };
    },
  },
  redis: {
    persistent: true,
    open() {
      const prefix = `test-${randomUUID()}:`;
      const client = () => {
        const c = redisClient(redis.url);
        closers.push(async () => {
          await c.quit().catch(() => c.disconnect());
        });
        return c;
      };
      const first = client();
      return {
        queue: new RedisWebhookQueue(first, prefix),
        another: () => new RedisWebhookQueue(client(), prefix),
        async reopen() {
          await first.quit();
          return new RedisWebhookQueue(client(), prefix);
        },
      };
    },
  },
};

const T = 1_764_500_000_000;
const LEASE = 30_000;

/** Deliveries as `Webhooks.publish` makes them: version-7 ids, in the order they were made. */
function deliveries(count: number, event: NewDelivery["event"] = "handoff.opened"): NewDelivery[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    eventId: `event-${i}`,
    event,
    url: `http://127.0.0.1:9/hook-${i}`,
    body: JSON.stringify({ n: i }),
    createdAt: new Date(T).toISOString(),
  }));
}

describe.each(Object.entries(backends))("the %s webhook queue", (_name, backend) => {
  it("gives due deliveries, counting an attempt, and keeps back those not yet due", async () => {
    const { queue } = backend.open();
    const [now, later] = [deliveries(1), deliveries(1)];
    await queue.enqueue(now, T);
    await queue.enqueue(later, T + 60_000);
    const claimed = await queue.claim(T, 10, LEASE);
    expect(claimed).toEqual([{ ...now[0], attempts: 1, lastError: null, claim: expect.any(String) }]);
    expect(await queue.pending()).toBe(2);
  });

  it("gives deliveries due at the same time in the order they were queued", async () => {
    const { queue } = backend.open();
    const queued = deliveries(3);
    for (const d of queued) await queue.enqueue([d], T);
    const claimed = await queue.claim(T, 10, LEASE);
    expect(claimed.map((d) => d.id)).toEqual(queued.map((d) => d.id));
  });

  it("does not give a claimed delivery again until its lease runs out", async () => {
    const { queue } = backend.open();
    await queue.enqueue(deliveries(1), T);
    const [first] = await queue.claim(T, 10, LEASE);
    expect(await queue.claim(T + LEASE - 1, 10, LEASE)).toEqual([]);
    const [again] = await queue.claim(T + LEASE, 10, LEASE);
    expect(again).toMatchObject({ id: first?.id, attempts: 2 });
    expect(again?.claim).not.toBe(first?.claim);
  });

  it("forgets a delivered one", async () => {
    const { queue } = backend.open();
    await queue.enqueue(deliveries(2), T);
    const [one] = await queue.claim(T, 1, LEASE);
    expect(one && (await queue.complete(one))).toBe(true);
    expect(await queue.pending()).toBe(1);
  });

  it("refuses the outcome from a sender whose lease was taken over", async () => {
    const { queue } = backend.open();
    await queue.enqueue(deliveries(1), T);
    const [stale] = await queue.claim(T, 1, LEASE);
    const [current] = await queue.claim(T + LEASE, 1, LEASE);
    if (!stale || !current) throw new Error("nothing claimed");
    expect(await queue.complete(stale)).toBe(false);
    expect(await queue.retry(stale, T, "late")).toBe(false);
    expect(await queue.bury(stale, T, "late")).toBe(false);
    expect(await queue.complete(current)).toBe(true);
  });

  it("gives a failed one again when its retry is due, with the error kept", async () => {
    const { queue } = backend.open();
    await queue.enqueue(deliveries(1), T);
    const [first] = await queue.claim(T, 1, LEASE);
    if (!first) throw new Error("nothing claimed");
    expect(await queue.retry(first, T + 5_000, "HTTP 503")).toBe(true);
    expect(await queue.claim(T + 4_999, 1, LEASE)).toEqual([]);
    expect(await queue.claim(T + 5_000, 1, LEASE)).toEqual([
      expect.objectContaining({ id: first.id, attempts: 2, lastError: "HTTP 503" }),
    ]);
  });

  it("keeps a dead letter aside, most recent first, and queues it again on request", async () => {
    const { queue } = backend.open();
    const [a, b] = deliveries(2);
    if (!a || !b) throw new Error("no deliveries");
    await queue.enqueue([a, b], T);
    const [first, second] = await queue.claim(T, 2, LEASE);
    if (!first || !second) throw new Error("nothing claimed");
    await queue.bury(first, T + 1, "HTTP 500");
    await queue.bury(second, T + 2, "timed out");
    expect(await queue.claim(T + 10 * LEASE, 10, LEASE)).toEqual([]);
    expect(await queue.pending()).toBe(0);
    expect(await queue.deadLetters()).toEqual([
      { ...b, attempts: 1, lastError: "timed out", deadAt: new Date(T + 2).toISOString() },
      { ...a, attempts: 1, lastError: "HTTP 500", deadAt: new Date(T + 1).toISOString() },
    ]);

    expect(await queue.revive(a.id, T + 3)).toBe(true);
    expect(await queue.revive(a.id, T + 3)).toBe(false);
    expect(await queue.revive("no-such-delivery", T + 3)).toBe(false);
    expect(await queue.claim(T + 3, 10, LEASE)).toEqual([expect.objectContaining({ id: a.id, attempts: 1 })]);
    expect((await queue.deadLetters()).map((d) => d.id)).toEqual([b.id]);
  });

  it("never gives one delivery to two consumers claiming at once", async () => {
    const { queue, another } = backend.open();
    const consumers = [queue, another(), another()];
    const queued = deliveries(120);
    await queue.enqueue(queued, T);
    const taken = await Promise.all(
      consumers.map(async (consumer) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await consumer.claim(T, 7, LEASE);
          if (batch.length === 0) return mine;
          mine.push(...batch.map((d) => d.id));
        }
      }),
    );
    const all = taken.flat();
    expect(all).toHaveLength(queued.length);
    expect(new Set(all)).toEqual(new Set(queued.map((d) => d.id)));
  });

  // Memory keeps nothing past its process: there is no connection to close.
  if (backend.persistent)
    it("keeps what is queued when its connection closes", async () => {
      const opened = backend.open();
      const queued = deliveries(2);
      await opened.queue.enqueue(queued, T);
      const [inFlight] = await opened.queue.claim(T, 1, LEASE);
      const reopened = (await opened.reopen?.()) as WebhookQueue;
      expect(await reopened.pending()).toBe(2);
      // The one claimed when the connection went is given again once its lease has run out.
      const claimed = await reopened.claim(T + LEASE, 10, LEASE);
      expect(claimed.map((d) => d.id).sort()).toEqual(queued.map((d) => d.id).sort());
      expect(claimed.find((d) => d.id === inFlight?.id)?.attempts).toBe(2);
    });
});
