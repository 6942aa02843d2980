/**
 * Webhooks in the running server: handoffs opened by merchants' turns, claimed and closed by agents reach
 * a receiver on 127.0.0.1 as signed events; a receiver that holds its request open never holds up a turn;
 * dead letters are shown to agents and sent again on request.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HandoffSummary } from "../../src/domain/handoff.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { type Received, type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { eventually, SECRET } from "../support/webhooks.js";

let server: TestServer;
/** Answers 200 unless a test says otherwise. */
let good: Receiver;
/** Answers 500 until a test says otherwise: with two attempts, every delivery to it is dead-lettered. */
let bad: Receiver;

beforeAll(async () => {
  [good, bad] = [await startReceiver(SECRET), await startReceiver(SECRET)];
  bad.answer(() => 500);
  server = await startTestServer({
    POSDESK_WEBHOOK_URLS: `${good.url},${bad.url}`,
    POSDESK_WEBHOOK_SECRET: SECRET,
    POSDESK_WEBHOOK_MAX_ATTEMPTS: "2",
    POSDESK_WEBHOOK_RETRY_MS: "1",
    POSDESK_WEBHOOK_TIMEOUT_MS: "60000",
  });
});
afterAll(async () => {
  await server.stop();
  await Promise.all([good.close(), bad.close()]);
});

async function chat(text: string, conversationId: string) {
  const response = await server.call("/api/chat", { method: "POST", json: { text, conversationId } });
  expect(response.status).toBe(200);
  return (await response.json()) as { handoff: HandoffSummary | null; replies: string[] };
}

/** A merchant asks for a person: the turn opens a handoff. */
async function handedOver(conversationId = `c-${randomUUID()}`) {
  const { handoff } = await chat("转人工", conversationId);
  if (!handoff) throw new Error("the turn opened no handoff");
  return { conversationId, handoffId: handoff.id, handoff };
}

/** What `receiver` got 2xx for about one handoff, in the order delivered. */
function deliveredFor(receiver: Receiver, handoffId: string): Received[] {
  return receiver.delivered.filter((r) => r.payload.data.handoffId === handoffId);
}

