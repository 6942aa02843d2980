/**
 * terminal_dead: the terminal won't power on, is frozen, shows a black screen or keeps rebooting. The basic
 * checks are the same for all of them (charge 30 minutes with the original charger, long-press power for 10
 * seconds); when they fail, or the terminal was dropped, got wet or has a swollen battery, only a repair or a
 * replacement helps, so the flow learns the serial number and hands over.
 */
import { assign, setup } from "xstate";
import {
  commonActions,
  commonGuards,
  escalated,
  type FlowContext,
  type FlowEvent,
  flowTypes,
  initialContext,
  outputOfFinalState,
  resolved,
} from "./kit.js";

export const version = 1;

// A terminal serial (SN) as printed on the label: letters and digits, at least one digit.
const SERIAL = /(?<![a-z0-9])(?=[a-z-]*[0-9])[a-z0-9][a-z0-9-]{5,23}(?![a-z0-9])/i;

/** A fix: say it, record its steps as advised, then ask whether it worked. */
const advise = (key: string, ...steps: string[]) =>
  ({
    entry: [
      { type: "say", params: { key } },
      ...steps.map((step) => ({ type: "recordStep", params: { step, result: "advised" } }) as const),
    ],
    always: "confirmFixed",
  }) as const;

/** An answer that fits no option: say so and ask the same question again. */
const reask = (state: string) =>
  ({
    target: state,
    reenter: true,
    actions: { type: "say", params: { key: "common.notUnderstood" } },
  }) as const;

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    isDamaged: ({ context }) => context.facts.symptom === "damaged",
    isFrozen: ({ context }) => context.facts.symptom === "frozen",
    isSerialMissing: ({ context }) =>
      context.facts.terminalSerial === undefined && context.facts.serialUnknown === undefined,
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    // The parser does not hand a serial number over as an entity, so the flow reads it from the text.
    answerHasSerial: ({ event }) => SERIAL.test(event.answer.text),
  },
  actions: {
    ...commonActions,
    recordSerial: assign<FlowContext, FlowEvent, undefined, FlowEvent, never>({
      facts: ({ context, event }) => {
        const serial = SERIAL.exec(event.answer.text)?.[0];
        return serial ? { ...context.facts, terminalSerial: serial.toUpperCase() } : context.facts;
      },
    }),
  },
}).createMachine({
  id: "terminal_dead",
  context: initialContext,
  output: outputOfFinalState,
  initial: "askSymptom",
  states: {
    askSymptom: {
      entry: {
        type: "ask",
        params: {
          key: "terminal_dead.askSymptom",
          options: ["no_power", "frozen", "reboot_loop", "damaged"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "symptom" } },
            target: "triage",
          },
          reask("askSymptom"),
        ],
      },
    },
    triage: {
      always: [
        { guard: "isDamaged", target: "warnDamaged" },
        { guard: "isFrozen", target: "suggestForceRestart" },
        { target: "suggestCharge" },
      ],
    },
    suggestCharge: advise("terminal_dead.chargeFix", "charge_30_min", "long_press_power_10s"),
    suggestForceRestart: advise("terminal_dead.forceRestart", "long_press_power_10s", "charge_30_min"),
    confirmFixed: {
      entry: { type: "ask", params: { key: "common.didItWork", options: ["yes", "no"] } },
      on: {
        ANSWER: [
          { guard: "isYes", target: "resolved" },
          { guard: "isNo", target: "prepareRepair" },
          reask("confirmFixed"),
        ],
      },
    },
    // A damaged terminal must not be charged or switched on again: no fix to try, straight to a repair.
    warnDamaged: {
      entry: { type: "say", params: { key: "terminal_dead.damaged" } },
      always: "prepareRepair",
    },
    // A repair ticket needs the serial number: asked unless the merchant already gave it.
    prepareRepair: {
      always: [
        { guard: "isSerialMissing", target: "askSerial" },
        { guard: "isDamaged", target: "escalateDamaged" },
        { target: "escalate" },
      ],
    },
    askSerial: {
      entry: {
        type: "ask",
        params: { key: "terminal_dead.askSerial", options: ["unknown"], expect: "text" },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "unknown" } },
            actions: { type: "setFact", params: { fact: "serialUnknown", value: true } },
            target: "prepareRepair",
          },
          { guard: "answerHasSerial", actions: "recordSerial", target: "prepareRepair" },
          reask("askSerial"),
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
      entry: { type: "say", params: { key: "terminal_dead.repair" } },
      output: () => escalated("unresolved"),
    },
    escalateDamaged: {
      type: "final",
      entry: { type: "say", params: { key: "terminal_dead.repair" } },
      output: () => escalated("policy"),
    },
  },
});
