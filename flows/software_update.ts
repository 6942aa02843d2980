/**
 * software_update: the terminal says its version is too old, an update failed, or the payment app crashes
 * after one. An update the merchant has not run yet is safe with enough battery and a stable network, and
 * must never be cut off half-way. A failed update or a crashing app needs the acquirer or vendor to push
 * or reinstall the software, so it goes to a person with the terminal serial.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isSituation: ({ context }, params: { situation: string }) => context.facts.situation === params.situation,
    // The battery question expects an amount, so a reply like "还有30%" arrives as the number 30.
    answerSaysBatteryLow: ({ event: { answer } }) =>
      answer.option === "battery_low" || (answer.option === undefined && (answer.amount ?? 101) <= 50),
    answerSaysBatteryOk: ({ event: { answer } }) =>
      answer.option === "battery_ok" ||
      (answer.option === undefined && (answer.amount ?? 0) > 50 && (answer.amount ?? 0) <= 100),
    isBatteryLow: ({ context }) => context.facts.battery === "battery_low",
    hasTerminalSerial: ({ context }) => context.facts.terminalSerial !== undefined,
  },
  actions: kit.commonActions,
}).createMachine({
  id: "software_update",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "askSituation",
  states: {
    askSituation: {
      entry: kit.ask("software_update.askSituation", [
        "update_prompt",
        "update_failed",
        "crash_after_update",
      ]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("situation"), target: "triage" },
          kit.ifUnknown("escalate", "situation"),
          kit.reask("askSituation"),
        ],
      },
    },
    triage: {
      always: [
        { guard: { type: "isSituation", params: { situation: "update_prompt" } }, target: "askBattery" },
        { guard: "hasTerminalSerial", target: "escalateUpdateProblem" },
        { target: "askTerminalSerial" },
      ],
    },
    askBattery: {
      entry: kit.ask("software_update.askBattery", ["battery_ok", "battery_low"], "amount"),
      on: {
        ANSWER: [
          {
            guard: "answerSaysBatteryLow",
            actions: kit.setFact("battery", "battery_low"),
            target: "askNetwork",
          },
          {
            guard: "answerSaysBatteryOk",
            actions: kit.setFact("battery", "battery_ok"),
            target: "askNetwork",
          },
          // An update that dies half way bricks the terminal: not knowing the battery means charging first.
          { guard: "isDontKnow", actions: kit.setFact("battery", "battery_low"), target: "askNetwork" },
          kit.reask("askBattery"),
        ],
      },
    },
    askNetwork: {
      entry: kit.ask("software_update.askNetwork", ["wifi", "mobile_data", "wired"]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("network"), target: "triageBattery" },
          kit.ifUnknown("triageBattery", "network"),
          kit.reask("askNetwork"),
        ],
      },
    },
    triageBattery: {
      always: [{ guard: "isBatteryLow", target: "suggestCharge" }, { target: "suggestUpdate" }],
    },
    suggestCharge: kit.adviseThen("suggestUpdate", "software_update.chargeFirst", "charge_above_half"),
    suggestUpdate: {
      entry: [
        kit.say(({ facts }) => `software_update.network.${facts.network}`),
        kit.say("software_update.updateSteps"),
        kit.advised("update_without_power_off"),
      ],
      always: "confirmFixed",
    },
    askTerminalSerial: {
      entry: kit.ask("software_update.askTerminalSerial", ["unknown"], "serial", { hint: true }),
      on: {
        ANSWER: [
          { guard: kit.isOption("unknown"), target: "escalateUpdateProblem" },
          { guard: "answerHasSerial", actions: "recordSerial", target: "escalateUpdateProblem" },
          kit.reask("askTerminalSerial"),
        ],
      },
    },
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    // Reinstalling or pushing software is the acquirer's or vendor's job: a person takes over, whatever
    // the merchant could still try.
    escalateUpdateProblem: kit.escalateState({
      say: ({ facts }) => `software_update.handoff.${facts.situation}`,
      reason: "policy",
    }),
  },
});
