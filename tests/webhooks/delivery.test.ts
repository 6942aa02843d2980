/** Delivering events: signed POSTs to local receivers, retries, time-outs, dead letters, the filter. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ClaimedDelivery, MemoryWebhookQueue } from "../../src/webhooks/queue.js";
import { type Receiver, startReceiver, verify } from "../support/webhook-receiver.js";
import {
  closeAll,
  eventually,
  incidentConfirmed,
  keptLogger,
  ratingGiven,
  SECRET,
  webhooksFor,
} from "../support/webhooks.js";

const receivers: Receiver[] = [];
async function receiver(): Promise<Receiver> {
  const r = await startReceiver(SECRET);
  receivers.push(r);
  return r;
}

afterEach(async () => {
  await closeAll();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("a published event", () => {
  it("is POSTed to every URL as JSON, signed, with its event type and a delivery id", async () => {
    const [a, b] = [await receiver(), await receiver()];
    const webhooks = webhooksFor([a.url, b.url]);
    await webhooks.publish(incidentConfirmed());
    await Promise.all([a.deliveredCount(1), b.deliveredCount(1)]);

    for (const r of [a, b]) {
      const [request] = r.requests;
      expect(request).toMatchObject({
        verified: true,
        event: "incident.confirmed",
        contentType: "application/json",
      });
      expect(request?.delivery).toMatch(UUID);
      expect(request?.payload).toEqual({
        id: expect.stringMatching(UUID),
        type: "incident.confirmed",
        createdAt: expect.any(String),
        data: incidentConfirmed().data,
      });
    }
    // One event, one id; each URL its own delivery.
    expect(a.requests[0]?.payload.id).toBe(b.requests[0]?.payload.id);
    expect(a.requests[0]?.delivery).not.toBe(b.requests[0]?.delivery);
  });

  it("carries card numbers masked", async () => {
    const r = await receiver();
    await webhooksFor([r.url]).publish(
      ratingGiven("卡号 4111 1111 1111 1111 被扣了两次，6222021234567894 也是"),
    );
    await r.deliveredCount(1);
    const request = r.requests[0];
    expect(request?.payload.data.comment).toBe("卡号 411111******1111 被扣了两次，622202******7894 也是");
    expect(request?.body).not.toMatch(/4111 1111 1111 1111|4111111111111111|6222021234567894/);
  });

  it("is signed so that a changed body or another secret does not verify", async () => {
    const r = await receiver();
    await webhooksFor([r.url]).publish(incidentConfirmed());
    await r.deliveredCount(1);
    const request = r.requests[0];
    expect(request && verify(SECRET, request.timestamp, request.body, request.signature)).toBe(true);
    expect(request && verify(SECRET, request.timestamp, `${request.body} `, request.signature)).toBe(false);
    expect(request && verify(`${SECRET}x`, request.timestamp, request.body, request.signature)).toBe(false);
  });
});

describe("a receiver that fails", () => {
  it("gets the event after retries once it answers again, under the same delivery id", async () => {
    const r = await receiver();
    r.answer((_request, n) => (n <= 2 ? 500 : 200));
    const webhooks = webhooksFor([r.url]);
    await webhooks.publish(incidentConfirmed());
    await r.deliveredCount(1);

    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.delivery)).size).toBe(1);
    expect(r.requests.every((q) => q.verified)).toBe(true);
    await eventually(async () => expect(await webhooks.pending()).toBe(0));
  });

  it("that is slower than the time-out is cut off and tried again", async () => {
    const r = await receiver();
    r.answer((_request, n) => (n === 1 ? "hang" : 200));
    const webhooks = webhooksFor([r.url], { timeoutMs: 300 });
    await webhooks.publish(incidentConfirmed());
    await r.deliveredCount(1);

    expect(r.requests[0]).toMatchObject({ abandoned: true, answered: false });
    expect(new Set(r.requests.map((q) => q.delivery))).toEqual(new Set([r.requests[0]?.delivery]));
    await eventually(async () => expect(await webhooks.pending()).toBe(0));
  });

  it("on every attempt has the delivery dead-lettered, kept with its last error, and sent again on request", async () => {
    const r = await receiver();
    r.answer(() => 500);
    const { logger, lines } = keptLogger();
    const webhooks = webhooksFor([r.url], { maxAttempts: 3 }, { logger });
    await webhooks.publish(incidentConfirmed());
    await eventually(async () => expect(await webhooks.deadLetters()).toHaveLength(1));

    const [dead] = await webhooks.deadLetters();
    expect(dead).toMatchObject({
      event: "incident.confirmed",
      url: r.url,
      attempts: 3,
      lastError: "HTTP 500",
      deadAt: expect.any(String),
    });
    expect(r.requests).toHaveLength(3);
    expect(await webhooks.pending()).toBe(0);
    expect(lines.find((l) => l.msg === "webhook dead-lettered after its last attempt")).toMatchObject({
      level: 40,
      delivery: dead?.id,
    });

    r.answer(() => 200);
    expect(await webhooks.redeliver(dead?.id ?? "")).toBe(true);
    await r.deliveredCount(1);
    expect(r.delivered[0]?.delivery).toBe(dead?.id);
    expect(await webhooks.deadLetters()).toEqual([]);
  });

  it("that refuses connections is retried like one that answers an error", async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const webhooks = webhooksFor([url], { maxAttempts: 2 });
    await webhooks.publish(incidentConfirmed());
    await eventually(async () => expect(await webhooks.deadLetters()).toHaveLength(1));
    expect((await webhooks.deadLetters())[0]).toMatchObject({ attempts: 2, lastError: "ECONNREFUSED" });
  });
});

describe("sending", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    // In flight: claimed from the queue and not yet recorded as delivered.
    const queue = new (class extends MemoryWebhookQueue {
      inFlight = 0;
      mostInFlight = 0;
      override async claim(now: number, limit: number, leaseMs: number) {
        const claimed = await super.claim(now, limit, leaseMs);
        this.inFlight += claimed.length;
        this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
        return claimed;
      }
      override async complete(delivery: ClaimedDelivery) {
        this.inFlight -= 1;
        return super.complete(delivery);
      }
    })();
    const r = await receiver();
    const held: (() => void)[] = [];
    r.answer(() => new Promise<number>((answer) => held.push(() => answer(200))));
    const webhooks = webhooksFor([r.url], { concurrency: 2 }, { queue });
    for (let i = 0; i < 5; i++) await webhooks.publish(incidentConfirmed(`incident-${i}`));
    // Each answer lets the next request in.
    for (let i = 0; i < 5; i++) {
      await r.requestCount(i + 1);
      held[i]?.();
    }
    await r.deliveredCount(5);
    expect(queue.mostInFlight).toBe(2);
  });
});

describe("publishing", () => {
  it("queues only the events the filter lets through", async () => {
    const queue = new MemoryWebhookQueue();
    const webhooks = webhooksFor(
      ["http://127.0.0.1:9/a"],
      { events: new Set(["rating.given"]) },
      { queue, start: false },
    );
    await webhooks.publish(incidentConfirmed());
    expect(await queue.pending()).toBe(0);
    await webhooks.publish(ratingGiven("很快"));
    expect(await queue.pending()).toBe(1);
  });

  it("queues one delivery per URL in one write, and sends nothing until started", async () => {
    const queue = new MemoryWebhookQueue();
    const enqueue = vi.spyOn(queue, "enqueue");
    const webhooks = webhooksFor(
      ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"],
      {},
      { queue, start: false },
    );
    await webhooks.publish(incidentConfirmed());
    expect(enqueue).toHaveBeenCalledTimes(1);
    expect(enqueue.mock.calls[0]?.[0].map((d) => d.url)).toEqual([
      "http://127.0.0.1:9/a",
      "http://127.0.0.1:9/b",
    ]);
    expect(await queue.pending()).toBe(2);
  });

  it("drops a malformed event with an error in the log, and never throws to the caller", async () => {
    const queue = new MemoryWebhookQueue();
    const { logger, lines } = keptLogger();
    const webhooks = webhooksFor(["http://127.0.0.1:9/a"], {}, { queue, logger, start: false });
    const rating = ratingGiven("ok");
    await expect(
      webhooks.publish({ ...rating, data: { ...rating.data, score: 9 } } as typeof rating),
    ).resolves.toBeUndefined();
    expect(await queue.pending()).toBe(0);
    expect(lines.find((l) => l.msg === "webhooks: malformed event dropped")).toMatchObject({
      event: "rating.given",
    });
  });

  it("logs a queue that cannot be written, and never throws to the caller", async () => {
    const queue = new MemoryWebhookQueue();
    vi.spyOn(queue, "enqueue").mockRejectedValue(new Error("disk full"));
    const { logger, lines } = keptLogger();
    const webhooks = webhooksFor(["http://127.0.0.1:9/a"], {}, { queue, logger, start: false });
    await expect(webhooks.publish(incidentConfirmed())).resolves.toBeUndefined();
    expect(lines.find((l) => l.msg === "webhooks: event could not be queued")).toBeDefined();
  });
});
