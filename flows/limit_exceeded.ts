/**
 * limit_exceeded: a sale over a limit. Codes 61 and 65 are the card's own limits, set by the issuer: the
 * customer pays less or with another card, and the sale is never split. A merchant single or daily limit is
 * set on the terminal by the acquirer: only the acquirer can raise it, so a merchant who wants a higher
 * limit goes to a person (policy), with the limit and the amount needed.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

const CARD_LIMIT_CODES = ["61", "65"];

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isCardLimitCode: ({ context }) => CARD_LIMIT_CODES.includes(String(context.facts.responseCode ?? "")),
    answerHasCardLimitCode: ({ event }) => CARD_LIMIT_CODES.includes(event.answer.responseCode ?? ""),
  },
  actions: kit.commonActions,
}).createMachine({
  id: "limit_exceeded",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [{ guard: "isCardLimitCode", target: "adviseCardLimit" }, { target: "askLimitType" }],
    },
    askLimitType: {
      entry: kit.ask(
        "limit_exceeded.askLimitType",
        ["card_limit", "single_limit", "daily_limit", "raise_limit"],
        "code",
        { hint: true },
      ),
      on: {
        ANSWER: [
          { guard: "answerHasCardLimitCode", actions: "recordAnswerEntities", target: "adviseCardLimit" },
          {
            guard: kit.isOption("card_limit"),
            actions: kit.recordOption("limitType"),
            target: "adviseCardLimit",
          },
          {
            guard: kit.isOption("single_limit"),
            actions: kit.recordOption("limitType"),
            target: "adviseMerchantLimit",
          },
          {
            guard: kit.isOption("daily_limit"),
            actions: kit.recordOption("limitType"),
            target: "adviseMerchantLimit",
          },
          {
            guard: kit.isOption("raise_limit"),
            actions: kit.setFact("wantsRaise", true),
            target: "askWhichLimit",
          },
          // Which limit it was shows only in the acquirer's systems: a person looks it up.
          kit.ifUnknown("escalate", "limitType"),
          kit.reask("askLimitType"),
        ],
      },
    },
    adviseCardLimit: kit.advise(
      ({ facts }) => [`limit_exceeded.cardLimit.${facts.responseCode}`, "limit_exceeded.cardLimit.any"],
      "lower_amount_or_another_card",
    ),
    adviseMerchantLimit: kit.adviseThen(
      "askRaiseLimit",
      ({ facts }) => `limit_exceeded.merchantLimit.${facts.limitType}`,
      "explain_merchant_limit",
    ),
    askRaiseLimit: {
      entry: kit.ask("limit_exceeded.askRaiseLimit", ["raise_limit", "no_raise"]),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("raise_limit"),
            actions: kit.setFact("wantsRaise", true),
            target: "triageAmount",
          },
          { guard: kit.isOption("no_raise"), target: "confirmFixed" },
          { guard: "isYes", actions: kit.setFact("wantsRaise", true), target: "triageAmount" },
          { guard: "isNo", target: "confirmFixed" },
          kit.ifUnknown("confirmFixed"),
          kit.reask("askRaiseLimit"),
        ],
      },
    },
    askWhichLimit: {
      entry: kit.ask("limit_exceeded.askWhichLimit", ["single_limit", "daily_limit"]),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("single_limit"),
            actions: kit.recordOption("limitType"),
            target: "triageAmount",
          },
          {
            guard: kit.isOption("daily_limit"),
            actions: kit.recordOption("limitType"),
            target: "triageAmount",
          },
          kit.ifUnknown("triageAmount", "limitType"),
          kit.reask("askWhichLimit"),
        ],
      },
    },
    triageAmount: {
      always: [{ guard: "hasAmount", target: "escalateRaiseLimit" }, { target: "askAmount" }],
    },
    askAmount: {
      entry: kit.ask("limit_exceeded.askAmount", ["unknown"], "amount", { hint: true }),
      on: {
        ANSWER: [
          { guard: kit.isOption("unknown"), target: "escalateRaiseLimit" },
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "escalateRaiseLimit" },
          kit.reask("askAmount"),
        ],
      },
    },
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    // Only the acquirer can change a merchant's limits: a person takes the request, whatever was tried.
    escalateRaiseLimit: kit.escalateState({
      say: ({ facts }) =>
        `limit_exceeded.raiseHandoff.${facts.amount === undefined ? "noAmount" : "withAmount"}`,
      reason: "policy",
    }),
  },
});
