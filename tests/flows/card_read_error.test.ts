import { describe, expect, it } from "vitest";
import { machine } from "../../flows/card_read_error.js";
import { startFlow } from "../support/flow.js";

describe("card_read_error flow", () => {
  it("asks how the card was presented", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askEntryMode");
    expect(flow.keys).toEqual(["card_read_error.askEntryMode"]);
    expect(flow.options).toEqual(["chip", "swipe", "contactless"]);
  });

  it("skips the entry-mode question when the first message said how the card was used", () => {
    const flow = startFlow(machine, { entryMode: "contactless" });
    expect(flow.state).toBe("askScope");
    expect(flow.keys).toEqual(["card_read_error.askScope"]);
    expect(flow.options).toEqual(["one_card", "all_cards", "untried"]);
  });

  it("has a chip card inserted fully and its chip cleaned, and ends resolved when it reads", () => {
    const flow = startFlow(machine).answer("插卡").answer("就这张不行 别的卡可以");
    expect(flow.facts).toEqual({ entryMode: "chip", scope: "one_card" });
    expect(flow.keys).toEqual(["card_read_error.chipFix", "common.didItWork"]);
    expect(flow.steps).toEqual([
      { step: "insert_and_clean_chip", result: "advised" },
      { step: "try_another_card", result: "advised" },
    ]);
    flow.answer("能读了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("tells the merchant a chip card must be inserted when a swipe asks for the card to be inserted", () => {
    const flow = startFlow(machine).answer("刷磁条提示请插卡").answer("只有这张");
    expect(flow.facts.entryMode).toBe("swipe");
    expect(flow.keys).toEqual(["card_read_error.swipeFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("不能刷磁条");
  });

  it("has a contactless card held alone on the reader for 1-2 seconds", () => {
    const flow = startFlow(machine).answer("顾客放钱包里贴 提示多卡").answer("还没试别的卡");
    expect(flow.facts).toEqual({ entryMode: "contactless", scope: "untried" });
    expect(flow.keys).toEqual(["card_read_error.tapFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("1–2 秒");
    expect(flow.steps.map((s) => s.step)).toEqual(["one_card_hold_2s", "try_another_card"]);
  });

  it("reads the entry mode from a free-text answer the options do not cover", () => {
    const flow = startFlow(machine).answer("顾客用的银联quickpass");
    expect(flow.facts.entryMode).toBe("contactless");
    expect(flow.state).toBe("askScope");
  });

  it("escalates as unresolved when the card still cannot be read", () => {
    const flow = startFlow(machine, { entryMode: "chip" }).answer("1").answer("还是读不了");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("treats every card failing as a reader fault: no fix, serial number, policy escalation", () => {
    const flow = startFlow(machine).answer("插卡").answer("所有卡都读不出来");
    expect(flow.facts.scope).toBe("all_cards");
    expect(flow.keys).toEqual(["card_read_error.readerFault", "card_read_error.askSerial"]);
    flow.answer("机身号 P3000-889123");
    expect(flow.facts.terminalSerial).toBe("P3000-889123");
    expect(flow.keys).toEqual(["card_read_error.repair"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
    expect(flow.steps).toEqual([]);
  });

  it("skips the serial question when the first message gave the serial", () => {
    const flow = startFlow(machine, { entryMode: "swipe", terminalSerial: "N5A100234" }).answer("换卡也不行");
    expect(flow.keys).toEqual(["card_read_error.readerFault", "card_read_error.repair"]);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy" });
  });

  it("escalates the reader fault without a serial when the merchant cannot find it", () => {
    const flow = startFlow(machine, { entryMode: "chip" }).answer("2").answer("找不到");
    expect(flow.facts.serialUnknown).toBe(true);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy" });
  });

  it("understands quick replies by their number", () => {
    const flow = startFlow(machine).answer("3").answer("1");
    expect(flow.facts).toEqual({ entryMode: "contactless", scope: "one_card" });
    expect(flow.state).toBe("confirmFixed");
  });

  it("re-asks a question it could not read an answer to", () => {
    const flow = startFlow(machine).answer("嗯……让我想想");
    expect(flow.state).toBe("askEntryMode");
    expect(flow.keys).toEqual(["common.notUnderstood", "card_read_error.askEntryMode"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("customer tapped his card").answer("only this card");
    expect(flow.texts[0]).toContain("1–2 seconds");
    flow.answer("it worked");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });
});
