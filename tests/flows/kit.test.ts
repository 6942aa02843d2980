import { describe, expect, it } from "vitest";
import { setup } from "xstate";
import {
  advise,
  ask,
  commonActions,
  commonGuards,
  confirmFixed,
  escalateState,
  flowTypes,
  initialContext,
  isNoTo,
  isOption,
  isYesTo,
  outputOfFinalState,
  reask,
  resolvedState,
  setFact,
} from "../../flows/kit.js";
import { startFlow } from "../support/flow.js";

// A flow built only from the kit: a serial question, a yes/no-or-option question, a fix and its check.
const machine = setup({ types: flowTypes, guards: commonGuards, actions: commonActions }).createMachine({
  id: "kit_example",
  context: initialContext,
  output: outputOfFinalState,
  initial: "askSerial",
  states: {
    askSerial: {
      entry: ask("kit_example.askSerial", ["unknown"], "serial"),
      on: {
        ANSWER: [
          { guard: isOption("unknown"), actions: setFact("serialUnknown", true), target: "askCharged" },
          { guard: "answerHasSerial", actions: "recordSerial", target: "askCharged" },
          reask("askSerial"),
        ],
      },
    },
    askCharged: {
      entry: ask("kit_example.askCharged", ["charged", "not_charged"]),
      on: {
        ANSWER: [
          { guard: isYesTo("charged"), actions: setFact("charged", true), target: "suggestRestart" },
          { guard: isNoTo("not_charged"), actions: setFact("charged", false), target: "escalatePolicy" },
          reask("askCharged"),
        ],
      },
    },
    suggestRestart: advise("kit_example.restart", "restart", "wait_a_minute"),
    confirmFixed: confirmFixed({
      first: [{ guard: "answerHasCode", actions: "recordAnswerEntities", target: "escalatePolicy" }],
    }),
    resolved: resolvedState(),
    escalate: escalateState(),
    escalatePolicy: escalateState({ say: "kit_example.handoff", reason: "policy", priority: "high" }),
  },
});

describe("the flow kit", () => {
  it("asks a question with its options and what a bare answer means", () => {
    const flow = startFlow(machine);
    expect(flow.keys).toEqual(["kit_example.askSerial"]);
    expect(flow.options).toEqual(["unknown"]);
  });

  it("records a bare serial given to the serial question", () => {
    const flow = startFlow(machine).answer("it's wp5000123");
    expect(flow.facts).toEqual({ terminalSerial: "WP5000123" });
    expect(flow.state).toBe("askCharged");
  });

  it("re-asks a question it could not read an answer to", () => {
    const flow = startFlow(machine).answer("我看看");
    expect(flow.state).toBe("askSerial");
    expect(flow.keys).toEqual(["common.notUnderstood", "kit_example.askSerial"]);
  });

  it("takes a plain yes for the yes-like option and a plain no for the no-like one", () => {
    expect(startFlow(machine).answer("不清楚").answer("是的").facts).toEqual({
      serialUnknown: true,
      charged: true,
    });
    expect(startFlow(machine).answer("不清楚").answer("没有").facts.charged).toBe(false);
  });

  it("says a fix, records its steps as advised, then asks whether it worked", () => {
    const flow = startFlow(machine).answer("SN123456").answer("是的");
    expect(flow.keys).toEqual(["kit_example.restart", "common.didItWork"]);
    expect(flow.steps).toEqual([
      { step: "restart", result: "advised" },
      { step: "wait_a_minute", result: "advised" },
    ]);
    expect(flow.state).toBe("confirmFixed");
  });

  it("ends resolved on yes and escalated (unresolved, normal) on no", () => {
    const fixed = startFlow(machine).answer("SN123456").answer("是的").answer("好了");
    expect(fixed.keys).toEqual(["common.glad"]);
    expect(fixed.output).toEqual({ outcome: "resolved" });
    const broken = startFlow(machine).answer("SN123456").answer("是的").answer("还是不行");
    expect(broken.keys).toEqual([]);
    expect(broken.output).toEqual({ outcome: "escalated", reason: "unresolved", priority: "normal" });
  });

  it("tries a flow's own transitions first in confirmFixed", () => {
    const flow = startFlow(machine).answer("SN123456").answer("是的").answer("不行，提示51");
    expect(flow.facts.responseCode).toBe("51");
    expect(flow.keys).toEqual(["kit_example.handoff"]);
    expect(flow.output).toEqual({ outcome: "escalated", reason: "policy", priority: "high" });
  });

  it("records every entity an answer carries, card type and serial included", () => {
    const flow = startFlow(machine)
      .answer("SN123456")
      .answer("是的")
      .answer("SN: N86012345678 信用卡 提示51");
    expect(flow.facts).toMatchObject({
      responseCode: "51",
      cardType: "credit",
      terminalSerial: "N86012345678",
    });
  });
});
