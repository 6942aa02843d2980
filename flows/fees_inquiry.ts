/**
 * fees_inquiry: rates, deposits, monthly and SIM charges, the D+0 fee, a charge the merchant can't place.
 * The bot cannot see a merchant's contract, so it explains how each fee usually works, says the exact
 * figures are in the contract, and offers a person to check them: accepted, that is a low-priority handoff.
 */
import { setup } from "xstate";
import {
  commonActions,
  commonGuards,
  escalated,
  type FlowContext,
  flowTypes,
  initialContext,
  outputOfFinalState,
  resolved,
} from "./kit.js";

export const version = 1;

/** Card types with a rate of their own; a bare "银联" says nothing about the rate. */
const RATE_CARD_TYPES = ["credit", "debit", "foreign"];

const fact = (context: FlowContext, name: string) => String(context.facts[name] ?? "");

const notUnderstood = { type: "say", params: { key: "common.notUnderstood" } } as const;
/** An answer the parser could not read: say so and ask the same question again. */
const reask = (state: string) => ({ target: state, reenter: true, actions: notUnderstood }) as const;

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    hasRateCardType: ({ context }) => RATE_CARD_TYPES.includes(fact(context, "cardType")),
    /** Any of the question's quick replies: used where each choice is recorded and leads on alike. */
    answerHasOption: ({ event }) => event.answer.option !== undefined,
  },
  actions: commonActions,
}).createMachine({
  id: "fees_inquiry",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    // "信用卡费率多少": a card type in the first message can only be a question about the rate.
    triage: {
      always: [
        {
          guard: "hasRateCardType",
          actions: { type: "setFact", params: { fact: "feeType", value: "transaction_rate" } },
          target: "explainRate",
        },
        { target: "askFeeType" },
      ],
    },
    askFeeType: {
      entry: {
        type: "ask",
        params: {
          key: "fees_inquiry.askFeeType",
          options: ["transaction_rate", "deposit", "monthly_charge", "instant_settlement", "other_charge"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "transaction_rate" } },
            actions: [{ type: "recordOption", params: { fact: "feeType" } }, "recordAnswerEntities"],
            target: "askCardType",
          },
          {
            guard: { type: "isOption", params: { option: "deposit" } },
            actions: [{ type: "recordOption", params: { fact: "feeType" } }, "recordAnswerEntities"],
            target: "askDepositTarget",
          },
          {
            guard: { type: "isOption", params: { option: "monthly_charge" } },
            actions: [{ type: "recordOption", params: { fact: "feeType" } }, "recordAnswerEntities"],
            target: "explainMonthlyCharge",
          },
          {
            guard: { type: "isOption", params: { option: "instant_settlement" } },
            actions: [{ type: "recordOption", params: { fact: "feeType" } }, "recordAnswerEntities"],
            target: "explainInstantSettlement",
          },
          {
            guard: { type: "isOption", params: { option: "other_charge" } },
            actions: [{ type: "recordOption", params: { fact: "feeType" } }, "recordAnswerEntities"],
            target: "explainOtherCharge",
          },
          reask("askFeeType"),
        ],
      },
    },
    askCardType: {
      entry: { type: "ask", params: { key: "fees_inquiry.askCardType", options: RATE_CARD_TYPES } },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "cardType" } },
            target: "explainRate",
          },
          reask("askCardType"),
        ],
      },
    },
    askDepositTarget: {
      entry: {
        type: "ask",
        params: {
          key: "fees_inquiry.askDepositTarget",
          options: ["target_met", "target_not_met", "unknown"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "depositTarget" } },
            target: "explainDeposit",
          },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "depositTarget", value: "target_met" } },
            target: "explainDeposit",
          },
          {
            guard: "isNo",
            actions: { type: "setFact", params: { fact: "depositTarget", value: "target_not_met" } },
            target: "explainDeposit",
          },
          reask("askDepositTarget"),
        ],
      },
    },
    explainRate: {
      entry: [
        { type: "say", params: ({ context }) => ({ key: `fees_inquiry.rate.${fact(context, "cardType")}` }) },
        { type: "recordStep", params: { step: "explain_rate", result: "advised" } },
      ],
      always: "offerAgent",
    },
    explainDeposit: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({ key: `fees_inquiry.deposit.${fact(context, "depositTarget")}` }),
        },
        { type: "recordStep", params: { step: "explain_deposit", result: "advised" } },
      ],
      always: "offerAgent",
    },
    explainMonthlyCharge: {
      entry: [
        { type: "say", params: { key: "fees_inquiry.monthlyCharge" } },
        { type: "recordStep", params: { step: "explain_monthly_charge", result: "advised" } },
      ],
      always: "offerAgent",
    },
    explainInstantSettlement: {
      entry: [
        { type: "say", params: { key: "fees_inquiry.instantSettlement" } },
        { type: "recordStep", params: { step: "explain_instant_settlement_fee", result: "advised" } },
      ],
      always: "offerAgent",
    },
    explainOtherCharge: {
      entry: [
        { type: "say", params: { key: "fees_inquiry.otherCharge" } },
        { type: "recordStep", params: { step: "explain_other_charge", result: "advised" } },
      ],
      always: "offerAgent",
    },
    // Instead of "did it work": an explanation has nothing to try, only the exact figures are left open.
    offerAgent: {
      entry: {
        type: "ask",
        params: { key: "fees_inquiry.offerAgent", options: ["check_my_figures", "no_thanks"] },
      },
      on: {
        ANSWER: [
          { guard: { type: "isOption", params: { option: "check_my_figures" } }, target: "escalate" },
          { guard: { type: "isOption", params: { option: "no_thanks" } }, target: "resolved" },
          { guard: "isYes", target: "escalate" },
          { guard: "isNo", target: "resolved" },
          reask("offerAgent"),
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
      entry: { type: "say", params: { key: "fees_inquiry.handoff" } },
      output: () => escalated("unresolved", "low"),
    },
  },
});
