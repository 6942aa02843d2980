/**
 * refund_void: undoing a sale. A sale of today, not yet settled, is voided (撤销) for its full amount; an
 * older or settled one is refunded (退货) and the money reaches the card in some working days. A double
 * charge is first checked in the transaction list, so the merchant never refunds money they never got.
 * Codes 22/25/64 have a fix of their own; any other refusal goes to a person.
 */
import { assign, setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

/** Refusal codes of a void or refund the merchant can fix, and the step each fix is recorded as. */
const CODE_FIXES: Record<string, string> = {
  "22": "sign_in_and_check_date",
  "25": "check_reference_and_date",
  "64": "match_original_amount",
};

/** The day of the sale when the merchant's words already say it ("昨天的交易能撤销吗", "void yesterday sale"). */
function saleDayIn(text: string): "same_day" | "earlier_day" | undefined {
  if (/没结算|未结算|not (?:yet )?settled/i.test(text)) return "same_day";
  if (/昨天|前天|上周|上个月|隔天|几天前|结算|yesterday|last (?:week|month)|days ago|settled/i.test(text))
    return "earlier_day";
  if (/今天|当天|刚才|刚刚|today|just now|this morning/i.test(text)) return "same_day";
  return undefined;
}

const code = (context: kit.FlowContext) => String(context.facts.responseCode ?? "").toUpperCase();
const problem = (context: kit.FlowContext) => String(context.facts.problem ?? "");

/** What an answer to "what needs undoing" may tell besides the choice: a code, an amount, the day. */
const recordProblem = [kit.recordOption("problem"), "recordAnswerEntities", "noteSaleDay"] as const;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    hasFixableCode: ({ context }) => Object.hasOwn(CODE_FIXES, code(context)),
    isSameDay: ({ context }) => context.facts.saleDay === "same_day",
    isEarlierDay: ({ context }) => context.facts.saleDay === "earlier_day",
    /** "不行，提示25" after a suggestion: a new code says why it failed, so it gets its own fix. */
    answerHasNewCode: ({ context, event }) =>
      event.answer.responseCode !== undefined && event.answer.responseCode !== context.facts.responseCode,
  },
  actions: {
    ...kit.commonActions,
    noteSaleDay: assign({
      facts: ({ context, event }) => {
        const saleDay = saleDayIn(event.answer.text);
        return saleDay ? { ...context.facts, saleDay } : context.facts;
      },
    }),
  },
}).createMachine({
  id: "refund_void",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        { guard: "hasFixableCode", actions: kit.setFact("problem", "refund_failed"), target: "adviseCode" },
        { target: "askProblem" },
      ],
    },
    askProblem: {
      entry: kit.ask("refund_void.askProblem", [
        "cancel_sale",
        "wrong_amount",
        "charged_twice",
        "refund_failed",
      ]),
      on: {
        ANSWER: [
          { guard: kit.isOption("charged_twice"), actions: recordProblem, target: "askSalesInList" },
          { guard: kit.isOption("refund_failed"), actions: recordProblem, target: "checkFailCode" },
          // cancel_sale or wrong_amount: both are undone the same way, chosen by the day of the sale.
          { guard: "answerHasOption", actions: recordProblem, target: "checkSaleDay" },
          kit.ifUnknown("escalate", "problem"),
          kit.reask("askProblem"),
        ],
      },
    },
    askSalesInList: {
      entry: kit.ask("refund_void.askSalesInList", ["two_sales", "one_sale"], undefined, { hint: true }),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("two_sales"),
            actions: kit.recordOption("salesInList"),
            target: "checkSaleDay",
          },
          {
            guard: kit.isOption("one_sale"),
            actions: kit.recordOption("salesInList"),
            target: "explainSingleCharge",
          },
          { guard: "isYes", actions: kit.setFact("salesInList", "two_sales"), target: "checkSaleDay" },
          { guard: "isNo", actions: kit.setFact("salesInList", "one_sale"), target: "explainSingleCharge" },
          // Whether the card was charged twice shows only in the transaction records: a person checks them.
          kit.ifUnknown("escalate", "salesInList"),
          kit.reask("askSalesInList"),
        ],
      },
    },
    checkSaleDay: {
      always: [
        { guard: "isSameDay", target: "suggestVoid" },
        { guard: "isEarlierDay", target: "suggestRefund" },
        { target: "askSaleDay" },
      ],
    },
    askSaleDay: {
      entry: kit.ask("refund_void.askSaleDay", ["same_day", "earlier_day"], undefined, { hint: true }),
      on: {
        ANSWER: [
          { guard: kit.isOption("same_day"), actions: kit.recordOption("saleDay"), target: "suggestVoid" },
          {
            guard: kit.isOption("earlier_day"),
            actions: kit.recordOption("saleDay"),
            target: "suggestRefund",
          },
          // A refund works whatever the day; a void only before settlement.
          kit.ifUnknown("suggestRefund", "saleDay"),
          kit.reask("askSaleDay"),
        ],
      },
    },
    checkFailCode: {
      always: [
        { guard: "hasFixableCode", target: "adviseCode" },
        { guard: "hasResponseCode", target: "escalateRefused" },
        { target: "askFailCode" },
      ],
    },
    askFailCode: {
      entry: kit.ask("refund_void.askFailCode", ["no_code"], "code", { hint: true }),
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "checkFailCode" },
          { guard: kit.isOption("no_code"), target: "escalateRefused" },
          { guard: "isNo", target: "escalateRefused" },
          kit.ifUnknown("escalateRefused"),
          kit.reask("askFailCode"),
        ],
      },
    },
    suggestVoid: {
      entry: [
        kit.say("refund_void.voidSteps"),
        kit.say((context) => `refund_void.voidNote.${problem(context)}`),
        kit.advised("void_same_day"),
      ],
      always: "confirmFixed",
    },
    suggestRefund: {
      entry: [
        kit.say("refund_void.refundSteps"),
        kit.say((context) => `refund_void.refundNote.${problem(context)}`),
        kit.advised("refund_earlier_day"),
      ],
      always: "confirmFixed",
    },
    explainSingleCharge: kit.advise("refund_void.singleCharge", "wait_for_reversal"),
    adviseCode: {
      entry: [
        kit.say((context) => `refund_void.code.${code(context)}`),
        {
          type: "recordStep",
          params: ({ context }) => ({
            step: CODE_FIXES[code(context)] ?? "follow_code_advice",
            result: "advised",
          }),
        },
      ],
      always: "confirmFixed",
    },
    confirmFixed: kit.confirmFixed({
      first: [
        { guard: "answerHasNewCode", actions: "recordAnswerEntities", target: "checkFailCode" },
        // The same code again: its fix did not work.
        { guard: "answerHasCode", target: "escalate" },
      ],
    }),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    escalateRefused: kit.escalateState({
      say: ({ facts }) =>
        facts.responseCode !== undefined ? "refund_void.refusedWithCode" : "refund_void.refused",
    }),
  },
});
