/**
 * The widget on an acquirer's own site, in a real browser: the page comes from one server (a tiny node:http
 * one, "the shop") and posdesk runs on another port of 127.0.0.1 — another origin, so every call the
 * widget makes is cross-origin. posdesk allows the shop's origin only (POSDESK_WIDGET_ORIGINS); a second
 * page server on yet another port stands for a site that is not allowed.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/i18n.js";
import { ARTIFACTS, launchChromium } from "../support/browser.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** How the page loads the widget: each way a site (or its tag manager) may do it. */
type Loading = "async" | "defer" | "injected" | "loader";

/**
 * The shop's page. `injected`: another script adds the tag after the page has loaded. `loader`: a loader
 * fetches the code and runs it itself, so the widget has no document.currentScript and must find its tag.
 */
function shopPage(widget: string, loading: Loading, locale: string | null): string {
  const settings = `data-open="true"${locale ? ` data-locale="${locale}"` : ""}`;
  const tag = {
    async: `<script src="${widget}" ${settings} async></script>`,
    defer: `<script src="${widget}" ${settings} defer></script>`,
    injected: `<script>
      addEventListener("load", () => {
        const script = document.createElement("script");
        script.src = ${JSON.stringify(widget)};
        script.dataset.open = "true";
        ${locale ? `script.dataset.locale = ${JSON.stringify(locale)};` : ""}
        document.body.append(script);
      });
    </script>`,
    loader: `<script type="text/x-deferred" src="${widget}" ${settings}></script>
    <script>
      fetch(${JSON.stringify(widget)}).then((r) => r.text()).then((code) => setTimeout(() => (0, eval)(code), 50));
    </script>`,
  }[loading];
  return `<!doctype html><html><head><meta charset="utf-8"><title>Acquirer shop</title></head>
    <body><h1>Acquirer shop</h1><p>Card terminals for every merchant.</p>${tag}</body></html>`;
}

interface PageServer {
  server: Server;
  origin: string;
}

let posdesk: TestServer;
let shop: PageServer;
let stranger: PageServer;
let browser: Browser;

/** A site of its own: serves the shop's page, loading the widget from wherever posdesk is now. */
async function startPageServer(): Promise<PageServer> {
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? "/", "http://page").searchParams;
    const loading = (query.get("load") ?? "async") as Loading;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(shopPage(`${posdesk.url}/widget.js`, loading, query.get("locale")));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}` };
}

const allowedOnly = () => ({ POSDESK_WIDGET_ORIGINS: shop.origin });

beforeAll(async () => {
  [shop, stranger] = await Promise.all([startPageServer(), startPageServer()]);
  posdesk = await startTestServer(allowedOnly());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await posdesk?.stop();
  for (const site of [shop, stranger]) site?.server.close();
});

/** A merchant on a site's page; what the browser said about blocked requests is kept in `console`. */
async function visit(site: PageServer, query: string): Promise<{ page: Page; console: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: "zh-CN" });
  const console: string[] = [];
  page.on("console", (message) => console.push(message.text()));
  await page.goto(`${site.origin}/?${query}`);
  return { page, console };
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator("#posdesk-input").fill(text);
  await page.locator("#posdesk-input").press("Enter");
}

const bubbles = (page: Page, from: string) => page.locator(`.msg.${from}`);
const statusText = (page: Page) => page.locator(".status .text").textContent();

async function handoffOf(page: Page): Promise<string> {
  const conversationId = await page.evaluate(() => localStorage.getItem("posdesk.conversation"));
  const response = await posdesk.call("/api/handoffs", { agent: true });
  const open = (await response.json()) as { id: string; conversationId: string }[];
  const handoff = open.find((h) => h.conversationId === conversationId);
  if (!handoff) throw new Error(`no open handoff for ${conversationId}`);
  return handoff.id;
}

async function agentSays(page: Page, text: string): Promise<void> {
  const id = await handoffOf(page);
  const response = await posdesk.call(`/api/handoffs/${id}/messages`, {
    method: "POST",
    agent: true,
    json: { text },
  });
  expect(response.status).toBe(201);
}

describe("the widget on the acquirer's own site", () => {
  it("holds a whole conversation: the welcome, a problem, a quick reply, a person, the agent's replies live", async () => {
    const { page, console } = await visit(shop, "load=async");
    expect(new URL(page.url()).origin).not.toBe(new URL(posdesk.url).origin);
    await expect.poll(() => page.locator(".title").textContent()).toBe(t("zh-CN", "ui.widget.title"));
    expect(await page.locator(".send").textContent()).toBe(t("zh-CN", "ui.widget.send"));
    await expect
      .poll(() => bubbles(page, "bot").first().textContent())
      .toContain(t("zh-CN", "engine.welcome"));

    await say(page, "此卡无法交易");
    await expect.poll(() => bubbles(page, "bot").last().textContent()).toContain("返回码");
    await page.locator(".options button", { hasText: "屏幕没有显示代码" }).click();
    await expect.poll(() => bubbles(page, "bot").last().textContent()).toContain("所有卡");
    await say(page, "转人工");
    await expect.poll(() => bubbles(page, "bot").last().textContent()).toContain("人工客服");

    await agentSays(page, "您好，我是客服小王，请问是哪张卡？");
    await expect
      .poll(() => bubbles(page, "agent").last().textContent(), { timeout: 10_000 })
      .toContain("客服小王");
    await page.screenshot({ path: join(ARTIFACTS, "widget-cross-origin.png") });

    const id = await handoffOf(page);
    await posdesk.call(`/api/handoffs/${id}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "card_declined" },
    });
    await expect
      .poll(() => bubbles(page, "bot").last().textContent(), { timeout: 10_000 })
      .toContain("人工服务已结束");
    expect(await page.locator(".status").isHidden()).toBe(true);
    expect(console.filter((line) => /CORS|Access-Control/i.test(line))).toEqual([]);
    await page.close();
  });

  it.each<[Loading]>([["async"], ["defer"], ["injected"], ["loader"]])(
    'honours data-open="true" and data-locale when loaded %s',
    async (loading) => {
      const { page } = await visit(shop, `load=${loading}&locale=en`);
      await expect.poll(() => page.locator(".panel").isVisible()).toBe(true);
      await expect.poll(() => page.locator(".title").textContent()).toBe(t("en", "ui.widget.title"));
      await expect
        .poll(() => bubbles(page, "bot").first().textContent())
        .toContain(t("en", "engine.welcome"));
      await say(page, "card declined");
      await expect.poll(() => bubbles(page, "bot").count()).toBeGreaterThan(1);
      expect(await page.locator("#posdesk-widget").count()).toBe(1);
      await page.close();
    },
  );
});

