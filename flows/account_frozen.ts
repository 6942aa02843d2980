/**
 * account_frozen: funds held, the merchant account restricted, or a retrieval request (调单). Only the
 * acquirer's risk team can release funds, so this flow never tries a fix: it learns what the agent needs
 * (what happened, which amount, since when, whether a notice came), tells the merchant which documents to
 * prepare, and always ends in a high-priority policy escalation.
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
} from "./kit.js";

export const version = 1;

// "3月5号", "5号", "3/5", "周一", "星期二": a date answers "since when" even though it is no quick reply.
const DATE =
  /[0-9]{1,2}\s*[月号日]|[0-9]{1,2}[/-][0-9]{1,2}|星期|礼拜|周[一二三四五六日天]|monday|tuesday|wednesday|thursday|friday|saturday|sunday/i;

const holdTypeOf = (context: FlowContext) => String(context.facts.holdType ?? "");

const notUnderstood = { type: "say", params: { key: "common.notUnderstood" } } as const;
/** An answer the parser could not read: say so and ask the same question again. */
const reask = (state: string) => ({ target: state, reenter: true, actions: notUnderstood }) as const;

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    hasAmount: ({ context }) => context.facts.amount !== undefined,
    /** Any of the question's quick replies: used where every choice is recorded and leads on alike. */
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    isRetrievalRequest: ({ context }) => context.facts.holdType === "retrieval_request",
    answerHasDate: ({ event }) => DATE.test(event.answer.text),
  },
  actions: {
    ...commonActions,
    /** Keeps the merchant's own words for a date the quick replies cannot hold. */
    recordText: assign({
      facts: ({ context, event }, params: { fact: string }) => ({
        ...context.facts,
        [params.fact]: event.answer.text.trim(),
      }),
    }),
  },
}).createMachine({
  id: "account_frozen",
  context: initialContext,
  output: outputOfFinalState,
  initial: "intro",
  states: {
    intro: {
      entry: { type: "say", params: { key: "account_frozen.intro" } },
      always: "askHoldType",
    },
    askHoldType: {
      entry: {
        type: "ask",
        params: {
          key: "account_frozen.askHoldType",
          options: ["funds_held", "account_restricted", "retrieval_request"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: [{ type: "recordOption", params: { fact: "holdType" } }, "recordAnswerEntities"],
            target: "checkAmount",
          },
          reask("askHoldType"),
        ],
      },
    },
    checkAmount: {
      always: [{ guard: "hasAmount", target: "askSince" }, { target: "askAmount" }],
    },
    askAmount: {
      entry: {
        type: "ask",
        params: { key: "account_frozen.askAmount", options: ["unknown"], expect: "amount" },
      },
      on: {
        ANSWER: [
          // The quick reply first: a bare "1" picks "not sure", it is no amount of one yuan.
          { guard: { type: "isOption", params: { option: "unknown" } }, target: "askSince" },
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "askSince" },
          reask("askAmount"),
        ],
      },
    },
    askSince: {
      entry: {
        type: "ask",
        params: { key: "account_frozen.askSince", options: ["today", "this_week", "over_a_week"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "since" } },
            target: "checkNotice",
          },
          {
            guard: "answerHasDate",
            actions: { type: "recordText", params: { fact: "since" } },
            target: "checkNotice",
          },
          reask("askSince"),
        ],
      },
    },
    // A retrieval request is itself the notice: asking whether one came would only annoy the merchant.
    checkNotice: {
      always: [
        {
          guard: "isRetrievalRequest",
          actions: { type: "setFact", params: { fact: "notice", value: "notice_received" } },
          target: "adviseDocuments",
        },
        { target: "askNotice" },
      ],
    },
    askNotice: {
      entry: {
        type: "ask",
        params: { key: "account_frozen.askNotice", options: ["notice_received", "no_notice"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "notice_received" } },
            actions: { type: "recordOption", params: { fact: "notice" } },
            target: "adviseDocuments",
          },
          {
            guard: { type: "isOption", params: { option: "no_notice" } },
            actions: { type: "recordOption", params: { fact: "notice" } },
            target: "adviseDocuments",
          },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "notice", value: "notice_received" } },
            target: "adviseDocuments",
          },
          {
            guard: "isNo",
            actions: { type: "setFact", params: { fact: "notice", value: "no_notice" } },
            target: "adviseDocuments",
          },
          reask("askNotice"),
        ],
      },
    },
    adviseDocuments: {
      always: [
        { guard: "isRetrievalRequest", target: "adviseSignedSlip" },
        { target: "adviseRiskDocuments" },
      ],
    },
    adviseSignedSlip: {
      entry: [
        { type: "say", params: { key: "account_frozen.signedSlip" } },
        { type: "recordStep", params: { step: "provide_signed_slip", result: "advised" } },
      ],
      always: "escalateRisk",
    },
    adviseRiskDocuments: {
      entry: [
        {
          type: "say",
          params: ({ context }) => ({
            key: [`account_frozen.documents.${holdTypeOf(context)}`, "account_frozen.documents.funds_held"],
          }),
        },
        { type: "recordStep", params: { step: "prepare_risk_documents", result: "advised" } },
      ],
      always: "escalateRisk",
    },
    escalateRisk: {
      type: "final",
      entry: {
        type: "say",
        params: ({ context }) => ({
          key:
            context.facts.amount !== undefined
              ? "account_frozen.handoffWithAmount"
              : "account_frozen.handoff",
        }),
      },
      output: () => escalated("policy", "high"),
    },
  },
});
