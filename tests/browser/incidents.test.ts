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

describe("the incidents panel", () => {
  it("shows a suspected incident live, confirms it with a message the widget shows, and closes it", async () => {
    const agent = await openConsole();
    expect(await agent.locator("#incidents").textContent()).toContain("暂无疑似故障");
    for (let i = 0; i < 3; i += 1) await merchantSays("网络连接超时 返回码96");
    const card = agent.locator("#incidents .incident");
    await expect.poll(() => card.locator(".count").textContent(), { timeout: 10_000 }).toBe("3 位商户");
    expect(await card.textContent()).toContain("疑似");
    expect(await card.locator("dl").textContent()).toContain("96 (3/3)");

    const message = "华东地区运营商线路故障，预计 15:00 前恢复";
    await card.locator("textarea").fill(message);
    await card.locator("button[type=submit]").click();
    await expect.poll(() => card.locator(".message").textContent()).toBe(message);
    expect(await agent.locator("#incidents-status").textContent()).toBe("已通知 3 位商户");
    await agent.screenshot({ path: join(ARTIFACTS, "agent-console-incident.png") });

    const merchant = await browser.newPage({ viewport: { width: 420, height: 800 } });
    await merchant.goto(server.url);
    await merchant.locator("#posdesk-input").fill("POS机通讯失败了");
    await merchant.locator("#posdesk-input").press("Enter");
    const notice = t("zh-CN", "incident.notice", { topic: t("zh-CN", "topics.network_failure"), message });
    // Each bubble starts with who speaks, for screen readers.
    await expect
      .poll(
        async () => (await merchant.locator(".msg.bot").allTextContents()).some((b) => b.endsWith(notice)),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await merchant.screenshot({ path: join(ARTIFACTS, "widget-incident-notice.png") });

    await card.locator("button.primary").click();
    await expect.poll(() => agent.locator("#incidents").textContent()).toContain("暂无疑似故障");
    await merchant.close();
    await agent.close();
  });
});
