import { describe, expect, it } from "vitest";
import { machine } from "../../flows/terminal_dead.js";
import { startFlow } from "../support/flow.js";

describe("terminal_dead flow", () => {
  it("asks what the terminal is doing", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askSymptom");
    expect(flow.keys).toEqual(["terminal_dead.askSymptom"]);
    expect(flow.options).toEqual(["no_power", "frozen", "reboot_loop", "damaged"]);
  });

  it("has a terminal that won't power on charged for 30 minutes, then switched on with a long press", () => {
    const flow = startFlow(machine).answer("开不了机 按开机键没反应");
    expect(flow.facts.symptom).toBe("no_power");
    expect(flow.keys).toEqual(["terminal_dead.chargeFix", "common.didItWork"]);
    expect(flow.texts[0]).toContain("30 分钟");
    expect(flow.steps).toEqual([
      { step: "charge_30_min", result: "advised" },
      { step: "long_press_power_10s", result: "advised" },
    ]);
    flow.answer("能开机了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("treats a reboot loop as a flat battery first", () => {
    const flow = startFlow(machine).answer("一直重启");
    expect(flow.facts.symptom).toBe("reboot_loop");
    expect(flow.keys).toEqual(["terminal_dead.chargeFix", "common.didItWork"]);
  });

  it("has a frozen terminal force-restarted, with a warning to check a sale it froze in", () => {
    const flow = startFlow(machine).answer("死机了");
    expect(flow.keys).toEqual(["terminal_dead.forceRestart", "common.didItWork"]);
    expect(flow.texts[0]).toContain("交易查询");
    expect(flow.steps.map((s) => s.step)).toEqual(["long_press_power_10s", "charge_30_min"]);
    flow.answer("好了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("asks for the serial number when the basic checks failed, then escalates for repair", () => {
    const flow = startFlow(machine).answer("黑屏").answer("还是不行");
    expect(flow.state).toBe("askSerial");
    expect(flow.keys).toEqual(["terminal_dead.askSerial"]);
    flow.answer("序列号是 N860W123456");
    expect(flow.facts.terminalSerial).toBe("N860W123456");
    expect(flow.keys).toEqual(["terminal_dead.repair"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("skips the serial question when the first message gave the serial", () => {
    const flow = startFlow(machine, { terminalSerial: "QM2X00789" }).answer("不开机").answer("没用");
    expect(flow.keys).toEqual(["terminal_dead.repair"]);
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "unresolved" });
  });

  it("escalates without a serial when the merchant cannot find it", () => {
    const flow = startFlow(machine).answer("死机").answer("不行").answer("标签掉了 找不到");
    expect(flow.facts).toEqual({ symptom: "frozen", serialUnknown: true });
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "unresolved" });
  });

  it("sends a dropped, wet or swollen terminal to repair without any fix, as a policy escalation", () => {
    const flow = startFlow(machine).answer("电池鼓包了");
    expect(flow.facts.symptom).toBe("damaged");
    expect(flow.keys).toEqual(["terminal_dead.damaged", "terminal_dead.askSerial"]);
    expect(flow.texts[0]).toContain("不要再充电");
    flow.answer("SN: 82A1234567");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
    expect(flow.steps).toEqual([]);
  });

  it("treats a wet terminal that won't power on as damaged, not as a flat battery", () => {
    const flow = startFlow(machine).answer("进水了 开不了机");
    expect(flow.facts.symptom).toBe("damaged");
    expect(flow.keys).toEqual(["terminal_dead.damaged", "terminal_dead.askSerial"]);
  });

  it("understands a quick reply by its number", () => {
    const flow = startFlow(machine).answer("3");
    expect(flow.facts.symptom).toBe("reboot_loop");
  });

  it("re-asks a serial number it could not read", () => {
    const flow = startFlow(machine).answer("掉地上了").answer("我看看");
    expect(flow.state).toBe("askSerial");
    expect(flow.keys).toEqual(["common.notUnderstood", "terminal_dead.askSerial"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("it keeps rebooting");
    expect(flow.texts[0]).toContain("original charger");
    flow.answer("still not working").answer("it's WP5000123");
    expect(flow.facts.terminalSerial).toBe("WP5000123");
    expect(flow.output).toMatchObject({ outcome: "escalated", reason: "unresolved" });
  });
});
