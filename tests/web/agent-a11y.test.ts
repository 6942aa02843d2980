/**
 * The agent console in headless Chromium, audited by axe-core: the login, the queue and an open handoff
 * with its flow map have no serious or critical accessibility violation; and the handoff view shows what
 * the bot learnt by name and the map of the states the merchant passed through.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "../support/axe.js";
import { ARTIFACTS, launchChromium } from "../support/browser.js";
import { DECLINED_NOT_FIXED } from "../support/merchants.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let browser: Browser;
/** A card declined, no code, one card, the advice did not help: a handoff with a path through its flow. */
let unresolved: string;
/** A person asked for at once: a handoff with no flow. */
let noFlow: string;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  unresolved = await server.handoffAfter(...DECLINED_NOT_FIXED.says);
  // A risk code: a high-priority handoff, so the queue shows every kind of badge.
  await server.handoffAfter("刷卡被拒 返回码41");
  noFlow = await server.handoffAfter("转人工");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openConsole(locale = "zh-CN"): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript((chosen) => localStorage.setItem("posdesk.agent.locale", chosen), locale);
  await page.goto(`${server.url}/agent`);
  await page.locator("#token").fill(server.agentToken);
  await page.locator("#token-submit").click();
  await page.locator("#queue .item").first().waitFor();
  return page;
}

async function openHandoff(page: Page, id: string): Promise<void> {
  await page.locator(`#queue .item[data-id="${id}"]`).click();
  await page.locator("#flowmap svg").waitFor();
}

describe("the agent console's accessibility (axe-core)", () => {
  it("has no serious or critical violation on the login", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/agent`);
    await page.locator("#token").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it("has no serious or critical violation on the queue", async () => {
    const page = await openConsole();
    expect(await page.locator("#queue > :not(li)").count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it("has no serious or critical violation on an open handoff with its flow map", async () => {
    const page = await openConsole();
    await openHandoff(page, unresolved);
    await page.screenshot({ path: join(ARTIFACTS, "agent-console-flowmap.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("the handoff view", () => {
  it("shows facts and steps by name in the console's language", async () => {
    const page = await openConsole();
    await openHandoff(page, unresolved);
    const detail = page.locator("#detail");
    await expect.poll(() => detail.textContent()).toContain("受影响范围只有这张卡");
    expect(await detail.textContent()).toContain("已建议顾客换卡或联系发卡行未解决");
    expect(await detail.textContent()).not.toMatch(/tell_customer_use_another_card|not_fixed/);
    await page.close();
  });

  it("shows them in English when the console is in English", async () => {
    const page = await openConsole("en");
    await openHandoff(page, unresolved);
    const steps = page.locator("#detail dt", { hasText: "customer told to use another card" });
    expect(await steps.locator("xpath=following-sibling::dd[1]").textContent()).toBe("not fixed");
    await page.close();
  });

  it("shows the flow's map with the states the merchant passed through, and where it stopped", async () => {
    const page = await openConsole();
    await openHandoff(page, unresolved);
    const map = page.locator("#flowmap svg");
    const passed = await map
      .locator("[data-passed]")
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-state")));
    expect(passed).toEqual(DECLINED_NOT_FIXED.statePath);
    expect(await map.locator("[data-last]").getAttribute("data-state")).toBe("escalate");
    expect(await page.locator("#flowmap figcaption").textContent()).toContain("triage → askResponseCode");
    expect(await map.getAttribute("role")).toBe("img");
    await page.close();
  });

  it("has no map for a handoff without a flow", async () => {
    const page = await openConsole();
    await page.locator(`#queue .item[data-id="${noFlow}"]`).click();
    await page.locator("#summary").waitFor();
    expect(await page.locator("#flowmap").count()).toBe(0);
    await page.close();
  });
});
