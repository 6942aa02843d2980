/**
 * Satisfaction over HTTP: the rating asked in the web chat and when an agent closes a handoff (live, with its
 * quick replies), `GET /api/ratings` for a period, and the rating on the handoff as the console reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationEvent } from "../../src/channels/hub.js";
import type { RatingReport } from "../../src/domain/rating.js";
import { waitForEvent } from "../support/process.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const chat = async (text: string, conversationId?: string) => (await server.chat(text, conversationId)).body;

/** A declined card fixed in the web chat, rated `score`. */
async function rated(score: string): Promise<string> {
  const { conversationId } = await chat("刷卡提示51");
  await chat("解决了", conversationId);
  await chat(score, conversationId);
  return conversationId;
}

async function report(query = ""): Promise<{ status: number; body: RatingReport & { error?: string } }> {
  const response = await server.call(`/api/ratings${query}`, { agent: true });
  return { status: response.status, body: (await response.json()) as RatingReport & { error?: string } };
}

async function close(handoffId: string, resolution = "card_declined") {
  return server.call(`/api/handoffs/${handoffId}/close`, {
    method: "POST",
    agent: true,
    json: { resolution },
  });
}

describe("GET /api/ratings", () => {
  it("requires the agent token", async () => {
    const response = await server.call("/api/ratings", { headers: { Authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
  });

  it("reports the ratings given: count, average, how many of each score, newest first", async () => {
    const first = await rated("5");
    const second = await rated("不满意");
    const { status, body } = await report();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      count: 2,
      average: 3.5,
      byScore: { "1": 0, "2": 1, "3": 0, "4": 0, "5": 1 },
    });
    expect(body.ratings.map((r) => [r.conversationId, r.score, r.after, r.channel])).toEqual([
      [second, 2, "flow", "web"],
      [first, 5, "flow", "web"],
    ]);
  });

  it("reports a period: from included, to excluded, as times or dates", async () => {
    await rated("4");
    const { body: all } = await report();
    const newest = all.ratings[0]?.at ?? "";
    const { body: from } = await report(`?from=${encodeURIComponent(newest)}`);
    expect(from.ratings.map((r) => r.at)).toEqual([newest]);
    const { body: until } = await report(`?to=${encodeURIComponent(newest)}`);
    expect(until.count).toBe(all.count - 1);
    const { body: future } = await report("?from=2999-01-01");
    expect(future).toEqual({
      count: 0,
      average: null,
      byScore: { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 },
      ratings: [],
    });
  });

  it.each([
    ["a time that is not one", "?from=yesterday"],
    ["from after to", "?from=2026-05-02&to=2026-05-01"],
  ])("refuses %s with a JSON error", async (_what, query) => {
    const { status, body } = await report(query);
    expect(status).toBe(400);
    expect(body.error).toMatch(/^invalid query: from: /);
  });
});

describe("the rating after an agent closes a handoff", () => {
  it("is asked live in the widget's stream, with the scores as quick replies, and kept on reload", async () => {
    const { conversationId } = await chat("此卡无法交易");
    const handoff = (await chat("转人工", conversationId)).handoff;
    const asked = waitForEvent<ConversationEvent>(
      `${server.url}/api/chat/${conversationId}/events`,
      (event) => event.type === "message" && event.proactive === true && event.from === "bot",
    );
    // The stream is subscribed before the close: give the request a moment to reach the server.
    await new Promise((done) => setTimeout(done, 200));
    expect((await close(handoff?.id ?? "")).status).toBe(200);
    const event = await asked;
    expect(event).toMatchObject({ options: ["非常不满意", "不满意", "一般", "满意", "非常满意"] });
    const history = (await (await server.call(`/api/chat/${conversationId}/history`)).json()) as {
      options: string[];
    };
    expect(history.options).toEqual(["非常不满意", "不满意", "一般", "满意", "非常满意"]);
  });

  it("shows on the handoff, with the merchant's latest rating, as the console reads them", async () => {
    const { conversationId } = await chat("此卡无法交易");
    const handoffId = (await chat("转人工", conversationId)).handoff?.id ?? "";
    await close(handoffId);
    await chat("4", conversationId);
    await chat("客服很耐心", conversationId);
    const view = (await (await server.call(`/api/handoffs/${handoffId}`, { agent: true })).json()) as {
      rating: { score: number; comment: string; handoffId: string };
      lastRating: { score: number };
    };
    expect(view.rating).toMatchObject({ score: 4, comment: "客服很耐心", handoffId, after: "handoff" });
    expect(view.lastRating).toEqual(view.rating);
    const closed = (await (await server.call("/api/handoffs?status=closed", { agent: true })).json()) as {
      id: string;
      status: string;
      rating?: { score: number };
    }[];
    expect(closed.every((h) => h.status === "closed")).toBe(true);
    expect(closed.find((h) => h.id === handoffId)?.rating?.score).toBe(4);
  });

  it("shows a new handoff with the merchant's earlier rating of the bot", async () => {
    const conversationId = await rated("2");
    const handoffId = (await chat("转人工", conversationId)).handoff?.id ?? "";
    const view = (await (await server.call(`/api/handoffs/${handoffId}`, { agent: true })).json()) as {
      rating?: unknown;
      lastRating: { score: number; after: string };
    };
    expect(view.rating).toBeUndefined();
    expect(view.lastRating).toMatchObject({ score: 2, after: "flow" });
  });

  it("lists every handoff with ?status=all, and refuses an unknown status", async () => {
    const all = await server.call("/api/handoffs?status=all", { agent: true });
    expect(all.status).toBe(200);
    const bad = await server.call("/api/handoffs?status=maybe", { agent: true });
    expect(bad.status).toBe(400);
  });
});
