import { describe, expect, it } from "vitest";
import { machine } from "../../flows/software_update.js";
import { has } from "../../src/i18n.js";
import { startFlow } from "../support/flow.js";

describe("software_update flow", () => {
  it("starts by asking whether the terminal wants an update, an update failed, or the app crashes", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askSituation");
    expect(flow.keys).toEqual(["software_update.askSituation"]);
    expect(flow.options).toEqual(["update_prompt", "update_failed", "crash_after_update"]);
  });

  it("asks for the battery and the network before an update", () => {
    const flow = startFlow(machine).answer("提示版本过低");
    expect(flow.keys).toEqual(["software_update.askBattery"]);
    expect(flow.options).toEqual(["battery_ok", "battery_low"]);
    flow.answer("满电");
    expect(flow.keys).toEqual(["software_update.askNetwork"]);
    expect(flow.options).toEqual(["wifi", "mobile_data", "wired"]);
  });

  it("gives the update steps on a charged terminal, never powering off mid-update, and ends resolved", () => {
    const flow = startFlow(machine).answer("需要升级").answer("一半以上").answer("wifi");
    expect(flow.facts).toEqual({ situation: "update_prompt", battery: "battery_ok", network: "wifi" });
    expect(flow.keys).toEqual([
      "software_update.network.wifi",
      "software_update.updateSteps",
      "common.didItWork",
    ]);
    expect(flow.texts[1]).toContain("不要关机");
    expect(flow.steps).toEqual([{ step: "update_without_power_off", result: "advised" }]);
    flow.answer("升级好了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("has a terminal under half charged first", () => {
    const flow = startFlow(machine).answer("1").answer("还有30%").answer("4G");
    expect(flow.facts).toEqual({
      situation: "update_prompt",
      battery: "battery_low",
      network: "mobile_data",
    });
    expect(flow.keys).toEqual([
      "software_update.chargeFirst",
      "software_update.network.mobile_data",
      "software_update.updateSteps",
      "common.didItWork",
    ]);
    expect(flow.texts[0]).toContain("50%");
    expect(flow.steps).toEqual([
      { step: "charge_above_half", result: "advised" },
      { step: "update_without_power_off", result: "advised" },
    ]);
  });

  it("reads a battery percentage over half as enough", () => {
    const flow = startFlow(machine).answer("1").answer("80%");
    expect(flow.facts.battery).toBe("battery_ok");
  });

  it("escalates as unresolved when the terminal still will not update", () => {
    const flow = startFlow(machine).answer("1").answer("1").answer("3").answer("还是提示版本过低");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("sends a failed update to a person as policy, with the serial the merchant gives", () => {
    const flow = startFlow(machine).answer("升级到一半断了");
    expect(flow.facts.situation).toBe("update_failed");
    expect(flow.keys).toEqual(["software_update.askTerminalSerial"]);
    flow.answer("SN是 N910A123456");
    expect(flow.facts.terminalSerial).toBe("N910A123456");
    expect(flow.keys).toEqual(["software_update.handoff.update_failed"]);
    expect(flow.texts[0]).toContain("不要反复关机");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
    expect(flow.steps).toEqual([]);
  });

  it("skips the serial question when the first message gave the serial", () => {
    const flow = startFlow(machine, { terminalSerial: "00012345678" }).answer("更新完闪退");
    expect(flow.facts).toEqual({ terminalSerial: "00012345678", situation: "crash_after_update" });
    expect(flow.keys).toEqual(["software_update.handoff.crash_after_update"]);
    expect(flow.state).toBe("escalateUpdateProblem");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
  });

  it("still hands over when the merchant cannot find the serial", () => {
    const flow = startFlow(machine).answer("3").answer("找不到");
    expect(flow.facts).toEqual({ situation: "crash_after_update" });
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "policy" });
  });

  it("re-asks the battery question when the answer gives no level", () => {
    const flow = startFlow(machine).answer("1").answer("黑色的");
    expect(flow.state).toBe("askBattery");
    expect(flow.keys).toEqual(["common.notUnderstood", "software_update.askBattery"]);
  });

  it("has a merchant who does not know the battery level charge first", () => {
    const flow = startFlow(machine).answer("1").answer("不清楚").answer("wifi");
    expect(flow.facts.battery).toBe("battery_low");
    expect(flow.keys).toContain("software_update.chargeFirst");
  });

  it("re-asks the serial when the answer holds none", () => {
    const flow = startFlow(machine).answer("2").answer("等一下");
    expect(flow.state).toBe("askTerminalSerial");
    expect(flow.keys).toEqual(["common.notUnderstood", "software_update.askTerminalSerial"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("it says the version is too old");
    expect(flow.facts.situation).toBe("update_prompt");
    flow.answer("less than half").answer("we use wifi");
    expect(flow.texts[0]).toContain("more than 50%");
    expect(flow.texts[2]).toContain("do not switch off");
    flow.answer("nope, still old");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("has every text and quick-reply label it uses in both languages", () => {
    const keys = [
      "askSituation",
      "askBattery",
      "askNetwork",
      "askTerminalSerial",
      "chargeFirst",
      "network.wifi",
      "network.mobile_data",
      "network.wired",
      "updateSteps",
      "handoff.update_failed",
      "handoff.crash_after_update",
      ...["update_prompt", "update_failed", "crash_after_update", "battery_ok", "battery_low"].map(
        (o) => `options.${o}`,
      ),
      ...["wifi", "mobile_data", "wired", "unknown"].map((o) => `options.${o}`),
      ...["situation", "battery", "network", "terminalSerial"].map((f) => `facts.${f}`),
      "steps.charge_above_half",
      "steps.update_without_power_off",
    ];
    for (const locale of ["zh-CN", "en"] as const)
      for (const key of keys) expect(has(locale, `software_update.${key}`), `${locale} ${key}`).toBe(true);
  });
});
