/**
 * card_declined: a card payment was refused. The response code decides who must act: risk codes stop the
 * sale and go to a person at once, configuration codes go to the acquirer, cardholder codes give the
 * merchant words for the customer, the rest get the fix the domain facts give for that code.
 */
import { setup } from "xstate";
import { codeClass } from "../src/nlu/codes.js";
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

const code = (facts: { responseCode?: unknown }) => String(facts.responseCode ?? "");

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    hasResponseCode: ({ context }) => context.facts.responseCode !== undefined,
    isRiskCode: ({ context }) => codeClass(code(context.facts)) === "risk",
    isConfigCode: ({ context }) => codeClass(code(context.facts)) === "config",
    isCardholderCode: ({ context }) => codeClass(code(context.facts)) === "card",
    isAllCards: ({ context }) => context.facts.scope === "all_cards",
  },
  actions: {
    ...commonActions,
    explainCode: commonActions.say,
  },
}).createMachine({
  id: "card_declined",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        { guard: "isRiskCode", target: "escalateRisk" },
        { guard: "isConfigCode", target: "escalateConfig" },
        { guard: "isCardholderCode", target: "adviseCardholder" },
        { guard: "hasResponseCode", target: "adviseMerchant" },
        { target: "askResponseCode" },
      ],
    },
    askResponseCode: {
      entry: { type: "ask", params: { key: "card_declined.askCode", options: ["no_code"], expect: "code" } },
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "triage" },
          { guard: { type: "isOption", params: { option: "no_code" } }, target: "askScope" },
          { guard: "isNo", target: "askScope" },
          {
            target: "askResponseCode",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    askScope: {
      entry: { type: "ask", params: { key: "card_declined.askScope", options: ["one_card", "all_cards"] } },
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "triage" },
          {
            guard: { type: "isOption", params: { option: "one_card" } },
            actions: { type: "recordOption", params: { fact: "scope" } },
            target: "adviseCardholder",
          },
          {
            guard: { type: "isOption", params: { option: "all_cards" } },
            actions: { type: "recordOption", params: { fact: "scope" } },
            target: "suggestResign",
          },
          {
            target: "askScope",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    adviseCardholder: {
      entry: [
        {
          type: "explainCode",
          params: ({ context }) => ({
            key: [`card_declined.code.${code(context.facts)}`, "card_declined.code.cardholder"],
          }),
        },
        { type: "recordStep", params: { step: "tell_customer_use_another_card", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    adviseMerchant: {
      entry: [
        {
          type: "explainCode",
          params: ({ context }) => ({
            key: [`card_declined.code.${code(context.facts)}`, "card_declined.code.unknown"],
          }),
        },
        { type: "recordStep", params: { step: "follow_code_advice", result: "advised" } },
      ],
      always: "confirmFixed",
    },
    suggestResign: {
      entry: [
        { type: "say", params: { key: "card_declined.allCardsFix" } },
        { type: "recordStep", params: { step: "sign_in_and_restart", result: "advised" } },
      ],
      always: "confirmFixed",
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
    escalateRisk: {
      type: "final",
      entry: { type: "say", params: { key: "card_declined.riskStop" } },
      output: () => escalated("policy", "high"),
    },
    escalateConfig: {
      type: "final",
      entry: { type: "say", params: { key: "card_declined.configIssue" } },
      output: () => escalated("policy", "normal"),
    },
  },
});
