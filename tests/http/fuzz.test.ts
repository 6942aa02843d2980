/**
 * Thousands of generated inputs against the engine and every HTTP route: empty, whitespace, huge, binary
 * and invalid UTF-8, emoji floods, HTML and script, SQL-looking text, wrong JSON shapes, unknown ids.
 * Nothing crashes, nothing answers 5xx, every answer is a reply or a JSON error, and the store stays whole.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory.js";
import { engineFor } from "../support/conversation.js";
import { startTestServer, type TestServer } from "../support/server.js";

const nasty = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom(
    "",
    "   ",
    "\n\t",
    "😭".repeat(500),
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "'; DROP TABLE conversations; --",
    "1' OR '1'='1",
    "\u0000\u0001\u0002",
    "\ud800\udfff\ud800",
    "刷卡提示51".repeat(3000),
    "4111 1111 1111 1111",
  ),
  fc.constantFrom(
    "此卡无法交易",
    "转人工",
    "1",
    "2",
    "还是不行",
    "好了",
    "你好",
    "谢谢",
    "通讯失败",
    "refused money",
  ),
);

describe("the engine under generated input", () => {
  it("always answers, never throws, and keeps every conversation readable", async () => {
    const store = new MemoryStore();
    const engine = engineFor(store);
    const ids = ["a", "b", "c", "d"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ids), nasty, async (conversationId, text) => {
        const result = await engine.handle({ conversationId, text, channel: "web" });
        expect(result.replies.length).toBeGreaterThan(0);
        expect(result.replies.every((r) => typeof r === "string" && r.length > 0)).toBe(true);
        expect(JSON.stringify(result)).not.toContain("4111111111111111");
      }),
      { numRuns: 2000 },
    );
    for (const id of ids) {
      const conversation = await store.getConversation(id);
      const transcript = await store.transcript(id);
      expect(transcript.filter((e) => e.from === "merchant")).toHaveLength(conversation?.turn ?? -1);
    }
  });
});

describe("every HTTP route under generated input", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ POSDESK_RATE_PER_ADDRESS: "0", POSDESK_RATE_PER_CONVERSATION: "0" });
  });
  afterAll(async () => {
    await server.stop();
  });

  const routes: [string, string][] = [
    ["POST", "/api/chat"],
    ["POST", "/api/chat/open"],
    ["GET", "/api/chat/{id}/history"],
    ["GET", "/api/handoffs"],
    ["GET", "/api/handoffs/{id}"],
    ["POST", "/api/handoffs/{id}/claim"],
    ["POST", "/api/handoffs/{id}/messages"],
    ["POST", "/api/handoffs/{id}/close"],
    ["POST", "/api/messages"],
    ["GET", "/api/ui/{id}"],
  ];
  const body = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc
      .record({ text: nasty, conversationId: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }) })
      .map((b) => JSON.stringify(b)),
    fc.record({ resolution: fc.string({ maxLength: 20 }), note: nasty }).map((b) => JSON.stringify(b)),
    fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom("{", "[]", "null", '"text"', '{"text":null}', '{"text":["a"]}'),
  );

  it("answers each request with a JSON body and never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.string({ maxLength: 40 }), fc.uuid()),
        body,
        fc.boolean(),
        async ([method, path], id, payload, agent) => {
          const url = path.replace("{id}", encodeURIComponent(id) || "x");
          const response = await server.call(url, {
            method,
            agent,
            ...(method === "POST" ? { body: payload, headers: { "Content-Type": "application/json" } } : {}),
          });
          expect(response.status, `${method} ${url}`).toBeLessThan(500);
          const text = await response.text();
          if (response.status >= 400) {
            expect(JSON.parse(text)).toHaveProperty("error");
            expect(text).not.toMatch(/\bat [\w.<>]+ \(/);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("refuses a 10 MB body with 413 and keeps serving", async () => {
    const huge = JSON.stringify({ text: "刷".repeat(10 * 1024 * 1024) });
    const response = await server.call("/api/chat", {
      method: "POST",
      body: huge,
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(413);
    expect((await server.call("/healthz")).status).toBe(200);
  });
});
