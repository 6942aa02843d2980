/**
 * account_frozen: funds held, the merchant account restricted, or a retrieval request (调单). Only the
 * acquirer's risk team can release funds, so this flow never tries a fix: it learns what the agent needs
 * (what happened, which amount, since when, whether a notice came), tells the merchant which documents to
 * prepare, and always ends in a high-priority policy escalation.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

/** Only a person can release funds: the flow always ends with one, whatever the merchant answers. */
export const policy = true;

// "3月5号", "5号", "3/5", "周一", "星期二": a date answers "since when" even though it is no quick reply.
const DATE =
  /[0-9]{1,2}\s*[月号日]|[0-9]{1,2}[/-][0-9]{1,2}|星期|礼拜|周[一二三四五六日天]|monday|tuesday|wednesday|thursday|friday|saturday|sunday/i;

const holdTypeOf = (context: kit.FlowContext) => String(context.facts.holdType ?? "");

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isRetrievalRequest: ({ context }) => context.facts.holdType === "retrieval_request",
    answerHasDate: ({ event }) => DATE.test(event.answer.text),
  },
  actions: kit.commonActions,
}).createMachine({
  id: "account_frozen",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "intro",
  states: {
    intro: {
      entry: kit.say("account_frozen.intro"),
      always: "askHoldType",
    },
    askHoldType: {
      entry: kit.ask("account_frozen.askHoldType", ["funds_held", "account_restricted", "retrieval_request"]),
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: [kit.recordOption("holdType"), "recordAnswerEntities"],
            target: "checkAmount",
          },
          kit.ifUnknown("checkAmount", "holdType"),
          kit.noteAndGoOn("checkAmount", "holdTypeInWords"),
        ],
      },
    },
    checkAmount: {
      always: [{ guard: "hasAmount", target: "askSince" }, { target: "askAmount" }],
    },
    askAmount: {
      entry: kit.ask("account_frozen.askAmount", ["unknown"], "amount", { hint: true }),
      on: {
        ANSWER: [
          // The quick reply first: a bare "1" picks "not sure", it is no amount of one yuan.
          { guard: kit.isOption("unknown"), target: "askSince" },
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "askSince" },
          kit.noteAndGoOn("askSince", "amountInWords"),
        ],
      },
    },
    askSince: {
      entry: kit.ask("account_frozen.askSince", ["today", "this_week", "over_a_week"]),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("since"), target: "checkNotice" },
          {
            guard: "answerHasDate",
            actions: { type: "recordText", params: { fact: "since" } },
            target: "checkNotice",
          },
          kit.ifUnknown("checkNotice", "since"),
          kit.noteAndGoOn("checkNotice", "since"),
        ],
      },
    },
    // A retrieval request is itself the notice: asking whether one came would only annoy the merchant.
    checkNotice: {
      always: [
        {
          guard: "isRetrievalRequest",
          actions: kit.setFact("notice", "notice_received"),
          target: "adviseDocuments",
        },
        { target: "askNotice" },
      ],
    },
    askNotice: {
      entry: kit.ask("account_frozen.askNotice", ["notice_received", "no_notice"]),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("notice_received"),
            actions: kit.recordOption("notice"),
            target: "adviseDocuments",
          },
          {
            guard: kit.isOption("no_notice"),
            actions: kit.recordOption("notice"),
            target: "adviseDocuments",
          },
          { guard: "isYes", actions: kit.setFact("notice", "notice_received"), target: "adviseDocuments" },
          { guard: "isNo", actions: kit.setFact("notice", "no_notice"), target: "adviseDocuments" },
          kit.ifUnknown("adviseDocuments", "notice"),
          kit.noteAndGoOn("adviseDocuments", "noticeInWords"),
        ],
      },
    },
    adviseDocuments: {
      always: [
        { guard: "isRetrievalRequest", target: "adviseSignedSlip" },
        { target: "adviseRiskDocuments" },
      ],
    },
    adviseSignedSlip: kit.adviseThen("escalateRisk", "account_frozen.signedSlip", "provide_signed_slip"),
    adviseRiskDocuments: kit.adviseThen(
      "escalateRisk",
      (context) => [`account_frozen.documents.${holdTypeOf(context)}`, "account_frozen.documents.funds_held"],
      "prepare_risk_documents",
    ),
    escalateRisk: kit.escalateState({
      say: ({ facts }) =>
        facts.amount !== undefined ? "account_frozen.handoffWithAmount" : "account_frozen.handoff",
      reason: "policy",
      priority: "high",
    }),
  },
});
