import { describe, expect, it } from "vitest";
import { machine } from "../../flows/printer_problem.js";
import { has } from "../../src/i18n.js";
import { startFlow } from "../support/flow.js";

describe("printer_problem flow", () => {
  it("starts by asking what the printer is doing, with the four symptoms as quick replies", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askSymptom");
    expect(flow.keys).toEqual(["printer_problem.askSymptom"]);
    expect(flow.options).toEqual(["paper_out", "paper_jam", "blank_slip", "not_printing"]);
  });

  it("asks whether the slip was lost during a sale once the symptom is known", () => {
    const flow = startFlow(machine).answer("提示缺纸");
    expect(flow.facts.symptom).toBe("paper_out");
    expect(flow.state).toBe("askDuringSale");
    expect(flow.keys).toEqual(["printer_problem.askDuringSale"]);
    expect(flow.options).toEqual(["during_sale", "no_sale"]);
  });

  it("tells the merchant to reload the roll and close the lid, and ends resolved when it prints", () => {
    const flow = startFlow(machine).answer("没纸了").answer("不是，打结算单的时候");
    expect(flow.facts).toEqual({ symptom: "paper_out", duringSale: false });
    expect(flow.keys).toEqual(["printer_problem.reloadFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("咔哒");
    flow.answer("好了");
    expect(flow.state).toBe("resolved");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("clears a paper jam and escalates as unresolved when the printer still fails", () => {
    const flow = startFlow(machine).answer("纸卡住了").answer("不是");
    expect(flow.keys).toEqual(["printer_problem.jamFix", "common.didItWork"]);
    flow.answer("还是不行");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
    expect(flow.steps).toEqual([{ step: "clear_jam", result: "advised" }]);
  });

  it("explains a blank slip as a roll put in upside down, thermal side towards the head", () => {
    const flow = startFlow(machine).answer("换了新纸还是白的").answer("没交易");
    expect(flow.facts.symptom).toBe("blank_slip");
    expect(flow.keys).toEqual(["printer_problem.flipRollFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("打印头");
    expect(flow.steps).toEqual([{ step: "flip_roll", result: "advised" }]);
  });

  it('reads a "still blank" reply (还是白的) as not fixed', () => {
    const flow = startFlow(machine).answer("白纸").answer("不是").answer("还是白的");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("has a printer that does nothing charged first", () => {
    const flow = startFlow(machine).answer("打印机没反应").answer("不是");
    expect(flow.facts.symptom).toBe("not_printing");
    expect(flow.keys).toEqual(["printer_problem.chargeFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("30 分钟");
  });

  it("after a lost slip during a sale, has the list checked before any new charge", () => {
    const flow = startFlow(machine).answer("打印不出来").answer("刚刷完卡的时候");
    expect(flow.facts).toEqual({ symptom: "not_printing", duringSale: true });
    expect(flow.keys).toEqual([
      "printer_problem.chargeFix",
      "printer_problem.checkListFirst",
      "common.didItWork",
    ]);
    expect(flow.texts[1]).toContain("不要再收一次");
    expect(flow.steps).toEqual([
      { step: "charge_battery", result: "advised" },
      { step: "check_list_then_reprint", result: "advised" },
    ]);
  });

  it("skips the sale question when the first message gave the sale amount", () => {
    const flow = startFlow(machine, { amount: 300 }).answer("卡纸");
    expect(flow.facts).toEqual({ amount: 300, symptom: "paper_jam", duringSale: true });
    expect(flow.keys).toEqual([
      "printer_problem.jamFix",
      "printer_problem.checkListFirst",
      "common.didItWork",
    ]);
    expect(flow.state).toBe("confirmFixed");
  });

  it("understands quick replies by their number", () => {
    const flow = startFlow(machine).answer("3").answer("1");
    expect(flow.facts).toEqual({ symptom: "blank_slip", duringSale: true });
    flow.answer("1");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("takes a plain yes as a slip lost during a sale", () => {
    const flow = startFlow(machine).answer("2").answer("是");
    expect(flow.facts.duringSale).toBe(true);
  });

  it("re-asks the symptom when the answer says nothing about the printer", () => {
    const flow = startFlow(machine).answer("你好在吗");
    expect(flow.state).toBe("askSymptom");
    expect(flow.keys).toEqual(["common.notUnderstood", "printer_problem.askSymptom"]);
    expect(flow.facts).toEqual({});
  });

  it("re-asks whether it worked when the answer is neither yes nor no", () => {
    const flow = startFlow(machine).answer("1").answer("2").answer("等一下我去拿纸");
    expect(flow.state).toBe("confirmFixed");
    expect(flow.keys).toEqual(["common.notUnderstood", "common.didItWork"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("the receipt is blank");
    expect(flow.facts.symptom).toBe("blank_slip");
    flow.answer("yes, right after the customer paid");
    expect(flow.texts[0]).toContain("upside down");
    expect(flow.texts[1]).toContain("don't charge again");
    flow.answer("nope");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("has every text and quick-reply label it uses in both languages", () => {
    const keys = [
      "askSymptom",
      "askDuringSale",
      "reloadFix",
      "jamFix",
      "flipRollFix",
      "chargeFix",
      "checkListFirst",
      "options.paper_out",
      "options.paper_jam",
      "options.blank_slip",
      "options.not_printing",
      "options.during_sale",
      "options.no_sale",
      "facts.symptom",
      "facts.duringSale",
      "steps.reload_paper_close_lid",
      "steps.clear_jam",
      "steps.flip_roll",
      "steps.charge_battery",
      "steps.check_list_then_reprint",
    ];
    for (const locale of ["zh-CN", "en"] as const)
      for (const key of keys) expect(has(locale, `printer_problem.${key}`), `${locale} ${key}`).toBe(true);
  });
});
