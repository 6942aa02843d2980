/**
 * printer_problem: no slip, a blank or faint slip, a jam or a "paper out" message. The symptom decides the
 * printer fix; when it happened during a sale the sale itself may have gone through, so the merchant checks
 * the transaction list and reprints the last slip instead of charging the customer again.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

/** The `isSymptom` guard: the merchant reported `symptom`. */
const isSymptom = (symptom: string) => ({ type: "isSymptom", params: { symptom } }) as const;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    // An amount in the first message ("刷了300块 小票没出来") means a sale was under way.
    hasSaleAmount: ({ context }) => context.facts.amount !== undefined,
    isSymptom: ({ context }, params: { symptom: string }) => context.facts.symptom === params.symptom,
    isDuringSale: ({ context }) => context.facts.duringSale === true,
  },
  actions: kit.commonActions,
}).createMachine({
  id: "printer_problem",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "askSymptom",
  states: {
    askSymptom: {
      entry: kit.ask(
        "printer_problem.askSymptom",
        ["paper_out", "paper_jam", "blank_slip", "not_printing"],
        undefined,
        { hint: true },
      ),
      on: {
        ANSWER: [
          { guard: kit.isOption("paper_out"), actions: kit.recordOption("symptom"), target: "triageSale" },
          { guard: kit.isOption("paper_jam"), actions: kit.recordOption("symptom"), target: "triageSale" },
          { guard: kit.isOption("blank_slip"), actions: kit.recordOption("symptom"), target: "triageSale" },
          { guard: kit.isOption("not_printing"), actions: kit.recordOption("symptom"), target: "triageSale" },
          kit.ifUnknown("triageSale", "symptom"),
          kit.reask("askSymptom"),
        ],
      },
    },
    triageSale: {
      always: [
        { guard: "hasSaleAmount", actions: kit.setFact("duringSale", true), target: "suggestFix" },
        { target: "askDuringSale" },
      ],
    },
    askDuringSale: {
      entry: kit.ask("printer_problem.askDuringSale", ["during_sale", "no_sale"]),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("during_sale"),
            actions: kit.setFact("duringSale", true),
            target: "suggestFix",
          },
          { guard: kit.isOption("no_sale"), actions: kit.setFact("duringSale", false), target: "suggestFix" },
          { guard: "isYes", actions: kit.setFact("duringSale", true), target: "suggestFix" },
          { guard: "isNo", actions: kit.setFact("duringSale", false), target: "suggestFix" },
          // Not sure: treated as during a sale, so the merchant checks the list before printing again.
          { guard: "isDontKnow", actions: kit.setFact("duringSale", true), target: "suggestFix" },
          kit.reask("askDuringSale"),
        ],
      },
    },
    suggestFix: {
      always: [
        { guard: isSymptom("paper_out"), target: "suggestReload" },
        { guard: isSymptom("paper_jam"), target: "suggestClearJam" },
        { guard: isSymptom("blank_slip"), target: "suggestFlipRoll" },
        { target: "suggestCharge" },
      ],
    },
    suggestReload: kit.adviseThen("afterFix", "printer_problem.reloadFix", "reload_paper_close_lid"),
    suggestClearJam: kit.adviseThen("afterFix", "printer_problem.jamFix", "clear_jam"),
    suggestFlipRoll: kit.adviseThen("afterFix", "printer_problem.flipRollFix", "flip_roll"),
    suggestCharge: kit.adviseThen("afterFix", "printer_problem.chargeFix", "charge_battery"),
    afterFix: {
      always: [{ guard: "isDuringSale", target: "suggestCheckList" }, { target: "confirmFixed" }],
    },
    suggestCheckList: kit.advise("printer_problem.checkListFirst", "check_list_then_reprint"),
    confirmFixed: kit.confirmFixed(),
    resolved: kit.resolvedState(),
    escalate: kit.escalateState(),
  },
});
