/**
 * network_failure: 通讯失败 / 连接超时. A failure in the middle of a sale first gets the warning to check for
 * a debit or a reversal before charging again. Then the connection decides the fix: on a SIM the signal tells
 * a bad spot from a SIM out of data or expired; on Wi-Fi the other devices tell a router that is down from a
 * terminal that lost its Wi-Fi. Every fix ends by switching network; what still fails goes to a person.
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
    // An amount or a timeout code (68, 98, 96…) in the first message means a sale was under way.
    hasSaleInProgress: ({ context }) =>
      context.facts.amount !== undefined || codeClass(String(context.facts.responseCode ?? "")) === "network",
  },
  actions: commonActions,
}).createMachine({
  id: "network_failure",
  context: initialContext,
  output: outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        {
          guard: "hasSaleInProgress",
          actions: { type: "setFact", params: { fact: "midSale", value: true } },
          target: "warnCheckDebit",
        },
        { target: "askMidSale" },
      ],
    },
    askMidSale: {
      entry: {
        type: "ask",
        params: { key: "network_failure.askMidSale", options: ["mid_sale", "not_in_sale"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isYesTo", params: { option: "mid_sale" } },
            actions: ["recordAnswerEntities", { type: "setFact", params: { fact: "midSale", value: true } }],
            target: "warnCheckDebit",
          },
          {
            guard: { type: "isNoTo", params: { option: "not_in_sale" } },
            actions: { type: "setFact", params: { fact: "midSale", value: false } },
            target: "askConnection",
          },
          reask("askMidSale"),
        ],
      },
    },
    // Charging again before knowing whether the first attempt debited the card can charge the customer twice.
    warnCheckDebit: {
      entry: [
        { type: "say", params: { key: "network_failure.checkDebitFirst" } },
        { type: "recordStep", params: { step: "check_debit_or_reversal", result: "advised" } },
      ],
      always: "askConnection",
    },
    askConnection: {
      entry: { type: "ask", params: { key: "network_failure.askConnection", options: ["sim", "wifi"] } },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "sim" } },
            actions: { type: "recordOption", params: { fact: "connection" } },
            target: "askSignal",
          },
          {
            guard: { type: "isOption", params: { option: "wifi" } },
            actions: { type: "recordOption", params: { fact: "connection" } },
            target: "askOtherDevices",
          },
          reask("askConnection"),
        ],
      },
    },
    askSignal: {
      entry: {
        type: "ask",
        params: { key: "network_failure.askSignal", options: ["weak_signal", "good_signal"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "weak_signal" } },
            actions: { type: "recordOption", params: { fact: "signal" } },
            target: "suggestBetterSignal",
          },
          {
            guard: { type: "isOption", params: { option: "good_signal" } },
            actions: { type: "recordOption", params: { fact: "signal" } },
            target: "suggestCheckSimData",
          },
          reask("askSignal"),
        ],
      },
    },
    askOtherDevices: {
      entry: {
        type: "ask",
        params: { key: "network_failure.askOtherDevices", options: ["others_online", "others_offline"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isYesTo", params: { option: "others_online" } },
            actions: { type: "setFact", params: { fact: "othersOnline", value: true } },
            target: "suggestReconnectWifi",
          },
          {
            guard: { type: "isNoTo", params: { option: "others_offline" } },
            actions: { type: "setFact", params: { fact: "othersOnline", value: false } },
            target: "suggestRestartRouter",
          },
          reask("askOtherDevices"),
        ],
      },
    },
    suggestBetterSignal: advise(
      "network_failure.weakSignal",
      "reseat_sim_and_move",
      "restart_terminal",
      "switch_network",
    ),
    suggestCheckSimData: advise(
      "network_failure.simData",
      "check_sim_data",
      "restart_terminal",
      "switch_network",
    ),
    suggestRestartRouter: advise("network_failure.routerDown", "restart_router", "switch_network"),
    suggestReconnectWifi: advise(
      "network_failure.reconnectWifi",
      "reconnect_wifi",
      "restart_terminal",
      "switch_network",
    ),
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
    // Signal, SIM and router are fine yet it still fails: host maintenance or the terminal's modem, for a person.
    escalate: {
      type: "final",
      output: () => escalated("unresolved"),
    },
  },
});
