/**
 * printer_problem: no slip, a blank or faint slip, a jam or a "paper out" message. The symptom decides the
 * printer fix; when it happened during a sale the sale itself may have gone through, so the merchant checks
 * the transaction list and reprints the last slip instead of charging the customer again.
 */
import { setup } from "xstate";
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

export const machine = setup({
  types: flowTypes,
  guards: {
    ...commonGuards,
    // An amount in the first message ("刷了300块 小票没出来") means a sale was under way.
    hasSaleAmount: ({ context }) => context.facts.amount !== undefined,
    isSymptom: ({ context }, params: { symptom: string }) => context.facts.symptom === params.symptom,
    isDuringSale: ({ context }) => context.facts.duringSale === true,
  },
  actions: {
    ...commonActions,
  },
}).createMachine({
  id: "printer_problem",
  context: initialContext,
  output: outputOfFinalState,
  initial: "askSymptom",
  states: {
    askSymptom: {
      entry: {
        type: "ask",
        params: {
          key: "printer_problem.askSymptom",
          options: ["paper_out", "paper_jam", "blank_slip", "not_printing"],
        },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "paper_out" } },
            actions: { type: "recordOption", params: { fact: "symptom" } },
            target: "triageSale",
          },
          {
            guard: { type: "isOption", params: { option: "paper_jam" } },
            actions: { type: "recordOption", params: { fact: "symptom" } },
            target: "triageSale",
          },
          {
            guard: { type: "isOption", params: { option: "blank_slip" } },
            actions: { type: "recordOption", params: { fact: "symptom" } },
            target: "triageSale",
          },
          {
            guard: { type: "isOption", params: { option: "not_printing" } },
            actions: { type: "recordOption", params: { fact: "symptom" } },
            target: "triageSale",
          },
          {
            target: "askSymptom",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    triageSale: {
      always: [
        {
          guard: "hasSaleAmount",
          actions: { type: "setFact", params: { fact: "duringSale", value: true } },
          target: "suggestFix",
        },
        { target: "askDuringSale" },
      ],
    },
    askDuringSale: {
      entry: {
        type: "ask",
        params: { key: "printer_problem.askDuringSale", options: ["during_sale", "no_sale"] },
      },
      on: {
        ANSWER: [
          {
            guard: { type: "isOption", params: { option: "during_sale" } },
            actions: { type: "setFact", params: { fact: "duringSale", value: true } },
            target: "suggestFix",
          },
          {
            guard: { type: "isOption", params: { option: "no_sale" } },
            actions: { type: "setFact", params: { fact: "duringSale", value: false } },
            target: "suggestFix",
          },
          {
            guard: "isYes",
            actions: { type: "setFact", params: { fact: "duringSale", value: true } },
            target: "suggestFix",
          },
          {
            guard: "isNo",
            actions: { type: "setFact", params: { fact: "duringSale", value: false } },
            target: "suggestFix",
          },
          {
            target: "askDuringSale",
            reenter: true,
            actions: { type: "say", params: { key: "common.notUnderstood" } },
          },
        ],
      },
    },
    suggestFix: {
      always: [
        { guard: { type: "isSymptom", params: { symptom: "paper_out" } }, target: "suggestReload" },
        { guard: { type: "isSymptom", params: { symptom: "paper_jam" } }, target: "suggestClearJam" },
        { guard: { type: "isSymptom", params: { symptom: "blank_slip" } }, target: "suggestFlipRoll" },
        { target: "suggestCharge" },
      ],
    },
    suggestReload: {
      entry: [
        { type: "say", params: { key: "printer_problem.reloadFix" } },
        { type: "recordStep", params: { step: "reload_paper_close_lid", result: "advised" } },
      ],
      always: "afterFix",
    },
    suggestClearJam: {
      entry: [
        { type: "say", params: { key: "printer_problem.jamFix" } },
        { type: "recordStep", params: { step: "clear_jam", result: "advised" } },
      ],
      always: "afterFix",
    },
    suggestFlipRoll: {
      entry: [
        { type: "say", params: { key: "printer_problem.flipRollFix" } },
        { type: "recordStep", params: { step: "flip_roll", result: "advised" } },
      ],
      always: "afterFix",
    },
    suggestCharge: {
      entry: [
        { type: "say", params: { key: "printer_problem.chargeFix" } },
        { type: "recordStep", params: { step: "charge_battery", result: "advised" } },
      ],
      always: "afterFix",
    },
    afterFix: {
      always: [{ guard: "isDuringSale", target: "suggestCheckList" }, { target: "confirmFixed" }],
    },
    suggestCheckList: {
      entry: [
        { type: "say", params: { key: "printer_problem.checkListFirst" } },
        { type: "recordStep", params: { step: "check_list_then_reprint", result: "advised" } },
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
  },
});
