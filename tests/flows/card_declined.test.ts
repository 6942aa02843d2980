import { describe, expect, it } from "vitest";
import { machine } from "../../flows/card_declined.js";
import { startFlow } from "../support/flow.js";

describe("card_declined flow", () => {
  it("asks for the response code when the merchant gave none", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askResponseCode");
    expect(flow.keys).toEqual(["card_declined.askCode"]);
    expect(flow.options).toEqual(["no_code"]);
  });

  it("skips the code question when the first message quoted one", () => {
    const flow = startFlow(machine, { responseCode: "51" });
    expect(flow.keys).toEqual(["card_declined.code.51", "common.didItWork"]);
    expect(flow.state).toBe("confirmFixed");
  });

  it("gives a cardholder code the words for the customer, and ends resolved when it worked", () => {
    const flow = startFlow(machine).answer("51");
    expect(flow.texts[0]).toContain("余额不足");
    expect(flow.facts.responseCode).toBe("51");
    flow.answer("好了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("escalates as unresolved when the advice did not help", () => {
    const flow = startFlow(machine, { responseCode: "05" }).answer("还是不行");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
    expect(flow.steps).toEqual([{ step: "tell_customer_use_another_card", result: "advised" }]);
  });

  it("stops a risk code at once with a high-priority policy escalation", () => {
    const flow = startFlow(machine, { responseCode: "41" });
    expect(flow.keys).toEqual(["card_declined.riskStop"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "high" });
  });

  it("sends a configuration code to the acquirer", () => {
    const flow = startFlow(machine).answer("返回码03");
    expect(flow.keys).toEqual(["card_declined.configIssue"]);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy" });
  });

  it("treats every card failing as a terminal problem and suggests signing in again", () => {
    const flow = startFlow(machine).answer("没显示代码").answer("都不行");
    expect(flow.facts.scope).toBe("all_cards");
    expect(flow.keys).toEqual(["card_declined.allCardsFix", "common.didItWork"]);
  });

  it("understands a quick reply by its number", () => {
    const flow = startFlow(machine).answer("1").answer("1");
    expect(flow.facts.scope).toBe("one_card");
  });

  it("re-asks a question it could not read an answer to", () => {
    const flow = startFlow(machine).answer("嗯……让我想想");
    expect(flow.state).toBe("askResponseCode");
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("it says code 14");
    expect(flow.texts[0]).toContain("invalid card number");
    flow.answer("nope");
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "unresolved" });
  });
});
