import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationEvent } from "../../src/channels/hub.js";
import { HandoffSummary } from "../../src/domain/handoff.js";
import { list, t } from "../../src/i18n.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const chat = (text: string, conversationId?: string) => server.chat(text, conversationId);

async function escalated(): Promise<{ conversationId: string; handoffId: string }> {
  const first = await chat("此卡无法交易");
  const conversationId = String(first.body.conversationId);
  const second = await chat("转人工", conversationId);
  return { conversationId, handoffId: (second.body.handoff as { id: string }).id };
}

describe("the web pages", () => {
  it("serves the demo page with the widget, the widget script and the agent console", async () => {
    const demo = await server.call("/");
    expect(demo.headers.get("content-type")).toContain("text/html");
    expect(await demo.text()).toContain('src="/widget.js"');
    const widget = await server.call("/widget.js");
    expect(widget.headers.get("content-type")).toContain("javascript");
    expect((await server.call("/agent")).status).toBe(200);
  });

  it("sends security headers", async () => {
    const response = await server.call("/");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});

describe("POST /api/chat", () => {
  it("is the same route with a trailing slash, in any case, and with a query string, as Express matched it", async () => {
    for (const path of ["/api/chat/", "/API/Chat", "/api/chat?from=widget"]) {
      const response = await server.call(path, { method: "POST", json: { text: "此卡无法交易" } });
      expect(response.status, path).toBe(200);
      expect(await response.json(), path).toMatchObject({ flow: "card_declined" });
    }
  });

  it("is not another route: other methods and longer paths are not found", async () => {
    expect((await server.call("/api/chat")).status).toBe(404);
    const longer = await server.call("/api/chatter", { method: "POST", json: { text: "hi" } });
    expect(longer.status).toBe(404);
    expect(await longer.json()).toEqual({ error: "not found" });
  });

  it("sends the security headers every other route sends", async () => {
    const response = await server.call("/api/chat", { method: "POST", json: { text: "hi" } });
    const page = await server.call("/");
    for (const name of ["content-security-policy", "x-content-type-options", "cross-origin-resource-policy"])
      expect(response.headers.get(name), name).toBe(page.headers.get(name));
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("starts a conversation and answers like a chat turn", async () => {
    const { status, body } = await chat("此卡无法交易");
    expect(status).toBe(200);
    expect(body).toMatchObject({ intent: "card_declined", flow: "card_declined", handoff: null });
    expect(typeof body.conversationId).toBe("string");
    expect((body.replies as string[]).length).toBeGreaterThan(0);
    expect(body.options).toEqual(["屏幕没有显示代码"]);
  });

  it("continues the conversation it is given", async () => {
    const first = await chat("此卡无法交易");
    const second = await chat("没有代码", String(first.body.conversationId));
    expect(second.body).toMatchObject({
      conversationId: first.body.conversationId,
      flow: "card_declined",
      state: "askScope",
    });
  });

  it("returns the HandoffSummary on the turn that escalates", async () => {
    const first = await chat("刷卡提示05");
    const second = await chat("还是不行", String(first.body.conversationId));
    expect(HandoffSummary.parse(second.body.handoff)).toMatchObject({ channel: "web", reason: "unresolved" });
  });

  it.each([
    ["malformed JSON", "{not json", 400],
    ["a missing text", JSON.stringify({ conversationId: "x" }), 400],
    ["a text that is not a string", JSON.stringify({ text: 42 }), 400],
    ["an unknown locale", JSON.stringify({ text: "hi", locale: "fr" }), 400],
    ["a body over the size limit", JSON.stringify({ text: "a".repeat(200_000) }), 413],
  ])("refuses %s with a JSON error", async (_what, body, status) => {
    const response = await server.call("/api/chat", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: string };
    expect(json.error).toMatch(/\w/);
    expect(JSON.stringify(json)).not.toContain("at ");
  });

  it.each([
    ["UTF-8 declared", "application/json; charset=utf-8", (body: string) => body],
    ["a +json type", "application/vnd.posdesk+json", (body: string) => body],
    ["a byte order mark", "application/json", (body: string) => `\uFEFF${body}`],
  ])("reads a body with %s", async (_what, type, encode) => {
    const response = await server.call("/api/chat", {
      method: "POST",
      body: encode(JSON.stringify({ text: "此卡无法交易" })),
      headers: { "Content-Type": type },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ intent: "card_declined" });
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("reads a gzip-compressed body", async () => {
    const response = await server.call("/api/chat", {
      method: "POST",
      body: gzipSync(JSON.stringify({ text: "此卡无法交易" })),
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ intent: "card_declined" });
  });

  it.each([
    ["a JSON string instead of an object", JSON.stringify("此卡无法交易"), 400],
    ["a charset other than UTF-8", JSON.stringify({ text: "hi" }), 415],
  ])("refuses %s", async (what, body, status) => {
    const response = await server.call("/api/chat", {
      method: "POST",
      body,
      headers: {
        "Content-Type": what.includes("charset") ? "application/json; charset=latin1" : "application/json",
      },
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty("error");
  });

  it("answers an empty message politely instead of failing", async () => {
    const { status, body } = await chat("");
    expect(status).toBe(200);
    expect((body.replies as string[])[0]).toMatch(/空消息|empty/);
  });
});

async function open(body?: Record<string, unknown>) {
  const response = await server.call("/api/chat/open", {
    method: "POST",
    ...(body ? { json: body } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The common topics as the locale lists them (engine.menuTopics), labelled as the merchant sees them. */
const menuLabels = (locale: "zh-CN" | "en") =>
  list(locale, "engine.menuTopics").map((topic) => t(locale, `topics.${topic}`));

describe("POST /api/chat/open", () => {
  it("greets a new chat first: the welcome, and the common topics as quick replies, shaped like a turn", async () => {
    const opened = await open({});
    const turn = await chat("此卡无法交易");
    expect(opened.status).toBe(200);
    expect(Object.keys(opened.body).sort()).toEqual(Object.keys(turn.body).sort());
    expect(opened.body).toMatchObject({ flow: null, handoff: null, locale: "zh-CN" });
    expect(opened.body.replies).toEqual([t("zh-CN", "engine.welcome")]);
    expect(opened.body.options).toEqual(menuLabels("zh-CN"));
    expect(typeof opened.body.conversationId).toBe("string");
  });

  it("opens a chat without a body at all", async () => {
    const response = await server.call("/api/chat/open", { method: "POST" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { replies: string[] }).replies).toHaveLength(1);
  });

  it("keeps the bot's welcome in the history, with no message from the merchant", async () => {
    const opened = await open();
    const history = (await (await server.call(`/api/chat/${opened.body.conversationId}/history`)).json()) as {
      messages: { from: string; text: string }[];
      options: string[];
    };
    expect(history.messages.map((m) => [m.from, m.text])).toEqual([["bot", t("zh-CN", "engine.welcome")]]);
    expect(history.options).toEqual(menuLabels("zh-CN"));
  });

  it("starts the flow of the topic the merchant picks from the welcome", async () => {
    const opened = await open();
    const options = opened.body.options as string[];
    const picked = await chat(options[0] ?? "", String(opened.body.conversationId));
    expect(picked.body).toMatchObject({ conversationId: opened.body.conversationId, flow: "card_declined" });
  });

  it("opens a conversation the widget already has an id for", async () => {
    const conversationId = `web-${randomUUID()}`;
    const opened = await open({ conversationId });
    expect(opened.body.conversationId).toBe(conversationId);
    expect((await chat("打印机不出小票", conversationId)).body.flow).toBe("printer_problem");
  });

  it("welcomes in the page's language, and then follows the language the merchant writes in", async () => {
    const opened = await open({ localeHint: "en" });
    expect(opened.body).toMatchObject({ locale: "en", replies: [t("en", "engine.welcome")] });
    expect(opened.body.options).toEqual(menuLabels("en"));
    // A short first message sets the language as any first message does: the welcome was not the merchant's.
    const turn = await chat("通讯失败", String(opened.body.conversationId));
    expect(turn.body.locale).toBe("zh-CN");
  });

  it("keeps the language the merchant chose", async () => {
    const opened = await open({ locale: "en" });
    expect(opened.body.locale).toBe("en");
    const turn = await chat("此卡无法交易", String(opened.body.conversationId));
    expect(turn.body.locale).toBe("en");
  });

  it("sends the welcome to live subscribers, with no message from the merchant", async () => {
    const conversationId = `web-live-${randomUUID()}`;
    const events: ConversationEvent[] = [];
    const stop = server.switchboard.hub.subscribeConversation(conversationId, (event) => events.push(event));
    await open({ conversationId });
    stop();
    expect(events.map((event) => (event.type === "message" ? event.from : event.type))).toEqual(["bot"]);
  });

  it("counts an opened chat apart from the merchant's turns in the metrics", async () => {
    await open();
    const metrics = await (await server.call("/metrics")).text();
    expect(metrics).toMatch(/^posdesk_chats_opened_total\{channel="web"\} [1-9]/m);
  });

  it.each([
    ["malformed JSON", "{not json", 400],
    ["a body that is not an object", JSON.stringify("hello"), 400],
    ["a conversation id that is not a string", JSON.stringify({ conversationId: 42 }), 400],
    ["an empty conversation id", JSON.stringify({ conversationId: "" }), 400],
    ["an unknown locale", JSON.stringify({ locale: "fr" }), 400],
    ["an unknown locale hint", JSON.stringify({ localeHint: "fr" }), 400],
    ["a body over the size limit", JSON.stringify({ localeHint: "a".repeat(200_000) }), 413],
  ])("refuses %s with a JSON error", async (_what, body, status) => {
    const response = await server.call("/api/chat/open", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: string };
    expect(json.error).toMatch(/\w/);
    expect(JSON.stringify(json)).not.toContain("at ");
  });
});

describe("the agent API", () => {
  it.each([
    ["GET", "/api/handoffs"],
    ["GET", "/api/handoffs/some-id"],
    ["POST", "/api/handoffs/some-id/messages"],
    ["POST", "/api/handoffs/some-id/close"],
    ["GET", "/api/handoffs/events"],
  ])("requires the agent token for %s %s", async (method, path) => {
    const response = await server.call(path, { method, headers: { Authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "agent token required" });
  });

  it("lists open handoffs newest first", async () => {
    const older = await escalated();
    const newer = await escalated();
    const list = (await (await server.call("/api/handoffs", { agent: true })).json()) as { id: string }[];
    const ids = list.map((h) => h.id);
    expect(ids.indexOf(newer.handoffId)).toBeLessThan(ids.indexOf(older.handoffId));
  });

  it("shows one handoff with its live transcript", async () => {
    const { conversationId, handoffId } = await escalated();
    await chat("请快点", conversationId);
    const handoff = (await (
      await server.call(`/api/handoffs/${handoffId}`, { agent: true })
    ).json()) as HandoffSummary;
    expect(HandoffSummary.parse(handoff).transcript.at(-2)?.text).toBe("请快点");
  });

  it("delivers the agent's message to the merchant's conversation", async () => {
    const { conversationId, handoffId } = await escalated();
    const sent = await server.call(`/api/handoffs/${handoffId}/messages`, {
      method: "POST",
      agent: true,
      json: { text: "您好，我是客服" },
    });
    expect(sent.status).toBe(201);
    const history = (await (await server.call(`/api/chat/${conversationId}/history`)).json()) as {
      messages: { from: string; text: string }[];
    };
    expect(history.messages.at(-1)).toMatchObject({ from: "agent", text: "您好，我是客服" });
  });

  it("closes a handoff with a resolution and hands the chat back to the bot", async () => {
    const { conversationId, handoffId } = await escalated();
    const closed = await server.call(`/api/handoffs/${handoffId}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "card_declined", note: "customer used another card" },
    });
    expect(await closed.json()).toMatchObject({ status: "closed", resolution: "card_declined" });
    const next = await chat("刷卡提示51", conversationId);
    expect(next.body.flow).toBe("card_declined");
    const again = await server.call(`/api/handoffs/${handoffId}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "none" },
    });
    expect(again.status).toBe(409);
  });

  it("refuses a close without a valid resolution intent, and unknown handoffs", async () => {
    const { handoffId } = await escalated();
    const bad = await server.call(`/api/handoffs/${handoffId}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "fixed" },
    });
    expect(bad.status).toBe(400);
    const missing = await server.call("/api/handoffs/nope", { agent: true });
    expect(missing.status).toBe(404);
  });
});

describe("operations", () => {
  it("answers liveness and Prometheus metrics", async () => {
    expect(await (await server.call("/healthz")).json()).toEqual({ status: "ok", pid: process.pid });
    await chat("你好");
    const metrics = await (await server.call("/metrics")).text();
    expect(metrics).toContain("posdesk_turns_total");
    expect(metrics).toContain("posdesk_turn_seconds_bucket");
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await server.call("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not found" });
  });
});

describe("message length", () => {
  it("tells the merchant politely that a very long message was cut", async () => {
    const response = await server.call("/api/chat", {
      method: "POST",
      json: { text: `通讯失败${"。".repeat(5000)}` },
    });
    const body = (await response.json()) as { replies: string[]; flow: string };
    expect(body.replies[0]).toContain("太长");
    expect(body.flow).toBe("network_failure");
  });
});

describe("privacy between conversations", () => {
  it("refuses to read or write another channel's conversation through the web API", async () => {
    const engine = server.switchboard.engine;
    await engine.handle({ conversationId: "wechat:wxid_merchant", text: "刷卡提示51", channel: "wechat" });
    const before = (await engine.store.transcript("wechat:wxid_merchant")).length;
    const write = await server.call("/api/chat", {
      method: "POST",
      json: { conversationId: "wechat:wxid_merchant", text: "hi" },
    });
    expect(write.status).toBe(404);
    const opened = await server.call("/api/chat/open", {
      method: "POST",
      json: { conversationId: "wechat:wxid_merchant" },
    });
    expect(opened.status).toBe(404);
    expect(await opened.json()).toEqual({ error: "no such conversation" });
    expect((await server.call("/api/chat/wechat%3Awxid_merchant/history")).status).toBe(404);
    expect((await server.call("/api/chat/wechat%3Awxid_merchant/events")).status).toBe(404);
    expect((await engine.store.transcript("wechat:wxid_merchant")).length).toBe(before);
  });

  it("reads no handoff without the agent token", async () => {
    const { handoffId } = await escalated();
    expect((await server.call(`/api/handoffs/${handoffId}`)).status).toBe(401);
  });
});
