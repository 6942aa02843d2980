/**
 * The agent API's additions for the support lead's view: a handoff's facts and steps named in the agent's
 * language, and the map of its flow with the states the merchant passed through.
 */
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DECLINED_NOT_FIXED } from "../support/merchants.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const agentJson = async (path: string) => {
  const response = await server.call(path, { agent: true });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("GET /api/handoffs/:id names what the bot learnt", () => {
  it("names facts and steps in the agent's language by default (POSDESK_AGENT_LOCALE, zh-CN)", async () => {
    const id = await server.handoffAfter("刷卡提示51", "还是不行");
    const { body } = await agentJson(`/api/handoffs/${id}`);
    expect(body.names).toEqual({
      facts: [{ fact: "responseCode", value: "51", name: "返回码", valueName: "51" }],
      steps: [
        {
          step: "tell_customer_use_another_card",
          result: "not_fixed",
          name: "已建议顾客换卡或联系发卡行",
          resultName: "未解决",
        },
      ],
    });
    expect(body.facts).toEqual({ responseCode: "51" });
  });

  it("names them in the language the console asks for", async () => {
    const id = await server.handoffAfter("刷卡提示51", "还是不行");
    const { body } = await agentJson(`/api/handoffs/${id}?locale=en`);
    const names = body.names as { facts: { name: string }[]; steps: { resultName: string }[] };
    expect(names.facts[0]?.name).toBe("Response code");
    expect(names.steps[0]?.resultName).toBe("not fixed");
  });

  it("refuses a language it does not have", async () => {
    const id = await server.handoffAfter("刷卡提示51", "还是不行");
    const { status, body } = await agentJson(`/api/handoffs/${id}?locale=fr`);
    expect(status).toBe(400);
    expect(body.error).toMatch(/query/);
  });
});

describe("GET /api/handoffs/:id/flowmap", () => {
  it("gives the flow's map with the states passed through, as JSON with the SVG and Mermaid text", async () => {
    const id = await server.handoffAfter(...DECLINED_NOT_FIXED.says);
    const { status, body } = await agentJson(`/api/handoffs/${id}/flowmap?locale=en`);
    expect(status).toBe(200);
    expect(body.flow).toBe("card_declined");
    expect(body.statePath).toEqual(DECLINED_NOT_FIXED.statePath);
    expect(body.caption).toBe(
      "States passed through, in order: triage → askResponseCode → askScope → adviseCardholder → confirmFixed → escalate.",
    );
    expect(body.mermaid).toContain(
      "class triage,askResponseCode,askScope,adviseCardholder,confirmFixed,escalate passed",
    );
    const svg = String(body.svg);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('data-state="escalate" data-passed="true" data-last="true"');
    expect(svg).toContain('data-state="suggestResign">');
    expect(svg).toContain('<title id="flowmap-card_declined-title">Flow map of Card payment declined');
  });

  it("answers the SVG alone to a client that asks for it", async () => {
    const id = await server.handoffAfter("此卡无法交易", "转人工");
    const response = await server.call(`/api/handoffs/${id}/flowmap`, {
      agent: true,
      headers: { Accept: "image/svg+xml" },
    });
    expect(response.headers.get("content-type")).toContain("image/svg+xml");
    const svg = await response.text();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('data-state="askResponseCode" data-passed="true" data-last="true"');
    expect(svg).toContain("依次经过的状态：triage → askResponseCode。");
  });

  it("is 404 for a handoff without a flow, and for no handoff at all", async () => {
    const id = await server.handoffAfter("转人工");
    expect((await agentJson(`/api/handoffs/${id}/flowmap`)).status).toBe(404);
    expect((await agentJson("/api/handoffs/no-such-handoff/flowmap")).status).toBe(404);
  });

  it("is for agents only", async () => {
    const id = await server.handoffAfter("此卡无法交易", "转人工");
    expect((await server.call(`/api/handoffs/${id}/flowmap`)).status).toBe(401);
  });
});
