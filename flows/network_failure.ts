/**
 * network_failure: 通讯失败 / 连接超时. A failure in the middle of a sale first gets the warning to check for
 * a debit or a reversal before charging again. Then the connection decides the fix: on a SIM the signal tells
 * a bad spot from a SIM out of data or expired; on Wi-Fi the other devices tell a router that is down from a
 * terminal that lost its Wi-Fi. Every fix ends by switching network; what still fails goes to a person.
 */
import { setup } from "xstate";
import { codeClass } from "../src/domain/codes.js";
import * as kit from "./kit.js";

export const version = 1;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    // An amount or a timeout code (68, 98, 96…) in the first message means a sale was under way.
    hasSaleInProgress: ({ context }) =>
      context.facts.amount !== undefined || codeClass(String(context.facts.responseCode ?? "")) === "network",
  },
  actions: kit.commonActions,
}).createMachine({
  id: "network_failure",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "triage",
  states: {
    triage: {
      always: [
        { guard: "hasSaleInProgress", actions: kit.setFact("midSale", true), target: "warnCheckDebit" },
        { target: "askMidSale" },
      ],
    },
    askMidSale: {
      entry: kit.ask("network_failure.askMidSale", ["mid_sale", "not_in_sale"]),
      on: {
        ANSWER: [
          {
            guard: kit.isYesTo("mid_sale"),
            actions: ["recordAnswerEntities", kit.setFact("midSale", true)],
            target: "warnCheckDebit",
          },
          {
            guard: kit.isNoTo("not_in_sale"),
            actions: kit.setFact("midSale", false),
            target: "askConnection",
          },
          // Not sure whether a sale was under way: check the customer was not charged, to be safe.
          kit.ifUnknown("warnCheckDebit", "midSale"),
          kit.reask("askMidSale"),
        ],
      },
    },
    // Charging again before knowing whether the first attempt debited the card can charge the customer twice.
    warnCheckDebit: kit.adviseThen(
      "askConnection",
      "network_failure.checkDebitFirst",
      "check_debit_or_reversal",
    ),
    askConnection: {
      entry: kit.ask("network_failure.askConnection", ["sim", "wifi"], undefined, { hint: true }),
      on: {
        ANSWER: [
          { guard: kit.isOption("sim"), actions: kit.recordOption("connection"), target: "askSignal" },
          { guard: kit.isOption("wifi"), actions: kit.recordOption("connection"), target: "askOtherDevices" },
          // The generic fix (reseat, move, restart, switch network) fits either connection.
          kit.ifUnknown("suggestBetterSignal", "connection"),
          kit.reask("askConnection"),
        ],
      },
    },
    askSignal: {
      entry: kit.ask("network_failure.askSignal", ["weak_signal", "good_signal"], undefined, { hint: true }),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("weak_signal"),
            actions: kit.recordOption("signal"),
            target: "suggestBetterSignal",
          },
          {
            guard: kit.isOption("good_signal"),
            actions: kit.recordOption("signal"),
            target: "suggestCheckSimData",
          },
          kit.ifUnknown("suggestBetterSignal", "signal"),
          kit.reask("askSignal"),
        ],
      },
    },
    askOtherDevices: {
      entry: kit.ask("network_failure.askOtherDevices", ["others_online", "others_offline"]),
      on: {
        ANSWER: [
          {
            guard: kit.isYesTo("others_online"),
            actions: kit.setFact("othersOnline", true),
            target: "suggestReconnectWifi",
          },
          {
            guard: kit.isNoTo("others_offline"),
            actions: kit.setFact("othersOnline", false),
            target: "suggestRestartRouter",
          },
          kit.ifUnknown("suggestReconnectWifi", "othersOnline"),
          kit.reask("askOtherDevices"),
        ],
      },
    },
    suggestBetterSignal: kit.advise(
      "network_failure.weakSignal",
      "reseat_sim_and_move",
      "restart_terminal",
      "switch_network",
    ),
    suggestCheckSimData: kit.advise(
      "network_failure.simData",
      "check_sim_data",
      "restart_terminal",
      "switch_network",
    ),
    suggestRestartRouter: kit.advise("network_failure.routerDown", "restart_router", "switch_network"),
    suggestReconnectWifi: kit.advise(
      "network_failure.reconnectWifi",
      "reconnect_wifi",
      "restart_terminal",
      "switch_network",
    ),
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    // Signal, SIM and router are fine yet it still fails: host maintenance or the terminal's modem, for a person.
    escalate: kit.escalateState(),
  },
});
