import { describe, expect, it } from "vitest";
import { machine } from "../../flows/account_frozen.js";
import { startFlow } from "../support/flow.js";

const riskEscalation = { outcome: "escalated", reason: "policy", priority: "high" };

describe("account_frozen flow", () => {
  it("says only the risk team can release funds, then asks what happened", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askHoldType");
    expect(flow.keys).toEqual(["account_frozen.intro", "account_frozen.askHoldType"]);
    expect(flow.options).toEqual(["funds_held", "account_restricted", "retrieval_request"]);
  });

  it("learns amount, start and notice of held funds, lists the documents and escalates to risk", () => {
    const flow = startFlow(machine).answer("钱被冻结了");
    expect(flow.state).toBe("askAmount");
    expect(flow.options).toEqual(["unknown"]);
    flow.answer("5万");
    expect(flow.state).toBe("askSince");
    flow.answer("今天早上开始的");
    expect(flow.state).toBe("askNotice");
    flow.answer("收到短信了");
    expect(flow.keys).toEqual(["account_frozen.documents.funds_held", "account_frozen.handoffWithAmount"]);
    expect(flow.texts[0]).toContain("签购单");
    expect(flow.texts[0]).toContain("至少保存一年");
    expect(flow.texts[1]).toContain("50000");
    expect(flow.facts).toEqual({
      holdType: "funds_held",
      amount: 50000,
      since: "today",
      notice: "notice_received",
    });
    expect(flow.steps).toEqual([{ step: "prepare_risk_documents", result: "advised" }]);
    expect(flow.output).toEqual(riskEscalation);
  });

  it("skips the amount question when the first message gave the amount", () => {
    const flow = startFlow(machine, { amount: 88000 }).answer("被风控了");
    expect(flow.state).toBe("askSince");
    expect(flow.keys).toEqual(["account_frozen.askSince"]);
    expect(flow.facts.amount).toBe(88000);
  });

  it("skips the amount question when the answer about what happened carried it", () => {
    const flow = startFlow(machine).answer("冻了五万");
    expect(flow.state).toBe("askSince");
    expect(flow.facts).toEqual({ holdType: "funds_held", amount: 50000 });
  });

  it("asks no notice question for a retrieval request and asks for the signed slip", () => {
    const flow = startFlow(machine).answer("来了个调单通知").answer("两万").answer("昨天");
    expect(flow.keys).toEqual(["account_frozen.signedSlip", "account_frozen.handoffWithAmount"]);
    expect(flow.texts[0]).toContain("签购单");
    expect(flow.facts).toEqual({
      holdType: "retrieval_request",
      amount: 20000,
      since: "this_week",
      notice: "notice_received",
    });
    expect(flow.steps).toEqual([{ step: "provide_signed_slip", result: "advised" }]);
    expect(flow.output).toEqual(riskEscalation);
  });

  it("understands every quick reply by its number", () => {
    const flow = startFlow(machine).answer("2").answer("1").answer("3").answer("2");
    expect(flow.facts).toEqual({ holdType: "account_restricted", since: "over_a_week", notice: "no_notice" });
    expect(flow.keys).toEqual(["account_frozen.documents.account_restricted", "account_frozen.handoff"]);
    expect(flow.output).toEqual(riskEscalation);
  });

  it("escalates even when the merchant cannot say the amount", () => {
    const flow = startFlow(machine).answer("商户被停用了").answer("不清楚").answer("上个月").answer("没收到");
    expect(flow.facts.amount).toBeUndefined();
    expect(flow.keys.at(-1)).toBe("account_frozen.handoff");
    expect(flow.output).toEqual(riskEscalation);
  });

  it("keeps a date the merchant names as the start of the hold", () => {
    const flow = startFlow(machine).answer("延迟结算").answer("3万").answer("3月5号开始的");
    expect(flow.state).toBe("askNotice");
    expect(flow.facts.since).toBe("3月5号开始的");
  });

  it("takes a plain yes as a notice received", () => {
    const flow = startFlow(machine, { amount: 1000 }).answer("冻结").answer("今天").answer("是的");
    expect(flow.facts.notice).toBe("notice_received");
    expect(flow.done).toBe(true);
  });

  it("keeps an answer it cannot read in the merchant's words and goes on: a person sees it", () => {
    const flow = startFlow(machine).answer("嗯……让我想想");
    expect(flow.state).toBe("askAmount");
    expect(flow.facts.holdTypeInWords).toBe("嗯……让我想想");
  });

  it("goes on without the amount when the answer holds none", () => {
    const flow = startFlow(machine).answer("冻结").answer("很多钱");
    expect(flow.state).toBe("askSince");
    expect(flow.facts.amountInWords).toBe("很多钱");
  });

  it("reaches the person whatever the merchant answers", () => {
    const flow = startFlow(machine).answer("啊？").answer("不知道").answer("不清楚").answer("没有");
    expect(flow.done).toBe(true);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy", priority: "high" });
    expect(flow.facts).toMatchObject({ holdTypeInWords: "啊？", since: "unknown", notice: "no_notice" });
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("my payout is on hold");
    expect(flow.facts.holdType).toBe("funds_held");
    flow.answer("12000").answer("since yesterday").answer("didn't get anything");
    expect(flow.facts).toEqual({
      holdType: "funds_held",
      amount: 12000,
      since: "this_week",
      notice: "no_notice",
    });
    expect(flow.texts[0]).toContain("proof of delivery");
    expect(flow.texts[1]).toContain("12000 yuan");
    expect(flow.output).toEqual(riskEscalation);
  });
});
