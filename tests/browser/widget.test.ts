/**
 * The widget and the agent console in a real browser: Debian's Chromium driven by playwright-core (never a
 * browser download). Screenshots land in test-artifacts/ for a person to look at.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locale } from "../../src/domain/intents.js";
import { list, t } from "../../src/i18n.js";
import { ARTIFACTS, launchChromium } from "../support/browser.js";
import { screen } from "../support/pictures.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openWidget(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(server.url);
  await page.locator("#posdesk-input").waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator("#posdesk-input").fill(text);
  await page.locator("#posdesk-input").press("Enter");
}

const bubbles = (page: Page, from: string) => page.locator(`.msg.${from}`);

async function openConsole(): Promise<Page> {
  const agent = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await agent.goto(`${server.url}/agent`);
  await agent.locator("#token").fill(server.agentToken);
  await agent.locator("#token-submit").click();
  await agent.locator("#queue .item").first().waitFor();
  return agent;
}

describe("the web widget with an agent on the console", () => {
  it("takes a problem, a quick reply and a request for a person, and shows the agent's reply live", async () => {
    const merchant = await openWidget();
    await say(merchant, "此卡无法交易");
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("返回码");
    await merchant.locator(".options button", { hasText: "屏幕没有显示代码" }).click();
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("所有卡");
    await say(merchant, "转人工");
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("人工客服");
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-handoff.png") });

    const agent = await openConsole();
    await agent.locator("#queue .item").first().click();
    await expect.poll(() => agent.locator("#summary").textContent()).toContain("刷卡被拒");
    await expect.poll(() => agent.locator("#transcript").textContent()).toContain("此卡无法交易");
    await agent.locator("#reply-text").fill("您好，我是客服小王，请问是哪张卡？");
    await agent.locator("#reply button[type=submit]").click();
    await agent.screenshot({ path: join(ARTIFACTS, "agent-console.png") });

    await expect
      .poll(() => bubbles(merchant, "agent").last().textContent(), { timeout: 10_000 })
      .toContain("客服小王");
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-agent-reply.png") });

    await agent.locator("#resolution").selectOption("card_declined");
    await agent.locator("#close button[type=submit]").click();
    await expect
      .poll(() => bubbles(merchant, "bot").last().textContent(), { timeout: 10_000 })
      .toContain("人工服务已结束");
    await expect.poll(() => agent.locator("#queue .item").first().textContent()).toMatch(/暂无|No open/);
    await agent.close();
    await merchant.close();
  });

  it("asks the merchant to rate the agent once the handoff closes, and shows the rating on the console", async () => {
    const merchant = await openWidget();
    await say(merchant, "转人工");
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("人工客服");
    const agent = await openConsole();
    await agent.locator("#queue .item").first().click();
    await agent.locator("#close button[type=submit]").click();

    await merchant.locator(".options button", { hasText: /^满意$/ }).click({ timeout: 10_000 });
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("想说点什么吗");
    expect(await merchant.locator(".options button").allTextContents()).toEqual(["跳过"]);
    await say(merchant, "客服很耐心");
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("谢谢您的反馈");
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-rating.png") });

    const rated = agent.locator("#closed .item", { hasText: "4/5" }).first();
    await expect.poll(() => rated.count(), { timeout: 10_000 }).toBe(1);
    await rated.click();
    await expect.poll(() => agent.locator("#satisfaction").textContent()).toContain("客服很耐心");
    expect(await agent.locator("#reply").count()).toBe(0);
    await agent.screenshot({ path: join(ARTIFACTS, "agent-console-rating.png") });
    await agent.close();
    await merchant.close();
  });

  it("sends a photo of the screen, shows it in the merchant's bubble, and the agent sees the kept copy", async () => {
    const merchant = await openWidget();
    const picture = await screen(["交易失败", "卡号 6222 0212 3456 7894", "应答码：05"], "jpeg");
    await merchant.locator("input.file").setInputFiles({
      name: "screen.jpg",
      mimeType: "image/jpeg",
      buffer: picture,
    });
    const thumb = bubbles(merchant, "merchant").last().locator("img.thumb");
    await expect.poll(() => thumb.getAttribute("src")).toMatch(/^blob:/);
    await expect
      .poll(() => bubbles(merchant, "bot").allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining("应答码：05"));
    expect((await bubbles(merchant, "bot").allTextContents()).join()).not.toMatch(/3456\s?7894/);
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-photo.png") });

    await say(merchant, "转人工");
    await expect.poll(() => bubbles(merchant, "bot").last().textContent()).toContain("人工客服");
    const agent = await openConsole();
    await agent.locator("#queue .item").first().click();
    const kept = agent.locator("#transcript img.picture");
    await expect.poll(() => kept.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    expect(await kept.getAttribute("src")).toMatch(/^blob:/);
    expect(await agent.locator("#transcript").textContent()).not.toContain("6222 0212 3456 7894");
    await agent.screenshot({ path: join(ARTIFACTS, "agent-console-photo.png") });
    // Handed back, so the queue is as the other tests expect it.
    await agent.locator("#close button[type=submit]").click();
    await expect.poll(() => agent.locator("#queue .item").first().textContent()).toMatch(/暂无|No open/);
    await agent.close();
    await merchant.close();
  });

  it("keeps the conversation across a page reload", async () => {
    const page = await openWidget();
    await say(page, "打印机不出小票");
    // The welcome, then the answer to the message.
    await expect.poll(() => bubbles(page, "bot").count()).toBeGreaterThan(1);
    const before = await bubbles(page, "bot").count();
    await page.reload();
    await expect.poll(() => bubbles(page, "bot").count()).toBe(before);
    await expect.poll(() => page.locator(".options button").count()).toBeGreaterThan(0);
    await page.close();
  });

  it("works at phone width", async () => {
    const page = await browser.newPage({
      viewport: { width: 375, height: 720 },
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(server.url);
    await say(page, "通讯失败");
    await expect.poll(() => bubbles(page, "bot").count()).toBeGreaterThan(0);
    const box = await page.locator(".panel").boundingBox();
    expect(box?.width).toBe(375);
    await page.screenshot({ path: join(ARTIFACTS, "widget-phone.png") });
    await page.close();
  });

  it("never runs merchant text as HTML, in the widget or on the console", async () => {
    const merchant = await openWidget();
    const attacks = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>"];
    for (const text of attacks) await say(merchant, text);
    await say(merchant, "我要人工");
    await expect.poll(() => bubbles(merchant, "merchant").count()).toBe(3);
    expect(await bubbles(merchant, "merchant").first().textContent()).toContain("<img src=x");
    expect(await merchant.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

    const agent = await openConsole();
    await agent.locator("#queue .item").first().click();
    await expect.poll(() => agent.locator("#transcript").textContent()).toContain("<script>");
    expect(await agent.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await agent.close();
    await merchant.close();
  });
});

/** The common topics (engine.menuTopics) as the widget's buttons read. */
const menuLabels = (locale: Locale) =>
  list(locale, "engine.menuTopics").map((topic) => t(locale, `topics.${topic}`));

