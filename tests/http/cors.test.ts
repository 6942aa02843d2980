/**
 * The widget on other sites, at the HTTP level: the merchant-facing routes answer CORS (preflights
 * included) for the allowed origins, never with credentials; other origins and the agent routes get no
 * CORS headers at all.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locale } from "../../src/domain/intents.js";
import { parseWidgetOrigins } from "../../src/http/cors.js";
import { t } from "../../src/i18n.js";
import { startServer } from "../../src/server.js";
import { startTestServer, type TestServer } from "../support/server.js";

const SHOP = "https://shop.example.com";
const OTHER = "https://elsewhere.example.net";

let open: TestServer; // POSDESK_WIDGET_ORIGINS unset: any origin
let listed: TestServer; // POSDESK_WIDGET_ORIGINS: a list
let conversationId: string;
let handoffId: string;

beforeAll(async () => {
  [open, listed] = await Promise.all([
    startTestServer(),
    startTestServer({ POSDESK_WIDGET_ORIGINS: ` ${SHOP}/ , http://127.0.0.1:8080` }),
  ]);
  const first = await open.call("/api/chat", { method: "POST", json: { text: "此卡无法交易" } });
  conversationId = ((await first.json()) as { conversationId: string }).conversationId;
  const second = await open.call("/api/chat", { method: "POST", json: { conversationId, text: "转人工" } });
  handoffId = ((await second.json()) as { handoff: { id: string } }).handoff.id;
});
afterAll(async () => {
  await Promise.all([open?.stop(), listed?.stop()]);
});

const from = (origin: string, headers: Record<string, string> = {}) => ({
  headers: { Origin: origin, ...headers },
});
const preflight = (origin: string, method: string) => ({
  method: "OPTIONS",
  headers: {
    Origin: origin,
    "Access-Control-Request-Method": method,
    "Access-Control-Request-Headers": "content-type",
  },
});
const acao = (response: Response) => response.headers.get("access-control-allow-origin");

/** Reads the headers of an event stream, then hangs up. */
async function streamHeaders(server: TestServer, path: string, origin: string): Promise<Response> {
  const abort = new AbortController();
  const response = await server.call(path, { ...from(origin), signal: abort.signal });
  abort.abort();
  return response;
}

