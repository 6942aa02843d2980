import { describe, expect, it } from "vitest";
import { machine } from "../../flows/limit_exceeded.js";
import { has } from "../../src/i18n.js";
import { startFlow } from "../support/flow.js";

describe("limit_exceeded flow", () => {
  it("asks which limit was hit when the merchant gave no code", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askLimitType");
    expect(flow.keys).toEqual(["limit_exceeded.askLimitType"]);
    expect(flow.options).toEqual(["card_limit", "single_limit", "daily_limit", "raise_limit"]);
  });

  it("skips the question when the first message quoted code 61, and explains the card's own limit", () => {
    const flow = startFlow(machine, { responseCode: "61" });
    expect(flow.keys).toEqual(["limit_exceeded.cardLimit.61", "common.didItWork"]);
    expect(flow.state).toBe("confirmFixed");
    expect(flow.texts[0]).toContain("不要把这笔拆成几笔");
  });

  it("reads code 65 from the answer and suggests another card or another day", () => {
    const flow = startFlow(machine).answer("提示65");
    expect(flow.facts.responseCode).toBe("65");
    expect(flow.keys).toEqual(["limit_exceeded.cardLimit.65", "common.didItWork"]);
    expect(flow.texts[0]).toContain("改天");
  });

  it("ends resolved when the customer paid with another card", () => {
    const flow = startFlow(machine, { responseCode: "61" }).answer("好了");
    expect(flow.state).toBe("resolved");
    expect(flow.output).toEqual({ outcome: "resolved" });
    expect(flow.steps).toEqual([{ step: "lower_amount_or_another_card", result: "advised" }]);
  });

  it("escalates as unresolved when the card-limit advice did not help", () => {
    const flow = startFlow(machine).answer("超出金额限制").answer("还是不行");
    expect(flow.facts.limitType).toBe("card_limit");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("explains a merchant per-sale limit, warns against splitting, and offers a raise", () => {
    const flow = startFlow(machine).answer("单笔超限");
    expect(flow.facts.limitType).toBe("single_limit");
    expect(flow.keys).toEqual(["limit_exceeded.merchantLimit.single_limit", "limit_exceeded.askRaiseLimit"]);
    expect(flow.texts[0]).toContain("不要把一笔拆成几笔");
    expect(flow.options).toEqual(["raise_limit", "no_raise"]);
  });

  it("ends resolved when a merchant at the daily limit wants no raise and the customer paid another way", () => {
    const flow = startFlow(machine).answer("今天刷满了").answer("暂时不用");
    expect(flow.keys).toEqual(["common.didItWork"]);
    flow.answer("可以了");
    expect(flow.output).toEqual({ outcome: "resolved" });
    expect(flow.facts).toEqual({ limitType: "daily_limit" });
    expect(flow.steps).toEqual([{ step: "explain_merchant_limit", result: "advised" }]);
  });

  it("sends a request for a higher merchant limit to a person as policy, with the amount needed", () => {
    const flow = startFlow(machine).answer("单笔超限").answer("需要").answer("单笔5万");
    expect(flow.facts).toEqual({ limitType: "single_limit", wantsRaise: true, amount: 50000 });
    expect(flow.keys).toEqual(["limit_exceeded.raiseHandoff.withAmount"]);
    expect(flow.texts[0]).toContain("50000");
    expect(flow.state).toBe("escalateRaiseLimit");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
  });

  it("asks which limit to raise when the merchant asks for a raise straight away", () => {
    const flow = startFlow(machine).answer("限额太低了 想提额");
    expect(flow.facts.wantsRaise).toBe(true);
    expect(flow.keys).toEqual(["limit_exceeded.askWhichLimit"]);
    expect(flow.options).toEqual(["single_limit", "daily_limit"]);
    flow.answer("单日");
    expect(flow.facts.limitType).toBe("daily_limit");
    expect(flow.keys).toEqual(["limit_exceeded.askAmount"]);
  });

  it("skips the amount question when the first message gave the amount", () => {
    const flow = startFlow(machine, { amount: 80000 }).answer("4").answer("1");
    expect(flow.facts).toEqual({ amount: 80000, wantsRaise: true, limitType: "single_limit" });
    expect(flow.keys).toEqual(["limit_exceeded.raiseHandoff.withAmount"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
  });

  it("still hands a raise request over when the merchant cannot name an amount", () => {
    const flow = startFlow(machine).answer("3").answer("好的").answer("不知道");
    expect(flow.facts).toEqual({ limitType: "daily_limit", wantsRaise: true });
    expect(flow.keys).toEqual(["limit_exceeded.raiseHandoff.noAmount"]);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy" });
  });

  it("re-asks the limit type when a code in the answer is not a limit code", () => {
    const flow = startFlow(machine).answer("51");
    expect(flow.state).toBe("askLimitType");
    expect(flow.keys).toEqual(["common.notUnderstood", "limit_exceeded.askLimitType"]);
    expect(flow.facts).toEqual({});
  });

  it("re-asks the amount when the answer has none", () => {
    const flow = startFlow(machine).answer("4").answer("2").answer("越高越好");
    expect(flow.state).toBe("askAmount");
    expect(flow.keys).toEqual(["common.notUnderstood", "limit_exceeded.askAmount"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("the daily limit is used up");
    expect(flow.texts[0]).toContain("resets tomorrow");
    flow.answer("yes please").answer("about 50k");
    expect(flow.facts).toEqual({ limitType: "daily_limit", wantsRaise: true, amount: 50000 });
    expect(flow.texts[0]).toContain("acquirer's approval");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
  });

  it("has every text and quick-reply label it uses in both languages", () => {
    const keys = [
      "askLimitType",
      "askRaiseLimit",
      "askWhichLimit",
      "askAmount",
      "cardLimit.61",
      "cardLimit.65",
      "cardLimit.any",
      "merchantLimit.single_limit",
      "merchantLimit.daily_limit",
      "raiseHandoff.withAmount",
      "raiseHandoff.noAmount",
      "options.card_limit",
      "options.single_limit",
      "options.daily_limit",
      "options.raise_limit",
      "options.no_raise",
      "facts.responseCode",
      "facts.limitType",
      "facts.wantsRaise",
      "facts.amount",
      "steps.lower_amount_or_another_card",
      "steps.explain_merchant_limit",
    ];
    for (const locale of ["zh-CN", "en"] as const)
      for (const key of keys) expect(has(locale, `limit_exceeded.${key}`), `${locale} ${key}`).toBe(true);
  });
});
