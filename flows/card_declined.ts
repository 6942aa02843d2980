/**
 * card_declined: a card payment was refused. The response code decides who must act: risk codes stop the
 * sale and go to a person at once, configuration codes go to the acquirer, cardholder codes give the
 * merchant words for the customer, the rest get the fix the domain facts give for that code.
 */
import { setup } from "xstate";
import { codeClass } from "../src/domain/codes.js";
import * as kit from "./kit.js";

export const version = 1;

const code = (facts: { responseCode?: unknown }) => String(facts.responseCode ?? "");

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isRiskCode: ({ context }) => codeClass(code(context.facts)) === "risk",
    isConfigCode: ({ context }) => codeClass(code(context.facts)) === "config",
    isCardholderCode: ({ context }) => codeClass(code(context.facts)) === "card",
    isAllCards: ({ context }) => context.facts.scope === "all_cards",
  },
  actions: {
    ...kit.commonActions,
    explainCode: kit.commonActions.say,
  },
}).createMachine({
  id: "card_declined",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
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
      entry: kit.ask("card_declined.askCode", ["no_code"], "code", { hint: true }),
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "triage" },
          { guard: kit.isOption("no_code"), target: "askScope" },
          { guard: "isNo", target: "askScope" },
          kit.ifUnknown("askScope"),
          kit.reask("askResponseCode"),
        ],
      },
    },
    askScope: {
      entry: kit.ask("card_declined.askScope", ["one_card", "all_cards"]),
      on: {
        ANSWER: [
          { guard: "answerHasCode", actions: "recordAnswerEntities", target: "triage" },
          { guard: kit.isOption("one_card"), actions: kit.recordOption("scope"), target: "adviseCardholder" },
          { guard: kit.isOption("all_cards"), actions: kit.recordOption("scope"), target: "suggestResign" },
          // Not knowing whether other cards pass: the cardholder advice starts with trying another card.
          kit.ifUnknown("adviseCardholder", "scope"),
          kit.reask("askScope"),
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
        kit.advised("tell_customer_use_another_card"),
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
        kit.advised("follow_code_advice"),
      ],
      always: "confirmFixed",
    },
    suggestResign: kit.advise("card_declined.allCardsFix", "sign_in_and_restart"),
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
    escalateRisk: kit.escalateState({ say: "card_declined.riskStop", reason: "policy", priority: "high" }),
    escalateConfig: kit.escalateState({ say: "card_declined.configIssue", reason: "policy" }),
  },
});
