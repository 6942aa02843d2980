import { describe, expect, it } from "vitest";
import { machine } from "../../flows/settlement_delay.js";
import { startFlow } from "../support/flow.js";

/** A sale approved on T+1, five days ago, no card change: the merchant has answered up to the risk question. */
const upToRiskQuestion = (facts = {}) =>
  startFlow(machine, facts).answer("交易成功").answer("T+1").answer("上周的").answer("没换过");

describe("settlement_delay flow", () => {
  it("first asks whether the slip says the sale was approved", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askSlip");
    expect(flow.keys).toEqual(["settlement_delay.askSlip"]);
    expect(flow.options).toEqual(["success", "failed", "no_slip"]);
  });

  it("explains that a failed sale is never settled, and ends resolved when that answers it", () => {
    const flow = startFlow(machine).answer("小票显示交易失败");
    expect(flow.facts.slip).toBe("failed");
    expect(flow.keys).toEqual(["settlement_delay.failedSale", "common.didItWork"]);
    expect(flow.steps).toEqual([{ step: "check_sale_status", result: "advised" }]);
    flow.answer("明白了 可以了");
    expect(flow.keys).toEqual(["common.glad"]);
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("escalates as unresolved when the failed-sale explanation did not help", () => {
    const flow = startFlow(machine).answer("没成功").answer("还是不行");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("asks settlement type, sale day, card change, risk notice and amount in that order", () => {
    const flow = startFlow(machine).answer("成功了");
    expect(flow.keys).toEqual(["settlement_delay.askSettlementType"]);
    expect(flow.answer("d0").keys).toEqual(["settlement_delay.askSaleDay"]);
    expect(flow.answer("前天").keys).toEqual(["settlement_delay.askCardChanged"]);
    expect(flow.answer("没有换").keys).toEqual(["settlement_delay.askRiskNotice"]);
    expect(flow.answer("没收到").keys).toEqual(["settlement_delay.askAmount"]);
    expect(flow.facts).toEqual({
      slip: "success",
      settlement: "d0",
      saleDay: "earlier",
      cardChanged: false,
      riskNotice: false,
    });
  });

  it("sends a risk notice to the risk team with high priority once the agent's facts are known", () => {
    const flow = upToRiskQuestion().answer("收到了冻结的短信");
    expect(flow.state).toBe("askAmount");
    flow.answer("5000");
    expect(flow.keys).toEqual(["settlement_delay.riskHold"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "high" });
    expect(flow.facts).toEqual({
      slip: "success",
      settlement: "t1",
      saleDay: "earlier",
      cardChanged: false,
      riskNotice: true,
      amount: 5000,
    });
  });

  it("counts a retrieval request (调单) as a risk notice", () => {
    const flow = upToRiskQuestion({ amount: 3000 }).answer("前两天说要调单");
    expect(flow.facts.riskNotice).toBe(true);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "high" });
  });

  it("skips the amount question when the first message gave the amount", () => {
    const flow = upToRiskQuestion({ amount: 20000 }).answer("没有");
    expect(flow.keys).toEqual(["settlement_delay.checkCard", "common.didItWork"]);
    expect(flow.facts.amount).toBe(20000);
  });

  it("takes an amount mentioned along with the day and does not ask for it again", () => {
    const flow = startFlow(machine)
      .answer("成功")
      .answer("T+1")
      .answer("昨天刷的5000")
      .answer("没换")
      .answer("没有");
    expect(flow.facts).toMatchObject({ saleDay: "yesterday", amount: 5000 });
    expect(flow.keys).toEqual(["settlement_delay.t1Timing", "common.didItWork"]);
  });

  it("explains that T+1 waits for the next working day after a weekend sale", () => {
    const flow = startFlow(machine, { amount: 800 })
      .answer("交易成功")
      .answer("第二天到账的那种")
      .answer("周六刷的")
      .answer("没换过")
      .answer("没收到");
    expect(flow.facts).toMatchObject({ settlement: "t1", saleDay: "weekend_holiday" });
    expect(flow.keys).toEqual(["settlement_delay.t1Timing", "common.didItWork"]);
    expect(flow.texts[0]).toContain("周一到账");
    expect(flow.steps).toEqual([{ step: "wait_next_working_day", result: "advised" }]);
    flow.answer("好的");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("explains the D+0 quota for a same-day sale that has not arrived", () => {
    const flow = startFlow(machine, { amount: 50000 })
      .answer("成功")
      .answer("秒到")
      .answer("今天上午")
      .answer("没换")
      .answer("没有");
    expect(flow.keys).toEqual(["settlement_delay.d0Quota", "common.didItWork"]);
    expect(flow.steps).toEqual([{ step: "check_d0_quota", result: "advised" }]);
  });

  it("points to the old card when the settlement card was changed, before any timing explanation", () => {
    const flow = startFlow(machine, { amount: 1200 })
      .answer("成功")
      .answer("t+1")
      .answer("今天")
      .answer("上周刚换了新卡")
      .answer("没有");
    expect(flow.facts.cardChanged).toBe(true);
    expect(flow.keys).toEqual(["settlement_delay.cardChange", "common.didItWork"]);
    expect(flow.steps).toEqual([{ step: "check_old_card", result: "advised" }]);
  });

  it("has an overdue payment checked against the settlement card, then escalates with the facts learnt", () => {
    const flow = upToRiskQuestion({ amount: 12000 }).answer("没收到过");
    expect(flow.keys).toEqual(["settlement_delay.checkCard", "common.didItWork"]);
    flow.answer("卡没问题 还是没到");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
    expect(flow.facts).toEqual({
      amount: 12000,
      slip: "success",
      settlement: "t1",
      saleDay: "earlier",
      cardChanged: false,
      riskNotice: false,
    });
    expect(flow.steps).toEqual([{ step: "check_settlement_card", result: "advised" }]);
  });

  it("keeps a date given in the merchant's own words and treats the sale as overdue", () => {
    const flow = startFlow(machine, { amount: 600 })
      .answer("成功")
      .answer("T1")
      .answer("3号")
      .answer("没换")
      .answer("没有");
    expect(flow.facts.saleDate).toBe("3号");
    expect(flow.facts.saleDay).toBeUndefined();
    expect(flow.keys).toEqual(["settlement_delay.checkCard", "common.didItWork"]);
  });

  it("records that the merchant does not know the amount and goes on", () => {
    const flow = upToRiskQuestion().answer("没有").answer("不记得了");
    expect(flow.facts.amountUnknown).toBe(true);
    expect(flow.keys).toEqual(["settlement_delay.checkCard", "common.didItWork"]);
  });

  it("understands quick replies by their number", () => {
    const flow = startFlow(machine, { amount: 100 })
      .answer("1")
      .answer("2")
      .answer("3")
      .answer("1")
      .answer("2");
    expect(flow.facts).toMatchObject({
      slip: "success",
      settlement: "d0",
      saleDay: "weekend_holiday",
      cardChanged: true,
      riskNotice: false,
    });
  });

  it("re-asks a question it could not read an answer to", () => {
    const flow = startFlow(machine).answer("成功").answer("嗯……让我想想");
    expect(flow.state).toBe("askSettlementType");
    expect(flow.keys).toEqual(["common.notUnderstood", "settlement_delay.askSettlementType"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en")
      .answer("it says approved")
      .answer("next day")
      .answer("last week")
      .answer("haven't changed")
      .answer("no notice")
      .answer("about 2000 yuan");
    expect(flow.facts).toEqual({
      slip: "success",
      settlement: "t1",
      saleDay: "earlier",
      cardChanged: false,
      riskNotice: false,
      amount: 2000,
    });
    expect(flow.texts[0]).toContain("settlement card");
    flow.answer("nope");
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "unresolved" });
  });
});
