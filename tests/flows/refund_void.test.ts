import { describe, expect, it } from "vitest";
import { machine } from "../../flows/refund_void.js";
import { startFlow } from "../support/flow.js";

const unresolved = { outcome: "escalated", reason: "unresolved", priority: "normal" };

describe("refund_void flow", () => {
  it("asks what needs undoing", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askProblem");
    expect(flow.keys).toEqual(["refund_void.askProblem"]);
    expect(flow.options).toEqual(["cancel_sale", "wrong_amount", "charged_twice", "refund_failed"]);
  });

  it("voids a sale of today and ends resolved when the void went through", () => {
    const flow = startFlow(machine).answer("顾客要求退款");
    expect(flow.state).toBe("askSaleDay");
    expect(flow.options).toEqual(["same_day", "earlier_day"]);
    flow.answer("今天的");
    expect(flow.keys).toEqual([
      "refund_void.voidSteps",
      "refund_void.voidNote.cancel_sale",
      "common.didItWork",
    ]);
    expect(flow.texts[0]).toContain("交易查询");
    expect(flow.facts).toEqual({ problem: "cancel_sale", saleDay: "same_day" });
    expect(flow.steps).toEqual([{ step: "void_same_day", result: "advised" }]);
    flow.answer("好了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("tells the merchant to charge the right amount only after the void of a wrong one", () => {
    const flow = startFlow(machine).answer("本来是500刷成5000了").answer("刚刚");
    expect(flow.facts).toEqual({ problem: "wrong_amount", saleDay: "same_day" });
    expect(flow.keys[1]).toBe("refund_void.voidNote.wrong_amount");
    expect(flow.texts[1]).toContain("不要重刷");
  });

  it("refunds a sale of an earlier day, and escalates when the refund did not help", () => {
    const flow = startFlow(machine).answer("刷错金额了").answer("昨天");
    expect(flow.keys).toEqual([
      "refund_void.refundSteps",
      "refund_void.refundNote.wrong_amount",
      "common.didItWork",
    ]);
    expect(flow.texts[0]).toContain("工作日");
    expect(flow.steps).toEqual([{ step: "refund_earlier_day", result: "advised" }]);
    flow.answer("还是不行");
    expect(flow.output).toEqual(unresolved);
  });

  it("treats a settled sale of today as one to refund, not void", () => {
    const flow = startFlow(machine).answer("退货").answer("今天刷的但是已经结算了");
    expect(flow.facts.saleDay).toBe("earlier_day");
    expect(flow.state).toBe("confirmFixed");
    expect(flow.keys[0]).toBe("refund_void.refundSteps");
  });

  it("skips the day question when the merchant's words already gave the day", () => {
    const flow = startFlow(machine).answer("昨天的交易能撤销吗");
    expect(flow.facts).toEqual({ problem: "cancel_sale", saleDay: "earlier_day" });
    expect(flow.keys).toEqual([
      "refund_void.refundSteps",
      "refund_void.refundNote.cancel_sale",
      "common.didItWork",
    ]);
  });

  it("checks the transaction list before undoing a double charge", () => {
    const flow = startFlow(machine).answer("客人被扣了两次钱");
    expect(flow.state).toBe("askSalesInList");
    expect(flow.keys).toEqual(["refund_void.askSalesInList"]);
    flow.answer("有两笔").answer("今天");
    expect(flow.facts).toEqual({ problem: "charged_twice", salesInList: "two_sales", saleDay: "same_day" });
    expect(flow.keys).toEqual([
      "refund_void.voidSteps",
      "refund_void.voidNote.charged_twice",
      "common.didItWork",
    ]);
  });

  it("refunds nothing when the list shows only one sale: the second charge reverses itself", () => {
    const flow = startFlow(machine).answer("重复扣款").answer("只有一笔");
    expect(flow.facts).toEqual({ problem: "charged_twice", salesInList: "one_sale" });
    expect(flow.keys).toEqual(["refund_void.singleCharge", "common.didItWork"]);
    expect(flow.texts[0]).toContain("冲正");
    expect(flow.steps).toEqual([{ step: "wait_for_reversal", result: "advised" }]);
  });

  it("reads a plain yes about the list as two sales", () => {
    const flow = startFlow(machine).answer("扣了两次").answer("是的");
    expect(flow.facts.salesInList).toBe("two_sales");
    expect(flow.state).toBe("askSaleDay");
  });

  it("understands every quick reply by its number", () => {
    const flow = startFlow(machine).answer("3").answer("1").answer("2");
    expect(flow.facts).toEqual({
      problem: "charged_twice",
      salesInList: "two_sales",
      saleDay: "earlier_day",
    });
    expect(flow.keys[1]).toBe("refund_void.refundNote.charged_twice");
  });

  it("gives the fix of code 25 when a failed void quotes it", () => {
    const flow = startFlow(machine).answer("撤销失败 返回码25");
    expect(flow.facts).toEqual({ problem: "refund_failed", responseCode: "25" });
    expect(flow.keys).toEqual(["refund_void.code.25", "common.didItWork"]);
    expect(flow.texts[0]).toContain("退货");
    expect(flow.steps).toEqual([{ step: "check_reference_and_date", result: "advised" }]);
  });

  it("skips every question when the first message quoted code 64", () => {
    const flow = startFlow(machine, { responseCode: "64" });
    expect(flow.keys).toEqual(["refund_void.code.64", "common.didItWork"]);
    expect(flow.facts).toEqual({ responseCode: "64", problem: "refund_failed" });
    expect(flow.steps).toEqual([{ step: "match_original_amount", result: "advised" }]);
  });

  it("asks for the code of a refused refund, then signs in again for code 22", () => {
    const flow = startFlow(machine).answer("退款失败");
    expect(flow.state).toBe("askFailCode");
    expect(flow.options).toEqual(["no_code"]);
    flow.answer("22");
    expect(flow.keys).toEqual(["refund_void.code.22", "common.didItWork"]);
    expect(flow.steps).toEqual([{ step: "sign_in_and_check_date", result: "advised" }]);
  });

  it("escalates a refused refund that shows no code", () => {
    const flow = startFlow(machine).answer("退货不成功").answer("没显示");
    expect(flow.keys).toEqual(["refund_void.refused"]);
    expect(flow.output).toEqual(unresolved);
  });

  it("escalates a refused refund whose code has no fix, quoting the code", () => {
    const flow = startFlow(machine).answer("撤销不了").answer("提示58");
    expect(flow.keys).toEqual(["refund_void.refusedWithCode"]);
    expect(flow.texts[0]).toContain("58");
    expect(flow.facts.responseCode).toBe("58");
    expect(flow.output).toEqual(unresolved);
  });

  it("does not ask again for a code the first message already quoted", () => {
    const flow = startFlow(machine, { responseCode: "96" });
    expect(flow.state).toBe("askProblem");
    flow.answer("撤销失败");
    expect(flow.keys).toEqual(["refund_void.refusedWithCode"]);
    expect(flow.output).toEqual(unresolved);
  });

  it("gives the fix of a new code quoted after a suggestion failed", () => {
    const flow = startFlow(machine).answer("撤销").answer("今天").answer("不行 提示25");
    expect(flow.keys).toEqual(["refund_void.code.25", "common.didItWork"]);
    expect(flow.steps).toEqual([
      { step: "void_same_day", result: "advised" },
      { step: "check_reference_and_date", result: "advised" },
    ]);
    expect(flow.done).toBe(false);
  });

  it("escalates when the same code comes back after its fix", () => {
    const flow = startFlow(machine, { responseCode: "25" }).answer("还是提示25");
    expect(flow.output).toEqual(unresolved);
  });

  it("re-asks what needs undoing when it cannot read the answer", () => {
    const flow = startFlow(machine).answer("嗯……让我想想");
    expect(flow.state).toBe("askProblem");
    expect(flow.keys).toEqual(["common.notUnderstood", "refund_void.askProblem"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("customer wants money back").answer("yesterday");
    expect(flow.facts).toEqual({ problem: "cancel_sale", saleDay: "earlier_day" });
    expect(flow.texts[0]).toContain("reference number");
    expect(flow.texts[1]).toContain("cash");
    flow.answer("yes");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });
});