const EMOJI = /\p{Extended_Pictographic}/u;

describe("opening the web widget", () => {
  it("greets first with the welcome and the common topics as buttons, and a topic starts its flow", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: "zh-CN" });
    await page.goto(server.url);
    await expect
      .poll(() => bubbles(page, "bot").first().textContent())
      .toContain(t("zh-CN", "engine.welcome"));
    await expect.poll(() => page.locator(".options button").allTextContents()).toEqual(menuLabels("zh-CN"));
    expect(await bubbles(page, "merchant").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "widget-welcome.png") });

    await page.locator(".options button", { hasText: t("zh-CN", "topics.card_declined") }).click();
    await expect.poll(() => bubbles(page, "bot").last().textContent()).toContain("返回码");
    expect(await bubbles(page, "merchant").last().textContent()).toContain(
      t("zh-CN", "topics.card_declined"),
    );
    await expect.poll(() => page.locator(".options button").allTextContents()).toEqual(["屏幕没有显示代码"]);
    await page.close();
  });

  it("does not greet again after a reload: the history comes back as it was", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: "zh-CN" });
    await page.goto(server.url);
    await expect.poll(() => bubbles(page, "bot").count()).toBe(1);
    await page.reload();
    await page.locator("#posdesk-input").waitFor();
    await expect.poll(() => page.locator(".options button").allTextContents()).toEqual(menuLabels("zh-CN"));
    // Give a second welcome, were one on its way, the time to arrive.
    await page.waitForTimeout(500);
    expect(await bubbles(page, "bot").allTextContents()).toHaveLength(1);

    await say(page, "通讯失败");
    await expect.poll(() => bubbles(page, "bot").count()).toBeGreaterThan(1);
    await page.reload();
    await expect.poll(() => bubbles(page, "merchant").count()).toBe(1);
    await page.waitForTimeout(500);
    const welcomes = (await bubbles(page, "bot").allTextContents()).filter((text) =>
      text.includes(t("zh-CN", "engine.welcome")),
    );
    expect(welcomes).toHaveLength(1);
    await page.close();
  });

  it("greets when the launcher opens it, in the page's language, and not before", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: "en-US" });
    const opened: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/api/chat/open")) opened.push(request.url());
    });
    // A merchant's own site, embedding the widget closed.
    await page.route(`${server.url}/shop`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><html><body><h1>Shop</h1><script src="/widget.js" async></script></body></html>',
      }),
    );
    await page.goto(`${server.url}/shop`);
    const launcher = page.locator(".launcher");
    await expect.poll(() => launcher.getAttribute("aria-label")).toBe("Open support chat");
    await page.waitForTimeout(300);
    expect(opened).toHaveLength(0);
    await page.screenshot({ path: join(ARTIFACTS, "widget-launcher.png") });

    await launcher.click();
    await expect.poll(() => bubbles(page, "bot").first().textContent()).toContain(t("en", "engine.welcome"));
    await expect.poll(() => page.locator(".options button").allTextContents()).toEqual(menuLabels("en"));
    await launcher.click();
    await launcher.click();
    await page.waitForTimeout(300);
    expect(opened).toHaveLength(1);
    expect(await bubbles(page, "bot").count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "widget-welcome-en.png") });
    await page.close();
  });

  it("draws its launcher icon as SVG, not an emoji, and keeps its accessible label", async () => {
    const page = await openWidget();
    const launcher = page.locator(".launcher");
    expect(await launcher.locator("svg").count()).toBe(1);
    expect(await launcher.locator("svg").getAttribute("aria-hidden")).toBe("true");
    expect(await launcher.textContent()).not.toMatch(EMOJI);
    expect(await page.locator(".close").textContent()).not.toMatch(EMOJI);
    expect(await launcher.getAttribute("aria-label")).toMatch(/\S/);
    const box = await launcher.locator("svg").boundingBox();
    expect(box?.width).toBeGreaterThan(20);
    await page.close();
  });
});
