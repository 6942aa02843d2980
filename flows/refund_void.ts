/**
 * refund_void: undoing a sale. A sale of today, not yet settled, is voided (撤销) for its full amount; an
 * older or settled one is refunded (退货) and the money reaches the card in some working days. A double
 * charge is first checked in the transaction list, so the merchant never refunds money they never got.
 * Codes 22/25/64 have a fix of their own; any other refusal goes to a person.
 */
import { assign, setup } from "xstate";
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

const code = (context: FlowContext) => String(context.facts.responseCode ?? "").toUpperCase();
const problem = (context: FlowContext) => String(context.facts.problem ?? "");

const notUnderstood = { type: "say", params: { key: "common.notUnderstood" } } as const;
/** An answer the parser could not read: say so and ask the same question again. */
const reask = (state: string) => ({ target: state, reenter: true, actions: notUnderstood }) as const;

/** What an answer to "what needs undoing" may tell besides the choice: a code, an amount, the day. */
const recordProblem = [
  { type: "recordOption", params: { fact: "problem" } },
  "recordAnswerEntities",
  "noteSaleDay",
] as const;

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    hasResponseCode: ({ context }) => context.facts.responseCode !== undefined,
    hasFixableCode: ({ context }) => Object.hasOwn(CODE_FIXES, code(context)),
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    isSameDay: ({ context }) => context.facts.saleDay === "same_day",
    isEarlierDay: ({ context }) => context.facts.saleDay === "earlier_day",
    /** "不行，提示25" after a suggestion: a new code says why it failed, so it gets its own fix. */
    answerHasNewCode: ({ context, event }) =>
      event.answer.responseCode !== undefined && event.answer.responseCode !== context.facts.responseCode,
  },
  actions: {
    ...commonActions,
    noteSaleDay: assign({
      facts: ({ context, event }) => {
        const saleDay = saleDayIn(event.answer.text);
        return saleDay ? { ...context.facts, saleDay } : context.facts;
      },
    }),
  },
}).createMachine({
  id: "refund_void",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        {
          guard: "hasFixableCode",
          actions: { type: "setFact", params: { fact: "problem", value: "refund_failed" } },
          target: "adviseCode",
        },
        { target: "askProblem" },
      ],
    },
    askProblem: {
      entry: {
        type: "ask",
        params: {
          key: "refund_void.askProblem",
          options: ["cancel_sale", "wrong_amount", "charged_twice", "refund_failed"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "charged_twice" } },
            actions: recordProblem,
            target: "askSalesInList",
          },
          {
            guard: { type: "isOption", params: { option: "refund_failed" } },
            actions: recordProblem,
            target: "checkFailCode",
          },
          {
            // cancel_sale or wrong_amount: both are undone the same way, chosen by the day of the sale.
            guard: "answerHasOption",
            actions: recordProblem,
            target: "checkSaleDay",
          },
          reask("askProblem"),
        ],
      },
    },
    askSalesInList: {
      entry: {
        type: "ask",
        params: { key: "refund_void.askSalesInList", options: ["two_sales", "one_sale"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "two_sales" } },
            actions: { type: "recordOption", params: { fact: "salesInList" } },
            target: "checkSaleDay",
          },
          {
            guard: { type: "isOption", params: { option: "one_sale" } },
            actions: { type: "recordOption", params: { fact: "salesInList" } },
            target: "explainSingleCharge",
          },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "salesInList", value: "two_sales" } },
            target: "checkSaleDay",
          },
          {
            guard: "isNo",
            actions: { type: "setFact", params: { fact: "salesInList", value: "one_sale" } },
            target: "explainSingleCharge",
          },
          reask("askSalesInList"),
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
      entry: { type: "ask", params: { key: "refund_void.askSaleDay", options: ["same_day", "earlier_day"] } },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "same_day" } },
            actions: { type: "recordOption", params: { fact: "saleDay" } },
            target: "suggestVoid",
          },
          {
            guard: { type: "isOption", params: { option: "earlier_day" } },
            actions: { type: "recordOption", params: { fact: "saleDay" } },
            target: "suggestRefund",
          },
          reask("askSaleDay"),
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
      entry: {
        type: "ask",
        params: { key: "refund_void.askFailCode", options: ["no_code"], expect: "code" },
      },
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "checkFailCode" },
          { guard: { type: "isOption", params: { option: "no_code" } }, target: "escalateRefused" },
          { guard: "isNo", target: "escalateRefused" },
          reask("askFailCode"),
        ],
      },
    },
    suggestVoid: {
      entry: [
        { type: "say", params: { key: "refund_void.voidSteps" } },
        { type: "say", params: ({ context }) => ({ key: `refund_void.voidNote.${problem(context)}` }) },
        { type: "recordStep", params: { step: "void_same_day", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    suggestRefund: {
      entry: [
        { type: "say", params: { key: "refund_void.refundSteps" } },
        { type: "say", params: ({ context }) => ({ key: `refund_void.refundNote.${problem(context)}` }) },
        { type: "recordStep", params: { step: "refund_earlier_day", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    explainSingleCharge: {
      entry: [
        { type: "say", params: { key: "refund_void.singleCharge" } },
        { type: "recordStep", params: { step: "wait_for_reversal", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    adviseCode: {
      entry: [
        { type: "say", params: ({ context }) => ({ key: `refund_void.code.${code(context)}` }) },
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
    confirmFixed: {
      entry: { type: "ask", params: { key: "common.didItWork", options: ["yes", "no"] } },
      on: {
        ANSWER: [
          { guard: "answerHasNewCode", actions: "recordAnswerEntities", target: "checkFailCode" },
          // The same code again: its fix did not work.
          { guard: "answerHasCode", target: "escalate" },
          { guard: "isYes", target: "resolved" },
          { guard: "isNo", target: "escalate" },
          reask("confirmFixed"),
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
    escalateRefused: {
      type: "final",
      entry: {
        type: "say",
        params: ({ context }) => ({
          key:
            context.facts.responseCode !== undefined ? "refund_void.refusedWithCode" : "refund_void.refused",
        }),
      },
      output: () => escalated("unresolved"),
    },
  },
});
