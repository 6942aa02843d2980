import { describe, expect, it } from "vitest";
import { machine } from "../../flows/network_failure.js";
import { startFlow } from "../support/flow.js";

describe("network_failure flow", () => {
  it("first asks whether the failure happened in the middle of a sale", () => {
    const flow = startFlow(machine);
    expect(flow.state).toBe("askMidSale");
    expect(flow.keys).toEqual(["network_failure.askMidSale"]);
    expect(flow.options).toEqual(["mid_sale", "not_in_sale"]);
  });

  it("warns to check for a debit or reversal before charging again when it failed mid-sale", () => {
    const flow = startFlow(machine).answer("刷卡刷到一半 客人收到扣款短信了");
    expect(flow.facts.midSale).toBe(true);
    expect(flow.keys).toEqual(["network_failure.checkDebitFirst", "network_failure.askConnection"]);
    expect(flow.texts[0]).toContain("冲正");
    expect(flow.steps).toEqual([{ step: "check_debit_or_reversal", result: "advised" }]);
  });

  it("skips the mid-sale question when the first message gave the sale amount", () => {
    const flow = startFlow(machine, { amount: 368 });
    expect(flow.facts.midSale).toBe(true);
    expect(flow.keys).toEqual(["network_failure.checkDebitFirst", "network_failure.askConnection"]);
  });

  it("skips the mid-sale question when the first message quoted a timeout code", () => {
    const flow = startFlow(machine, { responseCode: "98" });
    expect(flow.state).toBe("askConnection");
    expect(flow.facts.midSale).toBe(true);
  });

  it("goes straight to the connection when it failed outside a sale, with no debit warning", () => {
    const flow = startFlow(machine).answer("不是 签到的时候就通讯失败");
    expect(flow.facts.midSale).toBe(false);
    expect(flow.keys).toEqual(["network_failure.askConnection"]);
    expect(flow.steps).toEqual([]);
  });

  it("has a weak SIM signal fixed by reseating the SIM and moving, and ends resolved", () => {
    const flow = startFlow(machine).answer("没在交易").answer("用的流量卡").answer("只有一格");
    expect(flow.facts).toEqual({ midSale: false, connection: "sim", signal: "weak_signal" });
    expect(flow.keys).toEqual(["network_failure.weakSignal", "common.didItWork"]);
    expect(flow.steps.map((s) => s.step)).toEqual([
      "reseat_sim_and_move",
      "restart_terminal",
      "switch_network",
    ]);
    flow.answer("连上了");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });

  it("suspects the SIM's data or expiry when the signal is full but it still can't connect", () => {
    const flow = startFlow(machine).answer("2").answer("4g").answer("信号满格还是通讯失败");
    expect(flow.facts.signal).toBe("good_signal");
    expect(flow.keys).toEqual(["network_failure.simData", "common.didItWork"]);
    expect(flow.texts[0]).toContain("流量");
  });

  it("has the router restarted when no device on the Wi-Fi can get online", () => {
    const flow = startFlow(machine).answer("不是").answer("wifi").answer("手机也上不了网");
    expect(flow.facts).toEqual({ midSale: false, connection: "wifi", othersOnline: false });
    expect(flow.keys).toEqual(["network_failure.routerDown", "common.didItWork"]);
    expect(flow.steps.map((s) => s.step)).toEqual(["restart_router", "switch_network"]);
  });

  it("has the terminal rejoin the Wi-Fi when other devices are online", () => {
    const flow = startFlow(machine).answer("不是").answer("路由器").answer("手机能上");
    expect(flow.facts.othersOnline).toBe(true);
    expect(flow.keys).toEqual(["network_failure.reconnectWifi", "common.didItWork"]);
  });

  it("escalates as unresolved when the network fix did not help", () => {
    const flow = startFlow(machine, { amount: 500 }).answer("流量卡").answer("信号正常").answer("还是连不上");
    expect(flow.state).toBe("escalate");
    expect(flow.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
    expect(flow.steps.map((s) => s.step)).toEqual([
      "check_debit_or_reversal",
      "check_sim_data",
      "restart_terminal",
      "switch_network",
    ]);
  });

  it("understands quick replies by their number", () => {
    const flow = startFlow(machine).answer("1").answer("2").answer("2");
    expect(flow.facts).toEqual({ midSale: true, connection: "wifi", othersOnline: false });
  });

  it("re-asks a question it could not read an answer to", () => {
    const flow = startFlow(machine).answer("不是").answer("不太懂你说的");
    expect(flow.state).toBe("askConnection");
    expect(flow.keys).toEqual(["common.notUnderstood", "network_failure.askConnection"]);
  });

  it("works in English", () => {
    const flow = startFlow(machine, {}, "en").answer("no, at sign in").answer("sim card").answer("no signal");
    expect(flow.texts[0]).toContain("SIM card out");
    flow.answer("yes it's online");
    expect(flow.output).toEqual({ outcome: "resolved" });
  });
});