describe("the merchant-facing routes, any origin allowed (the default)", () => {
  it.each([
    ["/widget.js", "GET"],
    ["/api/ui/zh-CN", "GET"],
    ["/api/chat", "POST"],
    ["/api/chat/open", "POST"],
    ["/api/chat/CONVERSATION/history", "GET"],
    ["/api/chat/CONVERSATION/events", "GET"],
  ])(
    "answer a preflight for %s: 204, the methods, the header, a max-age, no credentials",
    async (path, method) => {
      const response = await open.call(path.replace("CONVERSATION", conversationId), preflight(SHOP, method));
      expect(response.status).toBe(204);
      expect(acao(response)).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toContain(method);
      expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
      expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    },
  );

  it("serve the widget script to another site's page: CORS, and no resource policy that blocks it", async () => {
    const response = await open.call("/widget.js", from(SHOP));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(acao(response)).toBe("*");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(response.headers.get("cross-origin-embedder-policy")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answer the words, a turn, an opening, the history and the live stream with CORS", async () => {
    expect(acao(await open.call("/api/ui/en", from(SHOP)))).toBe("*");
    const turn = await open.call("/api/chat", { method: "POST", json: { text: "通讯失败" }, ...from(SHOP) });
    expect(turn.status).toBe(200);
    expect(acao(turn)).toBe("*");
    const opened = await open.call("/api/chat/open", { method: "POST", json: {}, ...from(SHOP) });
    expect(acao(opened)).toBe("*");
    expect(acao(await open.call(`/api/chat/${conversationId}/history`, from(SHOP)))).toBe("*");
    const stream = await streamHeaders(open, `/api/chat/${conversationId}/events`, SHOP);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(acao(stream)).toBe("*");
    expect(stream.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("send CORS with error answers too, so the widget elsewhere can tell what went wrong", async () => {
    const malformed = await open.call("/api/chat", {
      method: "POST",
      body: "{not json",
      headers: { "Content-Type": "application/json", Origin: SHOP },
    });
    expect(malformed.status).toBe(400);
    expect(acao(malformed)).toBe("*");
    const unknown = await open.call("/api/chat/no-such-conversation/history", from(SHOP));
    expect(unknown.status).toBe(404);
    expect(acao(unknown)).toBe("*");
  });
});

describe("the routes that are not the widget's", () => {
  const agentRoutes: [string, string, unknown?][] = [
    ["GET", "/agent"],
    ["GET", "/agent.js"],
    ["GET", "/api/handoffs"],
    ["GET", "/api/handoffs/HANDOFF"],
    ["POST", "/api/handoffs/HANDOFF/claim", {}],
    ["POST", "/api/handoffs/HANDOFF/messages", { text: "您好" }],
    ["POST", "/api/handoffs/HANDOFF/close", { resolution: "card_declined" }],
    ["POST", "/api/admin/reload-model", {}],
  ];

  it.each(agentRoutes)(
    "never answer cross-origin: %s %s, with or without the token",
    async (method, path, body) => {
      const url = path.replace("HANDOFF", handoffId);
      for (const agent of [false, true]) {
        const response = await open.call(url, {
          method,
          agent,
          ...(body !== undefined ? { json: body } : {}),
          ...from(SHOP),
        });
        expect(response.status, `${method} ${url} agent=${agent}`).toBeLessThan(500);
        expect(acao(response)).toBeNull();
      }
      const answer = await open.call(url, preflight(SHOP, method));
      expect(acao(answer)).toBeNull();
      expect(answer.headers.get("access-control-allow-methods")).toBeNull();
    },
  );

  it("never answer cross-origin: the agents' event stream", async () => {
    const stream = await streamHeaders(open, `/api/handoffs/events?token=${open.agentToken}`, SHOP);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(acao(stream)).toBeNull();
  });

  it.each(["/", "/healthz", "/readyz", "/metrics"])("never answer cross-origin: %s", async (path) => {
    expect(acao(await open.call(path, from(SHOP)))).toBeNull();
  });
});

describe("POSDESK_WIDGET_ORIGINS: a list", () => {
  it("allows a listed origin by name (never `*`), and says the answer depends on it", async () => {
    for (const origin of [SHOP, "http://127.0.0.1:8080"]) {
      const response = await listed.call("/api/ui/zh-CN", from(origin));
      expect(acao(response)).toBe(origin);
      expect(response.headers.get("vary")).toMatch(/origin/i);
      const answer = await listed.call("/api/chat", preflight(origin, "POST"));
      expect(answer.status).toBe(204);
      expect(acao(answer)).toBe(origin);
      expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it.each([
    [OTHER],
    ["https://shop.example.com.evil.example"],
    ["http://shop.example.com"],
    ["http://127.0.0.1:8081"],
    ["null"],
  ])("gives an origin not on it no CORS headers: %s", async (origin) => {
    const words = await listed.call("/api/ui/zh-CN", from(origin));
    // The server still answers: CORS decides what the page may read, the browser enforces it.
    expect(words.status).toBe(200);
    expect(acao(words)).toBeNull();
    expect(words.headers.get("vary")).toMatch(/origin/i);
    const answer = await listed.call("/api/chat", preflight(origin, "POST"));
    expect(acao(answer)).toBeNull();
    expect(answer.headers.get("access-control-allow-methods")).toBeNull();
    const stream = await streamHeaders(listed, "/api/chat/none/events", origin);
    expect(acao(stream)).toBeNull();
  });

  it("sends no CORS headers to a request without an origin (the same site, or a program)", async () => {
    const response = await listed.call("/api/ui/en");
    expect(response.status).toBe(200);
    expect(acao(response)).toBeNull();
  });
});

describe("reading POSDESK_WIDGET_ORIGINS", () => {
  it.each([
    [undefined, "*"],
    ["", "*"],
    [" * ", "*"],
    [`${SHOP},*`, "*"],
  ])("%j means any origin", (value, expected) => {
    expect(parseWidgetOrigins(value)).toBe(expected);
  });

  it("keeps each origin as a browser writes it", () => {
    const origins = parseWidgetOrigins(
      "https://Shop.Example.com/, https://pay.example.com:443 ,http://localhost:3000,",
    );
    expect(origins).toEqual(
      new Set(["https://shop.example.com", "https://pay.example.com", "http://localhost:3000"]),
    );
  });

  it.each([
    "shop.example.com",
    "https://shop.example.com/pay",
    "https://shop.example.com?x=1",
    "ftp://shop.example.com",
    "https://user:pw@shop.example.com",
  ])("refuses %j, naming the setting", (value) => {
    expect(() => parseWidgetOrigins(value)).toThrow(/POSDESK_WIDGET_ORIGINS.*not an origin/);
  });

  it("stops the server at start when a value is not an origin", async () => {
    await expect(
      startServer({
        port: 0,
        host: "127.0.0.1",
        store: "memory:",
        env: { AGENT_TOKEN: "x", POSDESK_WIDGET_ORIGINS: "shop.example.com" },
        logger: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(/POSDESK_WIDGET_ORIGINS/);
  });
});

describe("the widget's built-in texts", () => {
  it("are the same words as locales/<locale>/ui.json, for when /api/ui cannot be reached", async () => {
    const source = await (await open.call("/widget.js")).text();
    const literal = /const FALLBACK = (\{[\s\S]*?\n {2}\});/.exec(source)?.[1];
    expect(literal).toBeDefined();
    const fallback = new Function(`return ${literal};`)() as Record<Locale, Record<string, string>>;
    for (const locale of ["zh-CN", "en"] as const) {
      const keys = Object.keys(fallback[locale]);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys)
        expect(fallback[locale][key], `${locale} ${key}`).toBe(t(locale, `ui.widget.${key}`));
    }
  });
});
