/**
 * settlement_delay: money from card sales has not reached the settlement card. A failed sale is never
 * settled; otherwise the flow learns what an agent needs (settlement type, sale day, card change, risk
 * notice, amount) before deciding: risk holds go to a person at once, a changed card or a sale not yet due
 * gets the explanation that fits, the rest are told to check the settlement card.
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

// A day in the merchant's own words that no option covers: "3号", "上周五", "12/3", "last Monday".
const DATE_LIKE =
  /[0-9]|[一二三四五六七八九十]+[号日]|周|星期|礼拜|前天|月|monday|tuesday|wednesday|thursday|friday|saturday|sunday|ago|last week/i;
const RECENT_DAYS = ["today", "yesterday", "weekend_holiday"];

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
    /** The quick reply `option`, or a plain "yes" when no option matched. */
    isYesTo: ({ event }, params: { option: string }) =>
      event.answer.option === params.option || (!event.answer.option && event.answer.yes === true),
    /** The quick reply `option`, or a plain "no" when no option matched. */
    isNoTo: ({ event }, params: { option: string }) =>
      event.answer.option === params.option || (!event.answer.option && event.answer.yes === false),
    answerHasOption: ({ event }) => event.answer.option !== undefined,
    answerLooksLikeDate: ({ event }) => DATE_LIKE.test(event.answer.text),
    isMissing: ({ context }, params: { fact: string }) => context.facts[params.fact] === undefined,
    isDayMissing: ({ context }) =>
      context.facts.saleDay === undefined && context.facts.saleDate === undefined,
    isAmountMissing: ({ context }) =>
      context.facts.amount === undefined && context.facts.amountUnknown === undefined,
    isSlipFailed: ({ context }) => context.facts.slip === "failed",
    hasRiskNotice: ({ context }) => context.facts.riskNotice === true,
    hasCardChanged: ({ context }) => context.facts.cardChanged === true,
    // D+0 pays the same day up to a daily quota and the rest falls back to T+1, so a recent sale may not be due.
    isD0NotDueYet: ({ context }) =>
      context.facts.settlement === "d0" && RECENT_DAYS.includes(String(context.facts.saleDay)),
    isT1NotDueYet: ({ context }) =>
      context.facts.settlement !== "d0" && RECENT_DAYS.includes(String(context.facts.saleDay)),
  },
  actions: {
    ...commonActions,
    recordSaleDate: assign<FlowContext, FlowEvent, undefined, FlowEvent, never>({
      facts: ({ context, event }) => ({ ...context.facts, saleDate: event.answer.text.trim() }),
    }),
  },
}).createMachine({
  id: "settlement_delay",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    // Every answer comes back here: the first fact still missing is asked, facts already known are skipped.
    triage: {
      always: [
        { guard: { type: "isMissing", params: { fact: "slip" } }, target: "askSlip" },
        { guard: "isSlipFailed", target: "suggestCheckSale" },
        { guard: { type: "isMissing", params: { fact: "settlement" } }, target: "askSettlementType" },
        { guard: "isDayMissing", target: "askSaleDay" },
        { guard: { type: "isMissing", params: { fact: "cardChanged" } }, target: "askCardChanged" },
        { guard: { type: "isMissing", params: { fact: "riskNotice" } }, target: "askRiskNotice" },
        { guard: "isAmountMissing", target: "askAmount" },
        { guard: "hasRiskNotice", target: "escalateRisk" },
        { guard: "hasCardChanged", target: "explainCardChange" },
        { guard: "isD0NotDueYet", target: "explainD0Quota" },
        { guard: "isT1NotDueYet", target: "explainT1Timing" },
        { target: "suggestCheckSettlementCard" },
      ],
    },
    askSlip: {
      entry: {
        type: "ask",
        params: { key: "settlement_delay.askSlip", options: ["success", "failed", "unknown"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "slip" } },
            target: "triage",
          },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "slip", value: "success" } },
            target: "triage",
          },
          {
            guard: "isNo",
            actions: { type: "setFact", params: { fact: "slip", value: "failed" } },
            target: "triage",
          },
          reask("askSlip"),
        ],
      },
    },
    askSettlementType: {
      entry: {
        type: "ask",
        params: { key: "settlement_delay.askSettlementType", options: ["t1", "d0", "unknown"] },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: { type: "recordOption", params: { fact: "settlement" } },
            target: "triage",
          },
          reask("askSettlementType"),
        ],
      },
    },
    askSaleDay: {
      entry: {
        type: "ask",
        params: {
          key: "settlement_delay.askSaleDay",
          options: ["today", "yesterday", "weekend_holiday", "earlier"],
          expect: "text",
        },
      },
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: ["recordAnswerEntities", { type: "recordOption", params: { fact: "saleDay" } }],
            target: "triage",
          },
          {
            guard: "answerLooksLikeDate",
            actions: ["recordAnswerEntities", "recordSaleDate"],
            target: "triage",
          },
          reask("askSaleDay"),
        ],
      },
    },
    askCardChanged: {
      entry: {
        type: "ask",
        params: { key: "settlement_delay.askCardChanged", options: ["card_changed", "card_same"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isYesTo", params: { option: "card_changed" } },
            actions: { type: "setFact", params: { fact: "cardChanged", value: true } },
            target: "triage",
          },
          {
            guard: { type: "isNoTo", params: { option: "card_same" } },
            actions: { type: "setFact", params: { fact: "cardChanged", value: false } },
            target: "triage",
          },
          reask("askCardChanged"),
        ],
      },
    },
    askRiskNotice: {
      entry: {
        type: "ask",
        params: { key: "settlement_delay.askRiskNotice", options: ["risk_notice", "no_notice"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isYesTo", params: { option: "risk_notice" } },
            actions: { type: "setFact", params: { fact: "riskNotice", value: true } },
            target: "triage",
          },
          {
            guard: { type: "isNoTo", params: { option: "no_notice" } },
            actions: { type: "setFact", params: { fact: "riskNotice", value: false } },
            target: "triage",
          },
          reask("askRiskNotice"),
        ],
      },
    },
    askAmount: {
      entry: {
        type: "ask",
        params: { key: "settlement_delay.askAmount", options: ["unknown"], expect: "amount" },
      },
      on: {
        ANSWER: [
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "triage" },
          {
            guard: { type: "isOption", params: { option: "unknown" } },
            actions: { type: "setFact", params: { fact: "amountUnknown", value: true } },
            target: "triage",
          },
          reask("askAmount"),
        ],
      },
    },
    suggestCheckSale: advise("settlement_delay.failedSale", "check_sale_status"),
    explainCardChange: advise("settlement_delay.cardChange", "check_old_card"),
    explainD0Quota: advise("settlement_delay.d0Quota", "check_d0_quota"),
    explainT1Timing: advise("settlement_delay.t1Timing", "wait_next_working_day"),
    suggestCheckSettlementCard: advise("settlement_delay.checkCard", "check_settlement_card"),
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
    resolved: {
      type: "final",
      entry: { type: "say", params: { key: "common.glad" } },
      output: resolved,
    },
    escalate: {
      type: "final",
      output: () => escalated("unresolved"),
    },
    // Only the risk team can release held funds, whatever the merchant tries: always a person, high priority.
    escalateRisk: {
      type: "final",
      entry: { type: "say", params: { key: "settlement_delay.riskHold" } },
      output: () => escalated("policy", "high"),
    },
  },
});
