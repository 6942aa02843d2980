/**
 * fees_inquiry: rates, deposits, monthly and SIM charges, the D+0 fee, a charge the merchant can't place.
 * The bot cannot see a merchant's contract, so it explains how each fee usually works, says the exact
 * figures are in the contract, and offers a person to check them: accepted, that is a low-priority handoff.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

/** Card types with a rate of their own; a bare "银联" says nothing about the rate. */
const RATE_CARD_TYPES = ["credit", "debit", "foreign"];

const fact = (context: kit.FlowContext, name: string) => String(context.facts[name] ?? "");

/** The fee type chosen, with whatever else the answer said (a card type, an amount). */
const recordFeeType = [kit.recordOption("feeType"), "recordAnswerEntities"] as const;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    hasRateCardType: ({ context }) => RATE_CARD_TYPES.includes(fact(context, "cardType")),
  },
  actions: kit.commonActions,
}).createMachine({
  id: "fees_inquiry",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    // "信用卡费率多少": a card type in the first message can only be a question about the rate.
    triage: {
      always: [
        {
          guard: "hasRateCardType",
          actions: kit.setFact("feeType", "transaction_rate"),
          target: "explainRate",
        },
        { target: "askFeeType" },
      ],
    },
    askFeeType: {
      entry: kit.ask("fees_inquiry.askFeeType", [
        "transaction_rate",
        "deposit",
        "monthly_charge",
        "instant_settlement",
        "other_charge",
      ]),
      on: {
        ANSWER: [
          { guard: kit.isOption("transaction_rate"), actions: recordFeeType, target: "askCardType" },
          { guard: kit.isOption("deposit"), actions: recordFeeType, target: "askDepositTarget" },
          { guard: kit.isOption("monthly_charge"), actions: recordFeeType, target: "explainMonthlyCharge" },
          {
            guard: kit.isOption("instant_settlement"),
            actions: recordFeeType,
            target: "explainInstantSettlement",
          },
          { guard: kit.isOption("other_charge"), actions: recordFeeType, target: "explainOtherCharge" },
          // Not knowing which charge it is: only their own statement can tell, so offer a person to look.
          kit.ifUnknown("offerAgent", "feeType"),
          kit.reask("askFeeType"),
        ],
      },
    },
    askCardType: {
      entry: kit.ask("fees_inquiry.askCardType", RATE_CARD_TYPES),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("cardType"), target: "explainRate" },
          kit.ifUnknown("explainRate", "cardType"),
          kit.reask("askCardType"),
        ],
      },
    },
    askDepositTarget: {
      entry: kit.ask("fees_inquiry.askDepositTarget", ["target_met", "target_not_met", "unknown"]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("depositTarget"), target: "explainDeposit" },
          { guard: "isYes", actions: kit.setFact("depositTarget", "target_met"), target: "explainDeposit" },
          {
            guard: "isNo",
            actions: kit.setFact("depositTarget", "target_not_met"),
            target: "explainDeposit",
          },
          kit.reask("askDepositTarget"),
        ],
      },
    },
    explainRate: kit.adviseThen(
      "offerAgent",
      (context) => `fees_inquiry.rate.${fact(context, "cardType")}`,
      "explain_rate",
    ),
    explainDeposit: kit.adviseThen(
      "offerAgent",
      (context) => `fees_inquiry.deposit.${fact(context, "depositTarget")}`,
      "explain_deposit",
    ),
    explainMonthlyCharge: kit.adviseThen(
      "offerAgent",
      "fees_inquiry.monthlyCharge",
      "explain_monthly_charge",
    ),
    explainInstantSettlement: kit.adviseThen(
      "offerAgent",
      "fees_inquiry.instantSettlement",
      "explain_instant_settlement_fee",
    ),
    explainOtherCharge: kit.adviseThen("offerAgent", "fees_inquiry.otherCharge", "explain_other_charge"),
    // Instead of "did it work": an explanation has nothing to try, only the exact figures are left open.
    offerAgent: {
      entry: kit.ask("fees_inquiry.offerAgent", ["check_my_figures", "no_thanks"]),
      on: {
        ANSWER: [
          { guard: kit.isOption("check_my_figures"), target: "escalate" },
          { guard: kit.isOption("no_thanks"), target: "resolved" },
          { guard: "isYes", target: "escalate" },
          { guard: "isNo", target: "resolved" },
          kit.ifUnknown("resolved"),
          kit.reask("offerAgent"),
        ],
      },
    },
    resolved: kit.resolvedState(),
    escalate: kit.escalateState({ say: "fees_inquiry.handoff", priority: "low" }),
  },
});
