/**
 * settlement_delay: money from card sales has not reached the settlement card. A failed sale is never
 * settled; otherwise the flow learns what an agent needs (settlement type, sale day, card change, risk
 * notice, amount) before deciding: risk holds go to a person at once, a changed card or a sale not yet due
 * gets the explanation that fits, the rest are told to check the settlement card.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 2;

// A day in the merchant's own words that no option covers: "3号", "上周五", "12/3", "last Monday".
const DATE_LIKE =
  /[0-9]|[一二三四五六七八九十]+[号日]|周|星期|礼拜|前天|月|monday|tuesday|wednesday|thursday|friday|saturday|sunday|ago|last week/i;
const RECENT_DAYS = ["today", "yesterday", "weekend_holiday"];

/** The `isMissing` guard: `fact` is not known yet. */
const isMissing = (fact: string) => ({ type: "isMissing", params: { fact } }) as const;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
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
  actions: kit.commonActions,
}).createMachine({
  id: "settlement_delay",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    // Every answer comes back here: the first fact still missing is asked, facts already known are skipped.
    triage: {
      always: [
        { guard: isMissing("slip"), target: "askSlip" },
        { guard: "isSlipFailed", target: "suggestCheckSale" },
        { guard: isMissing("settlement"), target: "askSettlementType" },
        { guard: "isDayMissing", target: "askSaleDay" },
        { guard: isMissing("cardChanged"), target: "askCardChanged" },
        { guard: isMissing("riskNotice"), target: "askRiskNotice" },
        { guard: "isAmountMissing", target: "askAmount" },
        { guard: "hasRiskNotice", target: "escalateRisk" },
        { guard: "hasCardChanged", target: "explainCardChange" },
        { guard: "isD0NotDueYet", target: "explainD0Quota" },
        { guard: "isT1NotDueYet", target: "explainT1Timing" },
        { target: "suggestCheckSettlementCard" },
      ],
    },
    askSlip: {
      entry: kit.ask("settlement_delay.askSlip", ["success", "failed", "no_slip"], undefined, { hint: true }),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("slip"), target: "triage" },
          { guard: "isYes", actions: kit.setFact("slip", "success"), target: "triage" },
          { guard: "isNo", actions: kit.setFact("slip", "failed"), target: "triage" },
          kit.ifUnknown("triage", "slip"),
          kit.reask("askSlip"),
        ],
      },
    },
    askSettlementType: {
      entry: kit.ask("settlement_delay.askSettlementType", ["t1", "d0", "unknown"], undefined, {
        hint: true,
      }),
      on: {
        ANSWER: [
          { guard: "answerHasOption", actions: kit.recordOption("settlement"), target: "triage" },
          kit.reask("askSettlementType"),
        ],
      },
    },
    askSaleDay: {
      entry: kit.ask(
        "settlement_delay.askSaleDay",
        ["today", "yesterday", "weekend_holiday", "earlier"],
        "text",
      ),
      on: {
        ANSWER: [
          {
            guard: "answerHasOption",
            actions: ["recordAnswerEntities", kit.recordOption("saleDay")],
            target: "triage",
          },
          {
            guard: "answerLooksLikeDate",
            actions: ["recordAnswerEntities", { type: "recordText", params: { fact: "saleDate" } }],
            target: "triage",
          },
          kit.ifUnknown("triage", "saleDay"),
          kit.reask("askSaleDay"),
        ],
      },
    },
    askCardChanged: {
      entry: kit.ask("settlement_delay.askCardChanged", ["card_changed", "card_same"]),
      on: {
        ANSWER: [
          { guard: kit.isYesTo("card_changed"), actions: kit.setFact("cardChanged", true), target: "triage" },
          { guard: kit.isNoTo("card_same"), actions: kit.setFact("cardChanged", false), target: "triage" },
          kit.ifUnknown("triage", "cardChanged"),
          kit.reask("askCardChanged"),
        ],
      },
    },
    askRiskNotice: {
      entry: kit.ask("settlement_delay.askRiskNotice", ["risk_notice", "no_notice"], undefined, {
        hint: true,
      }),
      on: {
        ANSWER: [
          { guard: kit.isYesTo("risk_notice"), actions: kit.setFact("riskNotice", true), target: "triage" },
          { guard: kit.isNoTo("no_notice"), actions: kit.setFact("riskNotice", false), target: "triage" },
          kit.ifUnknown("triage", "riskNotice"),
          kit.reask("askRiskNotice"),
        ],
      },
    },
    askAmount: {
      entry: kit.ask("settlement_delay.askAmount", ["unknown"], "amount", { hint: true }),
      on: {
        ANSWER: [
          { guard: "answerHasAmount", actions: "recordAnswerEntities", target: "triage" },
          { guard: kit.isOption("unknown"), actions: kit.setFact("amountUnknown", true), target: "triage" },
          kit.reask("askAmount"),
        ],
      },
    },
    suggestCheckSale: kit.advise("settlement_delay.failedSale", "check_sale_status"),
    explainCardChange: kit.advise("settlement_delay.cardChange", "check_old_card"),
    explainD0Quota: kit.advise("settlement_delay.d0Quota", "check_d0_quota"),
    explainT1Timing: kit.advise("settlement_delay.t1Timing", "wait_next_working_day"),
    suggestCheckSettlementCard: kit.advise("settlement_delay.checkCard", "check_settlement_card"),
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    // Only the risk team can release held funds, whatever the merchant tries: always a person, high priority.
    escalateRisk: kit.escalateState({ say: "settlement_delay.riskHold", reason: "policy", priority: "high" }),
  },
});