describe("handoff events", () => {
  it("a turn that hands the chat over sends handoff.opened with the HandoffSummary", async () => {
    const { conversationId, handoffId, handoff } = await handedOver();
    const [opened] = await eventually(() => {
      const got = deliveredFor(good, handoffId);
      expect(got).toHaveLength(1);
      return got;
    });
    expect(opened).toMatchObject({ verified: true, event: "handoff.opened" });
    expect(opened?.payload).toMatchObject({ type: "handoff.opened", data: { handoffId, conversationId } });
    expect(HandoffSummary.parse(opened?.payload.data.handoff)).toEqual(handoff);
  });

  it("claiming and closing send handoff.claimed and handoff.closed, in that order", async () => {
    const { conversationId, handoffId } = await handedOver();
    const claim = await server.call(`/api/handoffs/${handoffId}/claim`, {
      method: "POST",
      agent: true,
      json: { agent: "王芳" },
    });
    expect(claim.status).toBe(200);
    await eventually(() => expect(deliveredFor(good, handoffId)).toHaveLength(2));
    const close = await server.call(`/api/handoffs/${handoffId}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "card_declined", note: "商户卡号 4111111111111111 已核实" },
    });
    expect(close.status).toBe(200);

    const events = await eventually(() => {
      const got = deliveredFor(good, handoffId);
      expect(got).toHaveLength(3);
      return got;
    });
    expect(events.map((e) => e.event)).toEqual(["handoff.opened", "handoff.claimed", "handoff.closed"]);
    expect(events[1]?.payload.data).toEqual({
      handoffId,
      conversationId,
      claimedBy: "王芳",
      claimedAt: expect.any(String),
    });
    expect(events[2]?.payload.data).toEqual({
      handoffId,
      conversationId,
      intent: "none",
      resolution: "card_declined",
      note: "商户卡号 411111******1111 已核实",
      closedAt: expect.any(String),
    });
  });

  it("an agent's first reply to an open handoff sends handoff.claimed with nobody named", async () => {
    const { handoffId } = await handedOver();
    const reply = await server.call(`/api/handoffs/${handoffId}/messages`, {
      method: "POST",
      agent: true,
      json: { text: "您好，我来帮您看看" },
    });
    expect(reply.status).toBe(201);
    await server.call(`/api/handoffs/${handoffId}/messages`, {
      method: "POST",
      agent: true,
      json: { text: "请稍等" },
    });
    const claimed = await eventually(() => {
      const got = deliveredFor(good, handoffId).filter((e) => e.event === "handoff.claimed");
      expect(got).toHaveLength(1);
      return got;
    });
    expect(claimed[0]?.payload.data).toMatchObject({ handoffId, claimedBy: null });
  });

  it("carry the merchant's card numbers masked", async () => {
    const conversationId = `c-${randomUUID()}`;
    await chat("卡号6222021234567894刷不了", conversationId);
    const { handoffId } = await handedOver(conversationId);
    const [opened] = await eventually(() => {
      const got = deliveredFor(good, handoffId);
      expect(got).toHaveLength(1);
      return got;
    });
    expect(opened?.body).toContain("622202******7894");
    expect(opened?.body).not.toContain("6222021234567894");
  });
});

describe("ratings", () => {
  it("a merchant's rating after a resolved flow sends rating.given", async () => {
    const conversationId = `c-${randomUUID()}`;
    for (const text of ["此卡无法交易", "05", "好了", "5"]) await chat(text, conversationId);
    const [rated] = await eventually(() => {
      const got = good.delivered.filter((r) => r.payload.data.conversationId === conversationId);
      expect(got.map((r) => r.event)).toContain("rating.given");
      return got.filter((r) => r.event === "rating.given");
    });
    expect(rated).toMatchObject({ verified: true });
    expect(rated?.payload.data).toMatchObject({
      conversationId,
      score: 5,
      after: "flow",
      topic: "card_declined",
    });
  });
});

describe("the metrics", () => {
  it("count webhook attempts by event and outcome", async () => {
    const { handoffId } = await handedOver();
    await eventually(() => expect(deliveredFor(good, handoffId)).toHaveLength(1));
    const metrics = await eventually(async () => {
      const text = await (await server.call("/metrics")).text();
      expect(text).toMatch(/posdesk_webhook_attempts_total\{event="handoff.opened",outcome="dead"\} [1-9]/);
      return text;
    });
    expect(metrics).toMatch(
      /posdesk_webhook_attempts_total\{event="handoff.opened",outcome="delivered"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /posdesk_webhook_attempts_total\{event="handoff.opened",outcome="retried"\} [1-9]/,
    );
  });
});

describe("a receiver that holds its request open", () => {
  it("never holds up a turn: merchants are answered while it waits", async () => {
    const slowConversation = `c-${randomUUID()}`;
    let release: (status: number) => void = () => undefined;
    const held = new Promise<number>((answer) => {
      release = answer;
    });
    good.answer((request) => (request.payload.data.conversationId === slowConversation ? held : 200));
    try {
      // The turn that opens the handoff returns though its event's delivery cannot finish until it has.
      const { handoffId } = await handedOver(slowConversation);
      await eventually(() =>
        expect(good.requests.some((r) => r.payload.data.handoffId === handoffId)).toBe(true),
      );
      const slow = good.requests.find((r) => r.payload.data.handoffId === handoffId);

      // While that request is open, other merchants' turns (one opening a handoff of its own) are answered.
      const other = await handedOver();
      const turn = await chat("此卡无法交易", `c-${randomUUID()}`);
      expect(turn.replies.length).toBeGreaterThan(0);
      expect(slow).toMatchObject({ answered: false, abandoned: false });
      await eventually(() => expect(deliveredFor(good, other.handoffId)).toHaveLength(1));
      expect(slow?.answered).toBe(false);

      release(200);
      await eventually(() => expect(deliveredFor(good, handoffId)).toHaveLength(1));
    } finally {
      release(200);
      good.answer(() => 200);
    }
  });
});

describe("dead letters", () => {
  it("are listed for agents, with the event they carried and the last error", async () => {
    const { handoffId } = await handedOver();
    const letter = await eventually(async () => {
      const response = await server.call("/api/webhooks/dead-letters", { agent: true });
      expect(response.status).toBe(200);
      const letters = (await response.json()) as { url: string; payload: { data: { handoffId?: string } } }[];
      const found = letters.find((l) => l.payload.data.handoffId === handoffId);
      expect(found).toBeDefined();
      return found;
    });
    expect(letter).toMatchObject({
      event: "handoff.opened",
      url: bad.url,
      attempts: 2,
      lastError: "HTTP 500",
      payload: { type: "handoff.opened" },
    });
    // The good receiver had it the first time.
    expect(deliveredFor(good, handoffId)).toHaveLength(1);
  });

  it("are sent again when an agent asks, once the receiver is back", async () => {
    const { handoffId } = await handedOver();
    const letter = await eventually(async () => {
      const letters = (await (await server.call("/api/webhooks/dead-letters", { agent: true })).json()) as {
        id: string;
        payload: { data: { handoffId?: string } };
      }[];
      const found = letters.find((l) => l.payload.data.handoffId === handoffId);
      expect(found).toBeDefined();
      return found;
    });
    bad.answer(() => 200);
    try {
      const retry = await server.call(`/api/webhooks/dead-letters/${letter?.id}/retry`, {
        method: "POST",
        agent: true,
      });
      expect(retry.status).toBe(202);
      await eventually(() => expect(deliveredFor(bad, handoffId)).toHaveLength(1));
      expect(deliveredFor(bad, handoffId)[0]?.delivery).toBe(letter?.id);
    } finally {
      bad.answer(() => 500);
    }
  });

  it("are for agents only", async () => {
    expect((await server.call("/api/webhooks/dead-letters")).status).toBe(401);
    const retry = await server.call(`/api/webhooks/dead-letters/${randomUUID()}/retry`, { method: "POST" });
    expect(retry.status).toBe(401);
  });

  it("answer 404 for a dead letter that does not exist", async () => {
    const retry = await server.call(`/api/webhooks/dead-letters/${randomUUID()}/retry`, {
      method: "POST",
      agent: true,
    });
    expect(retry.status).toBe(404);
  });
});

describe("a server without webhook settings", () => {
  it("has no webhooks and no dead-letter routes", async () => {
    const plain = await startTestServer();
    try {
      expect(plain.webhooks).toBeUndefined();
      expect((await plain.call("/api/webhooks/dead-letters", { agent: true })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it("refuses to start with URLs but no secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-webhooks-"));
    try {
      await expect(
        startTestServer({ POSDESK_WEBHOOK_URLS: "http://127.0.0.1:9/hook" }, { dir }),
      ).rejects.toThrow(/POSDESK_WEBHOOK_SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("incidents", () => {
  it("confirming and closing an incident send incident.confirmed and incident.closed", async () => {
    const receiver = await startReceiver(SECRET);
    const own = await startTestServer({
      POSDESK_WEBHOOK_URLS: receiver.url,
      POSDESK_WEBHOOK_SECRET: SECRET,
      POSDESK_WEBHOOK_RETRY_MS: "1",
      POSDESK_INCIDENT_MIN_CONVERSATIONS: "2",
    });
    try {
      for (const id of [`c-${randomUUID()}`, `c-${randomUUID()}`]) {
        const response = await own.call("/api/chat", {
          method: "POST",
          json: { text: "POS机一直显示通讯失败", conversationId: id },
        });
        expect(response.status).toBe(200);
      }
      const listed = (await (await own.call("/api/incidents", { agent: true })).json()) as { id: string }[];
      const id = listed[0]?.id ?? "";
      const message = "华东地区线路故障，预计 15:00 恢复";
      const confirm = await own.call(`/api/incidents/${id}/confirm`, {
        method: "POST",
        agent: true,
        json: { message },
      });
      expect(confirm.status).toBe(200);
      expect((await own.call(`/api/incidents/${id}/close`, { method: "POST", agent: true })).status).toBe(
        200,
      );
      const events = await eventually(() => {
        const got = receiver.delivered.filter((r) => r.event?.startsWith("incident."));
        expect(got).toHaveLength(2);
        return got;
      });
      expect(events.map((r) => r.event)).toEqual(["incident.confirmed", "incident.closed"]);
      expect(events[0]?.payload.data).toMatchObject({ id, topic: "network_failure", message, count: 2 });
      expect(events.every((r) => r.verified)).toBe(true);
    } finally {
      await own.stop();
      await receiver.close();
    }
  });
});
