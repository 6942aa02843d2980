/**
 * The analytics page in a real browser (Debian's Chromium, playwright-core) over a day of demo traffic
 * played through the engine: the lead signs in with the agent token, reads the figures the API gives, at
 * desktop and phone width, in Chinese and English. Screenshots: test-artifacts/analytics-*.png.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../src/analytics/demo.js";
import type { AnalyticsReport } from "../../src/analytics/report.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { seriousViolations } from "../support/axe.js";
import { ARTIFACTS, launchChromium } from "../support/browser.js";
import { nlu } from "../support/conversation.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-analytics-page-"));
  const store = new SqliteStore(join(dir, "posdesk.db"));
  await seedDemo({ nlu, store, conversations: 400, days: 1, tz: "UTC" });
  await store.close();
  server = await startTestServer({ POSDESK_PICTURES: "off" }, { dir });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Lead {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
}

/** A lead's browser at `width`, in UTC, with nothing remembered. */
async function lead(width: number, height = 900): Promise<Lead> {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: "UTC" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

async function signIn(page: Page, token = server.agentToken): Promise<void> {
  await page.goto(`${server.url}/agent/analytics`);
  await page.locator("#token").fill(token);
  await page.locator("#token-submit").click();
}

/** Waits until the page has drawn the report for its range in `locale`. */
async function drawn(page: Page, locale: string): Promise<void> {
  await page.waitForFunction((l) => document.body.dataset.rendered?.endsWith(`/${l}`), locale);
}

/** The report the page asked for: the same query, straight from the API. */
async function apiReport(page: Page): Promise<AnalyticsReport> {
  const from = await page.locator("#from").inputValue();
  const to = await page.locator("#to").inputValue();
  const response = await server.call(`/api/analytics?from=${from}&to=${to}&tz=UTC`, { agent: true });
  return (await response.json()) as AnalyticsReport;
}

const kpi = (page: Page, id: string) => page.locator(`#kpi-${id} .value`).textContent();

async function checkFigures(page: Page, locale: "zh-CN" | "en"): Promise<void> {
  const report = await apiReport(page);
  expect(report.conversations).toBe(400);
  const number = (n: number) => new Intl.NumberFormat(locale).format(n);
  expect(await kpi(page, "conversations")).toBe(number(report.conversations));
  expect(await kpi(page, "resolved")).toBe(number(report.resolvedByBot));
  expect(await kpi(page, "handoffs")).toBe(number(report.handoffs));
  expect(await kpi(page, "csat")).toBe(report.csat.average?.toFixed(2));
  // Each chart's numbers are in its table: the topics, the funnel of the busiest flow, the hours.
  const topics = await page.locator("#topics-table tbody tr").count();
  expect(topics).toBe(Object.values(report.byIntent).filter((n) => n > 0).length);
  const busiest = report.flows[0];
  expect(await page.locator("#flow").inputValue()).toBe(busiest?.flow);
  const funnelRows = await page.locator("#funnel-table tbody tr").allTextContents();
  expect(funnelRows).toHaveLength((busiest?.states.length ?? 0) + 1);
  expect(funnelRows[0]).toContain(number(busiest?.started ?? 0));
  const hours = await page.locator("#hours-table tbody tr td:nth-child(2)").allTextContents();
  expect(hours.map((h) => Number(h.replaceAll(",", "")))).toEqual(
    report.busiestHours.map((h) => h.conversations),
  );
  expect(await page.locator("canvas").count()).toBeGreaterThanOrEqual(9);
  // Each chart is named for a screen reader (its numbers are in its table).
  const names = await page
    .locator(".chart")
    .evaluateAll((charts) => charts.map((c) => c.getAttribute("aria-label")));
  expect(names.length).toBeGreaterThanOrEqual(9);
  for (const name of names) expect(name?.length).toBeGreaterThan(1);
}

describe("the analytics page", () => {
  it("shows a day of traffic at desktop width, in Chinese and then in English", async () => {
    const { context, page, errors } = await lead(1280);
    await signIn(page);
    await drawn(page, "zh-CN");
    expect(await page.locator("h1").textContent()).toBe("posdesk 数据统计");
    await checkFigures(page, "zh-CN");
    await page.screenshot({ path: join(ARTIFACTS, "analytics-desktop-zh.png"), fullPage: true });

    await page.locator("#lang").click();
    await drawn(page, "en");
    expect(await page.locator("h1").textContent()).toBe("posdesk analytics");
    expect(await page.locator("#kpis").textContent()).toContain("Solved by the bot");
    await checkFigures(page, "en");
    await page.screenshot({ path: join(ARTIFACTS, "analytics-desktop-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("is readable at phone width (375 px): nothing wider than the screen, in both languages", async () => {
    const { context, page, errors } = await lead(375, 812);
    await signIn(page);
    await drawn(page, "zh-CN");
    await checkFigures(page, "zh-CN");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ARTIFACTS, "analytics-phone-zh.png"), fullPage: true });

    await page.locator("#lang").click();
    await drawn(page, "en");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    for (const chart of await page.locator(".chart").all()) {
      const box = await chart.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(375);
    }
    await page.screenshot({ path: join(ARTIFACTS, "analytics-phone-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("has no serious or critical accessibility violation (axe-core), at desktop and at phone width", async () => {
    for (const width of [1280, 375]) {
      const { context, page } = await lead(width);
      await signIn(page);
      await drawn(page, "zh-CN");
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it("follows the console's language and token: signed in there, the page opens in English at once", async () => {
    const { context, page } = await lead(1280);
    await page.goto(`${server.url}/agent`);
    await page.locator("#lang").click();
    await expect.poll(() => page.locator("#token-submit").textContent()).toBe("Enter");
    await page.locator("#token").fill(server.agentToken);
    await page.locator("#token-submit").click();
    await page.locator("#analytics-link").click();
    await drawn(page, "en");
    expect(await page.locator("#login").isHidden()).toBe(true);
    await context.close();
  });

  it("shows the figures of the dates picked, and says when there are none", async () => {
    const { context, page } = await lead(1280);
    await signIn(page);
    await drawn(page, "zh-CN");
    await page.locator("#from").fill("2020-01-01");
    await page.locator("#to").fill("2020-01-31");
    await page.locator("#apply").click();
    await page.waitForFunction(() => document.body.dataset.rendered?.startsWith("2020-01-01"));
    expect(await kpi(page, "conversations")).toBe("0");
    expect(await page.locator("#status").textContent()).toBe("所选日期内没有会话。");
    await page.locator("[data-preset=today]").click();
    await page.waitForFunction(() => !document.body.dataset.rendered?.startsWith("2020-01-01"));
    expect(await page.locator("[data-preset=today]").getAttribute("aria-pressed")).toBe("true");
    expect(Number((await kpi(page, "conversations"))?.replaceAll(",", ""))).toBeGreaterThan(0);
    await context.close();
  });

  it("asks for the agent token, and refuses a wrong one", async () => {
    const { context, page } = await lead(1280);
    await signIn(page, "not-the-token");
    await expect.poll(() => page.locator("#login-error").textContent()).toBe("令牌不正确");
    expect(await page.locator("#board").isHidden()).toBe(true);
    await context.close();
  });
});