describe("when posdesk cannot be reached", () => {
  it("says so with a retry, keeps what was typed, and sends it in order once the server is back", async () => {
    const { page } = await visit(shop, "load=defer&locale=zh-CN");
    await expect
      .poll(() => bubbles(page, "bot").first().textContent())
      .toContain(t("zh-CN", "engine.welcome"));
    const port = Number(new URL(posdesk.url).port);
    const dir = posdesk.dir;
    await posdesk.close();

    await say(page, "此卡无法交易");
    await say(page, "05");
    await expect.poll(() => statusText(page)).toBe(t("zh-CN", "ui.widget.error"));
    const retry = page.locator(".retry");
    expect(await retry.isVisible()).toBe(true);
    expect(await retry.textContent()).toBe(t("zh-CN", "ui.widget.retry"));
    // Both messages are on screen, marked as not sent; nothing was dropped.
    await expect.poll(() => page.locator(".msg.merchant.failed").count()).toBe(2);
    expect(await bubbles(page, "merchant").allTextContents()).toEqual([
      expect.stringContaining("此卡无法交易"),
      expect.stringContaining("05"),
    ]);
    expect(await page.locator(".msg.failed").first().getAttribute("data-note")).toBe(
      t("zh-CN", "ui.widget.notSent"),
    );
    await page.screenshot({ path: join(ARTIFACTS, "widget-cross-origin-unreachable.png") });

    // A retry while the server is still down changes nothing but says so again.
    await retry.click();
    await expect.poll(() => statusText(page)).toBe(t("zh-CN", "ui.widget.error"));
    expect(await page.locator(".msg.merchant.failed").count()).toBe(2);

    posdesk = await startTestServer(allowedOnly(), { port, dir });
    await retry.click();
    // The answers to both, in order: the code 05 explained after the question about the code.
    await expect
      .poll(async () => (await bubbles(page, "bot").allTextContents()).join("\n"))
      .toMatch(/返回码[\s\S]*不予承兑/);
    expect(await page.locator(".msg.failed").count()).toBe(0);
    expect(await bubbles(page, "merchant").count()).toBe(2);
    expect(await page.locator(".retry").isVisible()).toBe(false);
    // Until the live stream is back, the status line may say it is reconnecting; then it goes away.
    await expect.poll(() => page.locator(".status").isHidden(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "widget-cross-origin-retried.png") });

    // The live stream found the server again by itself: a person's reply still arrives.
    await say(page, "转人工");
    await expect.poll(() => bubbles(page, "bot").last().textContent()).toContain("人工客服");
    await agentSays(page, "服务恢复了，我来帮您看看。");
    await expect
      .poll(() => bubbles(page, "agent").last().textContent(), { timeout: 15_000 })
      .toContain("服务恢复了");
    await page.close();
  });
});

describe("a site not among POSDESK_WIDGET_ORIGINS", () => {
  it("is refused by the browser; the widget says so in its own words and keeps what was typed", async () => {
    const { page, console } = await visit(stranger, "load=async&locale=en");
    await expect.poll(() => statusText(page)).toBe(t("en", "ui.widget.unavailable"));
    expect(await page.locator(".title").textContent()).toBe(t("en", "ui.widget.title"));
    expect(await page.locator(".retry").textContent()).toBe(t("en", "ui.widget.retry"));
    expect(console.some((line) => line.includes("CORS policy"))).toBe(true);
    const words = await posdesk.call("/api/ui/en", { headers: { Origin: stranger.origin } });
    expect(words.headers.get("access-control-allow-origin")).toBeNull();

    await say(page, "card declined");
    await expect.poll(() => statusText(page)).toBe(t("en", "ui.widget.error"));
    expect(await page.locator(".msg.merchant.failed").textContent()).toContain("card declined");
    await page.locator(".retry").click();
    await expect.poll(() => statusText(page)).toBe(t("en", "ui.widget.error"));
    expect(await bubbles(page, "bot").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "widget-cross-origin-refused.png") });
    await page.close();
  });
});
