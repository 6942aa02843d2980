/**
 * The support lead's view over HTTP: `GET /api/analytics` behind the agent token, with the contract's fields
 * from real chats; bad ranges answered 400 in JSON; the analytics page, its script and the chart library
 * served by posdesk under the console's Content-Security-Policy.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECHARTS_PATH, ECHARTS_VERSION } from "../../src/http/analytics.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ POSDESK_PICTURES: "off" });
});
afterAll(async () => {
  await server?.stop();
});

async function chat(...texts: string[]): Promise<void> {
  let conversationId: string | undefined;
  for (const text of texts) {
    const response = await server.call("/api/chat", { method: "POST", json: { text, conversationId } });
    conversationId = ((await response.json()) as { conversationId: string }).conversationId;
  }
}

describe("GET /api/analytics", () => {
  it("needs the agent token", async () => {
    const response = await server.call("/api/analytics");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "agent token required" });
  });

  it("gives the contract's figures for the chats of the range", async () => {
    await chat("此卡无法交易", "05", "解决了");
    await chat("此卡无法交易", "05", "还是不行");
    await chat("打印机不出纸", "转人工");
    const today = new Date().toISOString().slice(0, 10);
    const response = await server.call(`/api/analytics?from=${today}&to=${today}`, { agent: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const report = (await response.json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      conversations: 3,
      resolvedByBot: 1,
      handoffs: 2,
      containmentRate: 0.3333,
      byIntent: { card_declined: 2, printer_problem: 1, none: 0 },
      handoffsByReason: { unresolved: 1, requested: 1, policy: 0, not_understood: 0 },
      csat: { count: 0, average: null },
    });
    for (const field of ["responseCodes", "flows", "busiestHours", "timeline", "agentResolutions"])
      expect(report).toHaveProperty(field);
  });

  it("counts nothing outside the range", async () => {
    const response = await server.call("/api/analytics?from=2020-01-01&to=2020-01-31", { agent: true });
    expect(await response.json()).toMatchObject({ conversations: 0, handoffs: 0, containmentRate: null });
  });

  it.each([
    ["from=yesterday", "from must be an ISO date or time"],
    ["from=2026-13-01", "from is not a real date"],
    ["from=2026-11-30&to=2026-11-01", "from must be before to"],
    ["tz=Nowhere/Land", "unknown time zone: Nowhere/Land"],
    ["from=2026-11-01&from=2026-11-02", "from must be given once"],
  ])("answers %s with 400 and a JSON error", async (query, error) => {
    const response = await server.call(`/api/analytics?${query}`, { agent: true });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as { error: string }).error).toContain(error);
  });
});

describe("the analytics page", () => {
  it("is served with the console's Content-Security-Policy: scripts from posdesk only", async () => {
    const response = await server.call("/agent/analytics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain(`<script src="${ECHARTS_PATH}"></script>`);
    expect(html).toContain('<script src="/agent/analytics.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await server.call("/agent/analytics.js")).headers.get("content-type")).toMatch(/javascript/);
  });

  it("serves the chart library from posdesk, by version, cached for good, gzipped when asked", async () => {
    expect(ECHARTS_PATH).toBe(`/vendor/echarts-${ECHARTS_VERSION}.min.js`);
    const plain = await server.call(ECHARTS_PATH, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-type")).toMatch(/javascript/);
    const text = await plain.text();
    expect(text).toContain("echarts");
    const gzip = await fetch(`${server.url}${ECHARTS_PATH}`, { headers: { "Accept-Encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    const compressed = Buffer.from(await new Response(gzip.body).arrayBuffer());
    // fetch decodes gzip itself: either way the bytes are the library's.
    const body = compressed[0] === 0x1f ? gunzipSync(compressed).toString() : compressed.toString();
    expect(body).toBe(text);
  });

  it("has its words in both languages, with the console's sign-in words and the topics", async () => {
    for (const locale of ["zh-CN", "en"]) {
      const words = (await (await server.call(`/api/ui/${locale}/analytics`)).json()) as Record<
        string,
        unknown
      >;
      expect(words).toHaveProperty("title");
      expect(words).toHaveProperty("agent.tokenLabel");
      expect(words).toHaveProperty("topics.card_declined");
    }
    expect((await server.call("/api/ui/fr/analytics")).status).toBe(400);
  });

  it("is linked from the agent console", async () => {
    expect(await (await server.call("/agent")).text()).toContain('href="/agent/analytics"');
  });
});
