/**
 * Webhooks on a real Redis shared by several posdesk processes (each its own connection and sender): every
 * event is delivered once, whichever process queued it; what is queued outlives a process; dead letters are
 * seen from any process.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisStore, redisClient } from "../../src/store/redis.js";
import { webhookQueueFor } from "../../src/webhooks/index.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { closeAll, eventually, incidentConfirmed, SECRET, webhooksFor } from "../support/webhooks.js";

let redis: RedisServer;
let receiver: Receiver;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await closeAll();
  await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  await receiver?.close();
});
afterAll(async () => {
  await redis.stop();
});

/** A process's store on the shared Redis (its own connection), under one deployment's prefix. */
function storeOf(prefix: string): RedisStore {
  const client = redisClient(redis.url);
  clients.push(client);
  return new RedisStore(client, { prefix });
}

describe("webhooks on a shared Redis", () => {
  it("deliver each event once, though three processes send from the same queue", async () => {
    receiver = await startReceiver(SECRET);
    const prefix = `p-${randomUUID()}:`;
    const processes = [0, 1, 2].map(() =>
      webhooksFor([receiver.url], { concurrency: 3 }, { queue: webhookQueueFor(storeOf(prefix)) }),
    );
    const count = 60;
    await Promise.all(
      Array.from({ length: count }, (_, i) => processes[i % 3]?.publish(incidentConfirmed(`incident-${i}`))),
    );
    await receiver.deliveredCount(count);
    await eventually(async () => expect(await processes[0]?.pending()).toBe(0));

    expect(receiver.requests).toHaveLength(count);
    expect(new Set(receiver.requests.map((r) => r.delivery)).size).toBe(count);
    expect(new Set(receiver.delivered.map((r) => r.payload.data.id)).size).toBe(count);
  });

  it("keep what one process queued for another to send after it is gone", async () => {
    receiver = await startReceiver(SECRET);
    const prefix = `p-${randomUUID()}:`;
    const gone = storeOf(prefix);
    const stopped = webhooksFor([receiver.url], {}, { queue: webhookQueueFor(gone), start: false });
    await stopped.publish(incidentConfirmed("left-behind"));
    await stopped.close();
    await gone.close();

    webhooksFor([receiver.url], {}, { queue: webhookQueueFor(storeOf(prefix)) });
    await receiver.deliveredCount(1);
    expect(receiver.delivered[0]?.payload.data.id).toBe("left-behind");
  });

  it("show a dead letter to every process, and send it again from any", async () => {
    receiver = await startReceiver(SECRET);
    receiver.answer(() => 500);
    const prefix = `p-${randomUUID()}:`;
    const sender = webhooksFor(
      [receiver.url],
      { maxAttempts: 2 },
      { queue: webhookQueueFor(storeOf(prefix)) },
    );
    const other = webhooksFor(
      [receiver.url],
      { maxAttempts: 2 },
      { queue: webhookQueueFor(storeOf(prefix)) },
    );
    await sender.publish(incidentConfirmed("doomed"));
    const [dead] = await eventually(async () => {
      const letters = await other.deadLetters();
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(dead).toMatchObject({ attempts: 2, lastError: "HTTP 500" });

    receiver.answer(() => 200);
    expect(await other.redeliver(dead?.id ?? "")).toBe(true);
    await receiver.deliveredCount(1);
    expect(receiver.delivered[0]?.delivery).toBe(dead?.id);
    expect(await sender.deadLetters()).toEqual([]);
  });
});
