import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ POSDESK_RATE_PER_ADDRESS: "12", POSDESK_RATE_PER_CONVERSATION: "5" });
});
afterAll(async () => {
  await server.stop();
});

const send = (text: string, conversationId?: string) =>
  server.call("/api/chat", { method: "POST", json: { text, ...(conversationId ? { conversationId } : {}) } });

describe("rate limits in the headers", () => {
  it("tell the widget what is left of both budgets (IETF RateLimit headers, draft 8)", async () => {
    const first = await send("你好");
    const { conversationId } = (await first.json()) as { conversationId: string };
    const second = await send("在吗", conversationId);
    // One policy per limit: the address's and the conversation's.
    expect(second.headers.get("ratelimit-policy")?.split(",")).toHaveLength(2);
    expect(second.headers.get("ratelimit")).toMatch(/^"[^"]+"; r=\d+; t=\d+, "[^"]+"; r=\d+; t=\d+$/);
  });
});

describe("rate limits", () => {
  it("slows down one conversation that sends too fast, with a clear JSON answer", async () => {
    const first = (await (await send("你好")).json()) as { conversationId: string };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send("在吗", first.conversationId)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await send("在吗", first.conversationId);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      error: "too many messages; please wait a moment before sending more",
    });
  });

  it("slows down one address that opens too many conversations", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send("你好")).status);
    expect(statuses).toContain(429);
    expect((await server.call("/healthz")).status).toBe(200);
  });
});

describe("rate limits behind a proxy", () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({
      POSDESK_RATE_PER_ADDRESS: "3",
      POSDESK_RATE_PER_CONVERSATION: "0",
      POSDESK_TRUST_PROXY: "1",
    });
  });
  afterAll(async () => {
    await proxied.stop();
  });

  const from = (address: string) =>
    proxied.call("/api/chat", {
      method: "POST",
      json: { text: "你好" },
      headers: { "X-Forwarded-For": address },
    });

  it("count each merchant by the address the trusted proxy forwards", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from("203.0.113.7")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await from("203.0.113.8")).status).toBe(200);
  });
});

describe("rate limits on opening a chat", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ POSDESK_RATE_PER_ADDRESS: "100", POSDESK_RATE_PER_CONVERSATION: "3" });
  });
  afterAll(async () => {
    await strict.stop();
  });

  it("counts opening a chat against the same budget as the conversation's messages", async () => {
    const open = (conversationId?: string) =>
      strict.call("/api/chat/open", { method: "POST", json: conversationId ? { conversationId } : {} });
    const { conversationId } = (await (await open()).json()) as { conversationId: string };
    const statuses: number[] = [];
    for (const text of ["你好", "在吗", "在吗"]) {
      statuses.push(
        (await strict.call("/api/chat", { method: "POST", json: { text, conversationId } })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await open(conversationId);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toHaveProperty("error");
  });
});
