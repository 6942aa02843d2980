/**
 * software_update: the terminal says its version is too old, an update failed, or the payment app crashes
 * after one. An update the merchant has not run yet is safe with enough battery and a stable network, and
 * must never be cut off half-way. A failed update or a crashing app needs the acquirer or vendor to push
 * or reinstall the software, so it goes to a person with the terminal serial.
 */
import { assign, setup } from "xstate";
import {
  commonActions,
  commonGuards,
  escalated,
  flowTypes,
  initialContext,
  outputOfFinalState,
  resolved,
} from "./kit.js";

export const version = 1;

// The answer parser reads no serial number from a reply: take the first run of letters and digits that
// holds a digit ("SN: N910A123456" → "N910A123456").
const serialIn = (text: string) =>
  text
    .match(/[a-z0-9-]{6,24}/gi)
    ?.find((token) => /[0-9]/.test(token))
    ?.toUpperCase();

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    isSituation: ({ context }, params: { situation: string }) => context.facts.situation === params.situation,
    /** Any of the question's quick replies: used where every choice is recorded and leads on alike. */
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    // The battery question expects an amount, so a reply like "还有30%" arrives as the number 30.
    answerSaysBatteryLow: ({ event: { answer } }) =>
      answer.option === "battery_low" || (answer.option === undefined && (answer.amount ?? 101) <= 50),
    answerSaysBatteryOk: ({ event: { answer } }) =>
      answer.option === "battery_ok" ||
      (answer.option === undefined && (answer.amount ?? 0) > 50 && (answer.amount ?? 0) <= 100),
    isBatteryLow: ({ context }) => context.facts.battery === "battery_low",
    hasTerminalSerial: ({ context }) => context.facts.terminalSerial !== undefined,
    answerHasSerial: ({ event }) => serialIn(event.answer.text) !== undefined,
  },
  actions: {
    ...commonActions,
    recordSerial: assign({
      facts: ({ context, event }) => ({
        ...context.facts,
        terminalSerial: serialIn(event.answer.text) ?? "",
      }),
    }),
  },
}).createMachine({
  id: "software_update",
  context: initialContext,
  output: outputOfFinalState,
  initial: "askSituation",
  states: {
    askSituation: {
      entry: {
        type: "ask",
        params: {
          key: "software_update.askSituation",
          options: ["update_prompt", "update_failed", "crash_after_update"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "situation" } },
            target: "triage",
          },
          {
            target: "askSituation",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
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
      entry: {
        type: "ask",
        params: {
          key: "software_update.askBattery",
          options: ["battery_ok", "battery_low"],
          expect: "amount",
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerSaysBatteryLow",
            actions: { type: "setFact", params: { fact: "battery", value: "battery_low" } },
            target: "askNetwork",
          },
          {
            guard: "answerSaysBatteryOk",
            actions: { type: "setFact", params: { fact: "battery", value: "battery_ok" } },
            target: "askNetwork",
          },
          {
            target: "askBattery",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    askNetwork: {
      entry: {
        type: "ask",
        params: { key: "software_update.askNetwork", options: ["wifi", "mobile_data", "wired"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "network" } },
            target: "triageBattery",
          },
          {
            target: "askNetwork",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    triageBattery: {
      always: [{ guard: "isBatteryLow", target: "suggestCharge" }, { target: "suggestUpdate" }],
    },
    suggestCharge: {
      entry: [
        { type: "say", params: { key: "software_update.chargeFirst" } },
        { type: "recordStep", params: { step: "charge_above_half", result: "advised" } },
      ],
      always: "suggestUpdate",
    },
    suggestUpdate: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({ key: `software_update.network.${context.facts.network}` }),
        },
        { type: "say", params: { key: "software_update.updateSteps" } },
        { type: "recordStep", params: { step: "update_without_power_off", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    askTerminalSerial: {
      entry: {
        type: "ask",
        params: { key: "software_update.askTerminalSerial", options: ["unknown"], expect: "text" },
      },
      on: {
        ANSWER: [
          { guard: { type: "isOption", params: { option: "unknown" } }, target: "escalateUpdateProblem" },
          { guard: "answerHasSerial", actions: "recordSerial", target: "escalateUpdateProblem" },
          {
            target: "askTerminalSerial",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    confirmFixed: {
      entry: { type: "ask", params: { key: "common.didItWork", options: ["yes", "no"] } },
      on: {
        ANSWER: [
          { guard: "isYes", target: "resolved" },
          { guard: "isNo", target: "escalate" },
          {
            target: "confirmFixed",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    resolved: {
      type: "final",
      entry: { type: "say", params: { key: "common.glad" } },
      output: resolved,
    },
    escalate: {
      type: "final",
      output: () => escalated("unresolved"),
    },
    // Reinstalling or pushing software is the acquirer's or vendor's job: a person takes over, whatever
    // the merchant could still try.
    escalateUpdateProblem: {
      type: "final",
      entry: {
        type: "say",
        params: ({ context }) => ({ key: `software_update.handoff.${context.facts.situation}` }),
      },
      output: () => escalated("policy"),
    },
  },
});
