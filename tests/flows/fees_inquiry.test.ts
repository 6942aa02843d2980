import { describe, expect, it } from "vitest";
import { machine } from "../../flows/fees_inquiry.js";
import { startFlow } from "../support/flow.js";

const lowPriorityHandoff = { outcome: "escalated", reason: "unresolved", priority: "low" };

describe("fees_inquiry flow", () => {
  it("asks which fee the merchant means", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askFeeType");
    expect(flow.keys).toEqual(["fees_inquiry.askFeeType"]);
    expect(flow.options).toEqual([
      "transaction_rate",
      "deposit",
      "monthly_charge",
      "instant_settlement",
      "other_charge",
    ]);
  });

  it("asks the card type for a rate question, explains it and points to the contract", () => {
    const flow = startFlow(machine).answer("手续费怎么算");
    expect(flow.state).toBe("askCardType");
    expect(flow.options).toEqual(["credit", "debit", "foreign"]);
    flow.answer("储蓄卡");
    expect(flow.keys).toEqual(["fees_inquiry.rate.debit", "fees_inquiry.offerAgent"]);
    expect(flow.texts[0]).toContain("封顶");
    expect(flow.texts[1]).toContain("合同");
    expect(flow.facts).toEqual({ feeType: "transaction_rate", cardType: "debit" });
    expect(flow.steps).toEqual([{ step: "explain_rate", result: "advised" }]);
  });

  it("skips both questions when the first message named the card type", () => {
    const flow = startFlow(machine, { cardType: "credit" });
    expect(flow.keys).toEqual(["fees_inquiry.rate.credit", "fees_inquiry.offerAgent"]);
    expect(flow.facts).toEqual({ cardType: "credit", feeType: "transaction_rate" });
    expect(flow.state).toBe("offerAgent");
  });

  it("still asks the fee type when the card type says nothing about the rate", () => {
    const flow = startFlow(machine, { cardType: "unionpay" });
    expect(flow.state).toBe("askFeeType");
  });

  it("ends resolved when the merchant needs no person after the explanation", () => {
    const flow = startFlow(machine).answer("1").answer("1").answer("不用了 谢谢");
    expect(flow.keys).toEqual(["common.glad"]);
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("hands over at low priority when the merchant wants a person to check the exact figures", () => {
    const flow = startFlow(machine, { cardType: "foreign" }).answer("好的");
    expect(flow.keys).toEqual(["fees_inquiry.handoff"]);
    expect(flow.output).toEqual(lowPriorityHandoff);
  });

  it("explains a deposit that reached its target is refunded per the contract", () => {
    const flow = startFlow(machine).answer("押金啥时候能退");
    expect(flow.state).toBe("askDepositTarget");
    flow.answer("我都刷了8万了");
    expect(flow.keys).toEqual(["fees_inquiry.deposit.target_met", "fees_inquiry.offerAgent"]);
    expect(flow.facts).toEqual({ feeType: "deposit", depositTarget: "target_met" });
    expect(flow.steps).toEqual([{ step: "explain_deposit", result: "advised" }]);
    flow.answer("帮我查一下");
    expect(flow.output).toEqual(lowPriorityHandoff);
  });

  it("reads a plain no about the deposit target as not reached", () => {
    const flow = startFlow(machine).answer("押金").answer("没有");
    expect(flow.facts.depositTarget).toBe("target_not_met");
    expect(flow.keys[0]).toBe("fees_inquiry.deposit.target_not_met");
  });

  it("explains SIM and service fees for a monthly charge", () => {
    const flow = startFlow(machine).answer("每个月都扣我36块 这是什么费");
    expect(flow.keys).toEqual(["fees_inquiry.monthlyCharge", "fees_inquiry.offerAgent"]);
    expect(flow.texts[0]).toContain("流量");
    expect(flow.facts).toEqual({ feeType: "monthly_charge", amount: 36 });
    expect(flow.steps).toEqual([{ step: "explain_monthly_charge", result: "advised" }]);
  });

  it("explains the D+0 fee and that T+1 has none", () => {
    const flow = startFlow(machine).answer("D0手续费多少");
    expect(flow.facts.feeType).toBe("instant_settlement");
    expect(flow.keys).toEqual(["fees_inquiry.instantSettlement", "fees_inquiry.offerAgent"]);
    expect(flow.texts[0]).toContain("T+1");
    flow.answer("明白了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("shows how to trace a charge the merchant does not recognise", () => {
    const flow = startFlow(machine).answer("扣了我69块钱是干嘛的");
    expect(flow.facts).toEqual({ feeType: "other_charge", amount: 69 });
    expect(flow.keys).toEqual(["fees_inquiry.otherCharge", "fees_inquiry.offerAgent"]);
    expect(flow.steps).toEqual([{ step: "explain_other_charge", result: "advised" }]);
  });

  it("re-asks which fee when it cannot read the answer", () => {
    const flow = startFlow(machine).answer("嗯……让我想想");
    expect(flow.state).toBe("askFeeType");
    expect(flow.keys).toEqual(["common.notUnderstood", "fees_inquiry.askFeeType"]);
  });

  it("re-asks the offer of a person when the answer is unclear", () => {
    const flow = startFlow(machine, { cardType: "debit" }).answer("啥意思");
    expect(flow.state).toBe("offerAgent");
    expect(flow.done).toBe(false);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("d0 extra fee how much");
    expect(flow.texts[0]).toContain("same day");
    expect(flow.texts[1]).toContain("contract");
    flow.answer("yes please");
    expect(flow.output).toEqual(lowPriorityHandoff);
  });
});
