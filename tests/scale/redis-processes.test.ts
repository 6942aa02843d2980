/**
 * Several posdesk processes over one real Redis: any process takes any turn, turns stay ordered, agents
 * reach merchants connected elsewhere, a killed process loses nothing, and a Redis outage is survived.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess, waitForEvent } from "../support/process.js";
import { type RedisServer, startRedis } from "../support/redis.js";

let redis: RedisServer;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([
    startServerProcess({ POSDESK_STORE: redis.url }),
    startServerProcess({ POSDESK_STORE: redis.url }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
  await redis?.stop();
});

describe("two processes sharing Redis", () => {
  it("alternate the turns of one conversation without losing its flow state", async () => {
    const first = await a.chat("此卡无法交易");
    const id = String(first.body.conversationId);
    const second = await b.chat("没有代码", id);
    const third = await a.chat("都不行", id);
    expect([first.body.state, second.body.state, third.body.state]).toEqual([
      "askResponseCode",
      "askScope",
      "confirmFixed",
    ]);
    expect(third.body.flow).toBe("card_declined");
  });

  it("keep concurrent turns of one conversation ordered, each answered once", async () => {
    const id = String((await a.chat("你好")).body.conversationId);
    const texts = Array.from({ length: 10 }, (_, i) => `第${i + 1}条 打印机不出纸`);
    const results = await Promise.all(texts.map((text, i) => (i % 2 ? a : b).chat(text, id)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const history = (await (await fetch(`${a.url}/api/chat/${id}/history`)).json()) as {
      messages: { from: string }[];
    };
    const merchant = history.messages.filter((m) => m.from === "merchant");
    expect(merchant).toHaveLength(11);
    // Every merchant message is followed by the bot's reply before the next merchant message.
    const order = history.messages.map((m) => (m.from === "merchant" ? "M" : "B")).join("");
    expect(order).not.toContain("MM");
    expect(order.startsWith("M")).toBe(true);
  });

  it("let an agent on one process reach a merchant listening on the other", async () => {
    const first = await a.chat("此卡无法交易");
    const id = String(first.body.conversationId);
    const escalated = await a.chat("转人工", id);
    const handoffId = (escalated.body.handoff as { id: string }).id;
    const heard = waitForEvent<{ from?: string; text?: string }>(
      `${b.url}/api/chat/${id}/events`,
      (e) => e.from === "agent",
    );
    await sleep(200);
    const sent = await a.agent(`/api/handoffs/${handoffId}/messages`, { text: "您好，我是客服小李" });
    expect(sent.status).toBe(201);
    expect((await heard).text).toBe("您好，我是客服小李");
  });
});

describe("faults", () => {
  it("a process killed mid-conversation loses nothing: another carries on", async () => {
    const spare = await startServerProcess({ POSDESK_STORE: redis.url });
    const first = await spare.chat("此卡无法交易");
    const id = String(first.body.conversationId);
    await spare.chat("没有代码", id);
    await spare.kill("SIGKILL");
    const next = await b.chat("只有这张卡", id);
    expect(next.body).toMatchObject({ flow: "card_declined", state: "confirmFixed" });
  });

  it("a Redis outage turns readiness red and turns into clear errors, and the process recovers", async () => {
    await redis.stop();
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    const during = await b.chat("此卡无法交易");
    expect(during.status).toBe(503);
    expect(during.body.error).toMatch(/unavailable/);
    await redis.restart();
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    expect((await b.chat("此卡无法交易")).status).toBe(200);
  });
});
