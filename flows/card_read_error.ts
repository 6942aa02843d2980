/**
 * card_read_error: 读卡失败 / 请插卡 / 多卡. How the card was presented decides the fix (a chip card must be
 * inserted, its chip clean; a contactless card held alone for 1–2 seconds). If every card fails the same way,
 * the terminal's reader is faulty: only a repair helps, so the flow learns the serial number and hands over.
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
    hasEntryMode: ({ context }) => context.facts.entryMode !== undefined,
    isChip: ({ context }) => context.facts.entryMode === "chip",
    isContactless: ({ context }) => context.facts.entryMode === "contactless",
    isSerialMissing: ({ context }) =>
      context.facts.terminalSerial === undefined && context.facts.serialUnknown === undefined,
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    answerHasEntryMode: ({ event }) => event.answer.entryMode !== undefined,
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
  id: "card_read_error",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [{ guard: "hasEntryMode", target: "askScope" }, { target: "askEntryMode" }],
    },
    askEntryMode: {
      entry: {
        type: "ask",
        params: { key: "card_read_error.askEntryMode", options: ["chip", "swipe", "contactless"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "entryMode" } },
            target: "askScope",
          },
          { guard: "answerHasEntryMode", actions: "recordAnswerEntities", target: "askScope" },
          reask("askEntryMode"),
        ],
      },
    },
    askScope: {
      entry: {
        type: "ask",
        params: { key: "card_read_error.askScope", options: ["one_card", "all_cards", "untried"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "all_cards" } },
            actions: { type: "recordOption", params: { fact: "scope" } },
            target: "warnReaderFault",
          },
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "scope" } },
            target: "chooseFix",
          },
          reask("askScope"),
        ],
      },
    },
    chooseFix: {
      always: [
        { guard: "isChip", target: "suggestInsertChip" },
        { guard: "isContactless", target: "suggestHoldOneCard" },
        { target: "suggestInsertNotSwipe" },
      ],
    },
    suggestInsertChip: advise("card_read_error.chipFix", "insert_and_clean_chip", "try_another_card"),
    suggestInsertNotSwipe: advise("card_read_error.swipeFix", "insert_chip_not_swipe", "try_another_card"),
    suggestHoldOneCard: advise("card_read_error.tapFix", "one_card_hold_2s", "try_another_card"),
    confirmFixed: {
      entry: { type: "ask", params: { key: "common.didItWork", options: ["yes", "no"] } },
      on: {
        ANSWER: [
          { guard: "isYes", target: "resolved" },
          { guard: "isNo", target: "escalate" },
          reask("confirmFixed"),
        ],
      },
    },
    // Every card failing the same way is the reader, not the cards: a repair, whatever the merchant tries.
    warnReaderFault: {
      entry: { type: "say", params: { key: "card_read_error.readerFault" } },
      always: [{ guard: "isSerialMissing", target: "askSerial" }, { target: "escalateRepair" }],
    },
    askSerial: {
      entry: {
        type: "ask",
        params: { key: "card_read_error.askSerial", options: ["unknown"], expect: "text" },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "unknown" } },
            actions: { type: "setFact", params: { fact: "serialUnknown", value: true } },
            target: "escalateRepair",
          },
          { guard: "answerHasSerial", actions: "recordSerial", target: "escalateRepair" },
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
      output: () => escalated("unresolved"),
    },
    escalateRepair: {
      type: "final",
      entry: { type: "say", params: { key: "card_read_error.repair" } },
      output: () => escalated("policy"),
    },
  },
});
