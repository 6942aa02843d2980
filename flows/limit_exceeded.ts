/**
 * limit_exceeded: a sale over a limit. Codes 61 and 65 are the card's own limits, set by the issuer: the
 * customer pays less or with another card, and the sale is never split. A merchant single or daily limit is
 * set on the terminal by the acquirer: only the acquirer can raise it, so a merchant who wants a higher
 * limit goes to a person (policy), with the limit and the amount needed.
 */
import { setup } from "xstate";
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

const CARD_LIMIT_CODES = ["61", "65"];

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    isCardLimitCode: ({ context }) => CARD_LIMIT_CODES.includes(String(context.facts.responseCode ?? "")),
    answerHasCardLimitCode: ({ event }) => CARD_LIMIT_CODES.includes(event.answer.responseCode ?? ""),
    hasAmount: ({ context }) => context.facts.amount !== undefined,
  },
  actions: {
    ...commonActions,
  },
}).createMachine({
  id: "limit_exceeded",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [{ guard: "isCardLimitCode", target: "adviseCardLimit" }, { target: "askLimitType" }],
    },
    askLimitType: {
      entry: {
        type: "ask",
        params: {
          key: "limit_exceeded.askLimitType",
          options: ["card_limit", "single_limit", "daily_limit", "raise_limit"],
          expect: "code",
        },
      },
      on: {
        ANSWER: [
          { guard: "answerHasCardLimitCode", actions: "recordAnswerEntities", target: "adviseCardLimit" },
          {
            guard: { type: "isOption", params: { option: "card_limit" } },
            actions: { type: "recordOption", params: { fact: "limitType" } },
            target: "adviseCardLimit",
          },
          {
            guard: { type: "isOption", params: { option: "single_limit" } },
            actions: { type: "recordOption", params: { fact: "limitType" } },
            target: "adviseMerchantLimit",
          },
          {
            guard: { type: "isOption", params: { option: "daily_limit" } },
            actions: { type: "recordOption", params: { fact: "limitType" } },
            target: "adviseMerchantLimit",
          },
          {
            guard: { type: "isOption", params: { option: "raise_limit" } },
            actions: { type: "setFact", params: { fact: "wantsRaise", value: true } },
            target: "askWhichLimit",
          },
          {
            target: "askLimitType",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    adviseCardLimit: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({
            key: [`limit_exceeded.cardLimit.${context.facts.responseCode}`, "limit_exceeded.cardLimit.any"],
          }),
        },
        { type: "recordStep", params: { step: "lower_amount_or_another_card", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    adviseMerchantLimit: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({ key: `limit_exceeded.merchantLimit.${context.facts.limitType}` }),
        },
        { type: "recordStep", params: { step: "explain_merchant_limit", result: "advised" } },
      ],
      always: "askRaiseLimit",
    },
    askRaiseLimit: {
      entry: {
        type: "ask",
        params: { key: "limit_exceeded.askRaiseLimit", options: ["raise_limit", "no_raise"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "raise_limit" } },
            actions: { type: "setFact", params: { fact: "wantsRaise", value: true } },
            target: "triageAmount",
          },
          { guard: { type: "isOption", params: { option: "no_raise" } }, target: "confirmFixed" },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "wantsRaise", value: true } },
            target: "triageAmount",
          },
          { guard: "isNo", target: "confirmFixed" },
          {
            target: "askRaiseLimit",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    askWhichLimit: {
      entry: {
        type: "ask",
        params: { key: "limit_exceeded.askWhichLimit", options: ["single_limit", "daily_limit"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "single_limit" } },
            actions: { type: "recordOption", params: { fact: "limitType" } },
            target: "triageAmount",
          },
          {
            guard: { type: "isOption", params: { option: "daily_limit" } },
            actions: { type: "recordOption", params: { fact: "limitType" } },
            target: "triageAmount",
          },
          {
            target: "askWhichLimit",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    triageAmount: {
      always: [{ guard: "hasAmount", target: "escalateRaiseLimit" }, { target: "askAmount" }],
    },
    askAmount: {
      entry: {
        type: "ask",
        params: { key: "limit_exceeded.askAmount", options: ["unknown"], expect: "amount" },
      },
      on: {
        ANSWER: [
          { guard: { type: "isOption", params: { option: "unknown" } }, target: "escalateRaiseLimit" },
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "escalateRaiseLimit" },
          {
            target: "askAmount",
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
    // Only the acquirer can change a merchant's limits: a person takes the request, whatever was tried.
    escalateRaiseLimit: {
      type: "final",
      entry: {
        type: "say",
        params: ({ context }) => ({
          key: `limit_exceeded.raiseHandoff.${context.facts.amount === undefined ? "noAmount" : "withAmount"}`,
        }),
      },
      output: () => escalated("policy"),
    },
  },
});
