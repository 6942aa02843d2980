/**
 * card_read_error: 读卡失败 / 请插卡 / 多卡. How the card was presented decides the fix (a chip card must be
 * inserted, its chip clean; a contactless card held alone for 1–2 seconds). If every card fails the same way,
 * the terminal's reader is faulty: only a repair helps, so the flow learns the serial number and hands over.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    hasEntryMode: ({ context }) => context.facts.entryMode !== undefined,
    isChip: ({ context }) => context.facts.entryMode === "chip",
    isContactless: ({ context }) => context.facts.entryMode === "contactless",
  },
  actions: kit.commonActions,
}).createMachine({
  id: "card_read_error",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [{ guard: "hasEntryMode", target: "askScope" }, { target: "askEntryMode" }],
    },
    askEntryMode: {
      entry: kit.ask("card_read_error.askEntryMode", ["chip", "swipe", "contactless"]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("entryMode"), target: "askScope" },
          { guard: "answerHasEntryMode", actions: "recordAnswerEntities", target: "askScope" },
          kit.ifUnknown("askScope", "entryMode"),
          kit.reask("askEntryMode"),
        ],
      },
    },
    askScope: {
      entry: kit.ask("card_read_error.askScope", ["one_card", "all_cards", "untried"]),
      on: {
        ANSWER: [
          { guard: kit.isOption("all_cards"), actions: kit.recordOption("scope"), target: "warnReaderFault" },
          { guard: "answerHasOption", actions: kit.recordOption("scope"), target: "chooseFix" },
          kit.ifUnknown("chooseFix", "scope"),
          kit.reask("askScope"),
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
    suggestInsertChip: kit.advise("card_read_error.chipFix", "insert_and_clean_chip", "try_another_card"),
    suggestInsertNotSwipe: kit.advise(
      "card_read_error.swipeFix",
      "insert_chip_not_swipe",
      "try_another_card",
    ),
    suggestHoldOneCard: kit.advise("card_read_error.tapFix", "one_card_hold_2s", "try_another_card"),
    confirmFixed: kit.confirmFixed(),
    // Every card failing the same way is the reader, not the cards: a repair, whatever the merchant tries.
    warnReaderFault: {
      entry: kit.say("card_read_error.readerFault"),
      always: [{ guard: "isSerialMissing", target: "askSerial" }, { target: "escalateRepair" }],
    },
    askSerial: {
      entry: kit.ask("card_read_error.askSerial", ["unknown"], "serial", { hint: true }),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("unknown"),
            actions: kit.setFact("serialUnknown", true),
            target: "escalateRepair",
          },
          { guard: "answerHasSerial", actions: "recordSerial", target: "escalateRepair" },
          kit.reask("askSerial"),
        ],
      },
    },
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    escalateRepair: kit.escalateState({ say: "card_read_error.repair", reason: "policy" }),
  },
});
