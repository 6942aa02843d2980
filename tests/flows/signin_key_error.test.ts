import { describe, expect, it } from "vitest";
import { machine } from "../../flows/signin_key_error.js";
import { has } from "../../src/i18n.js";
import { startFlow } from "../support/flow.js";

describe("signin_key_error flow", () => {
  it("asks what the screen says when the merchant gave no code", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askScreen");
    expect(flow.keys).toEqual(["signin_key_error.askScreen"]);
    expect(flow.options).toEqual([
      "sign_in_prompt",
      "mac_error",
      "key_missing",
      "not_registered",
      "param_download",
    ]);
  });

  it("walks a merchant who has not signed in yet through signing in, and ends resolved", () => {
    const flow = startFlow(machine).answer("请重新签到");
    expect(flow.keys).toEqual(["signin_key_error.askTriedSignIn"]);
    expect(flow.options).toEqual(["not_yet", "tried_failed"]);
    flow.answer("还没");
    expect(flow.keys).toEqual(["signin_key_error.signIn.default", "common.didItWork"]);
    expect(flow.texts[0]).toContain("签到成功");
    flow.answer("可以了");
    expect(flow.facts).toEqual({ screen: "sign_in_prompt", triedSignIn: false });
    expect(flow.steps).toEqual([{ step: "sign_in_from_menu", result: "advised" }]);
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("checks the network before signing in again when sign-in already failed", () => {
    const flow = startFlow(machine).answer("签到失败").answer("签了好几次都不行");
    expect(flow.facts.triedSignIn).toBe(true);
    expect(flow.keys).toEqual(["signin_key_error.askNetwork"]);
    expect(flow.options).toEqual(["wifi", "mobile_data", "wired"]);
    flow.answer("用的流量卡");
    expect(flow.facts.network).toBe("mobile_data");
    expect(flow.keys).toEqual([
      "signin_key_error.networkCheck.mobile_data",
      "signin_key_error.signIn.default",
      "common.didItWork",
    ]);
    expect(flow.texts[0]).toContain("流量卡");
    expect(flow.steps).toEqual([
      { step: "check_network", result: "advised" },
      { step: "sign_in_from_menu", result: "advised" },
    ]);
  });

  it("escalates as unresolved when sign-in still fails after the network check", () => {
    const flow = startFlow(machine).answer("1").answer("2").answer("wifi").answer("还是不行");
    expect(flow.facts).toEqual({ screen: "sign_in_prompt", triedSignIn: true, network: "wifi" });
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("skips the screen question when the first message quoted code 77, and redoes the sale after signing in", () => {
    const flow = startFlow(machine, { responseCode: "77" });
    expect(flow.keys).toEqual(["signin_key_error.askTriedSignIn"]);
    flow.answer("没有");
    expect(flow.keys).toEqual(["signin_key_error.signIn.77", "common.didItWork"]);
    expect(flow.texts[0]).toContain("批次号不一致");
  });

  it("has a MAC error (A0) fixed by signing in again, and says the acquirer reloads keys if it persists", () => {
    const flow = startFlow(machine).answer("提示A0");
    expect(flow.facts.responseCode).toBe("A0");
    expect(flow.keys).toEqual(["signin_key_error.keyCode.A0", "common.didItWork"]);
    expect(flow.texts[0]).toContain("重新下载密钥");
    expect(flow.steps).toEqual([{ step: "sign_in_to_refresh_keys", result: "advised" }]);
    flow.answer("还是报A0");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("treats a MAC error described without a code like the key codes", () => {
    const flow = startFlow(machine).answer("mac校验失败");
    expect(flow.facts.screen).toBe("mac_error");
    expect(flow.keys).toEqual(["signin_key_error.keyCode.default", "common.didItWork"]);
  });

  it("sends a missing master key straight to the acquirer as policy", () => {
    const flow = startFlow(machine).answer("显示无主密钥");
    expect(flow.facts.screen).toBe("key_missing");
    expect(flow.keys).toEqual(["signin_key_error.handoff.key_missing"]);
    expect(flow.state).toBe("escalateToAcquirer");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
    expect(flow.steps).toEqual([]);
  });

  it("sends code 97 (terminal not registered) from the first message to the acquirer as policy", () => {
    const flow = startFlow(machine, { responseCode: "97" });
    expect(flow.facts.screen).toBe("not_registered");
    expect(flow.keys).toEqual(["signin_key_error.handoff.not_registered"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "normal" });
  });

  it("retries a failed parameter download on a good network, then escalates when it still fails", () => {
    const flow = startFlow(machine).answer("参数下载失败").answer("连的wifi");
    expect(flow.keys).toEqual([
      "signin_key_error.networkCheck.wifi",
      "signin_key_error.paramRetry",
      "common.didItWork",
    ]);
    expect(flow.steps).toEqual([
      { step: "check_network", result: "advised" },
      { step: "retry_param_download", result: "advised" },
    ]);
    flow.answer("还是下载失败");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("re-asks the screen question when a code in the answer belongs to another problem", () => {
    const flow = startFlow(machine).answer("51");
    expect(flow.state).toBe("askScreen");
    expect(flow.keys).toEqual(["common.notUnderstood", "signin_key_error.askScreen"]);
    expect(flow.facts).toEqual({});
  });

  it("re-asks the network question when the answer names no network", () => {
    const flow = startFlow(machine).answer("5").answer("蓝色那个");
    expect(flow.state).toBe("askNetwork");
    expect(flow.keys).toEqual(["common.notUnderstood", "signin_key_error.askNetwork"]);
  });

  it("checks the connection in general when the merchant does not know how it is connected", () => {
    const flow = startFlow(machine).answer("5").answer("不太懂");
    expect(flow.facts.network).toBe("unknown");
    expect(flow.keys).toContain("signin_key_error.networkCheck.unknown");
    expect(flow.state).toBe("confirmFixed");
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("it says please sign in").answer("yes, still fails");
    flow.answer("ethernet cable");
    expect(flow.facts).toEqual({ screen: "sign_in_prompt", triedSignIn: true, network: "wired" });
    expect(flow.texts[0]).toContain("cable is firmly in");
    expect(flow.texts[1]).toContain("operator number");
    flow.answer("yes");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("has every text and quick-reply label it uses in both languages", () => {
    const keys = [
      "askScreen",
      "askTriedSignIn",
      "askNetwork",
      "networkCheck.wifi",
      "networkCheck.mobile_data",
      "networkCheck.wired",
      "signIn.default",
      "signIn.77",
      "signIn.22",
      "keyCode.99",
      "keyCode.A0",
      "keyCode.A7",
      "keyCode.default",
      "paramRetry",
      "handoff.key_missing",
      "handoff.not_registered",
      ...["sign_in_prompt", "mac_error", "key_missing", "not_registered", "param_download"].map(
        (o) => `options.${o}`,
      ),
      ...["not_yet", "tried_failed", "wifi", "mobile_data", "wired"].map((o) => `options.${o}`),
      ...["responseCode", "screen", "triedSignIn", "network"].map((f) => `facts.${f}`),
      ...["check_network", "sign_in_from_menu", "retry_param_download", "sign_in_to_refresh_keys"].map(
        (s) => `steps.${s}`,
      ),
    ];
    for (const locale of ["zh-CN", "en"] as const)
      for (const key of keys) expect(has(locale, `signin_key_error.${key}`), `${locale} ${key}`).toBe(true);
  });
});
