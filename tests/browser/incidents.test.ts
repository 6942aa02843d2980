/**
 * The console's incidents panel in a real browser: a suspected incident appears live as merchants raise a
 * topic, with its count and shared facts; the agent confirms it with a message, a merchant on the widget is
 * told it, and closing it empties the panel.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/i18n.js";
import { ARTIFACTS, launchChromium } from "../support/browser.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ POSDESK_INCIDENT_MIN_CONVERSATIONS: "3" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openConsole(): Promise<Page> {
  const agent = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await agent.goto(`${server.url}/agent`);
  await agent.locator("#token").fill(server.agentToken);
  await agent.locator("#token-submit").click();
  await agent.locator("#incidents-title").waitFor();
  return agent;
}

async function merchantSays(text: string): Promise<void> {
  await server.call("/api/chat", { method: "POST", json: { text } });
}

const message = "华东地区运营商线路故障，预计 15:00 前恢复";
const notice = t("zh-CN", "incident.notice", { topic: t("zh-CN", "topics.network_failure"), message });

/** Whether a bot bubble ends with `text` (each bubble starts with who speaks, for screen readers). */
const botSaid = async (page: Page, text: string) =>
  (await page.locator(".msg.bot").allTextContents()).some((b) => b.endsWith(text));

async function openWidget(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
  await page.goto(server.url);
  await page.locator("#posdesk-input").waitFor();
  return page;
}

async function widgetSays(page: Page, text: string): Promise<void> {
  await page.locator("#posdesk-input").fill(text);
  await page.locator("#posdesk-input").press("Enter");
}

describe("the incidents panel", () => {
  it("shows a suspected incident live, confirms it with a message merchants are told, and closes it", async () => {
    const agent = await openConsole();
    expect(await agent.locator("#incidents").textContent()).toContain("暂无疑似故障");
    // One merchant on the widget, in the middle of troubleshooting; two more through the API.
    const troubleshooting = await openWidget();
    await widgetSays(troubleshooting, "网络连接超时 返回码96");
    await expect.poll(() => troubleshooting.locator(".options button").count()).toBe(2);
    for (let i = 0; i < 2; i += 1) await merchantSays("网络连接超时 返回码96");
    const card = agent.locator("#incidents .incident");
    await expect.poll(() => card.locator(".count").textContent(), { timeout: 10_000 }).toBe("3 位商户");
    expect(await card.textContent()).toContain("疑似");
    expect(await card.locator("dl").textContent()).toContain("96 (3/3)");

    await card.locator("textarea").fill(message);
    await card.locator("button[type=submit]").click();
    await expect.poll(() => card.locator(".message").textContent()).toBe(message);
    expect(await agent.locator("#incidents-status").textContent()).toBe("已通知 3 位商户");
    await agent.screenshot({ path: join(ARTIFACTS, "agent-console-incident.png") });

    // The merchant troubleshooting is told at once, with yes / no as buttons.
    await expect.poll(() => botSaid(troubleshooting, notice), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => troubleshooting.locator(".options button").allTextContents())
      .toEqual(["是的，一样", "不是，不一样"]);
    await troubleshooting.locator(".options button").first().click();
    await expect.poll(() => botSaid(troubleshooting, t("zh-CN", "incident.offer"))).toBe(true);

    // A merchant who raises the topic now is told first.
    const merchant = await openWidget();
    await widgetSays(merchant, "POS机通讯失败了");
    await expect.poll(() => botSaid(merchant, notice), { timeout: 10_000 }).toBe(true);
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-incident-notice.png") });

    await card.locator("button.primary").click();
    await expect.poll(() => agent.locator("#incidents").textContent()).toContain("暂无疑似故障");
    const over = t("zh-CN", "incident.over", { topic: t("zh-CN", "topics.network_failure") });
    await expect.poll(() => botSaid(troubleshooting, over), { timeout: 10_000 }).toBe(true);
    await troubleshooting.close();
    await merchant.close();
    await agent.close();
  });
});
