/**
 * terminal_dead: the terminal won't power on, is frozen, shows a black screen or keeps rebooting. The basic
 * checks are the same for all of them (charge 30 minutes with the original charger, long-press power for 10
 * seconds); when they fail, or the terminal was dropped, got wet or has a swollen battery, only a repair or a
 * replacement helps, so the flow learns the serial number and hands over.
 */
import { setup } from "xstate";
import * as kit from "./kit.js";

export const version = 1;

export const machine = setup({
  types: kit.flowTypes,
  guards: {
    ...kit.commonGuards,
    isDamaged: ({ context }) => context.facts.symptom === "damaged",
    isFrozen: ({ context }) => context.facts.symptom === "frozen",
  },
  actions: kit.commonActions,
}).createMachine({
  id: "terminal_dead",
  context: kit.initialContext,
  output: kit.outputOfFinalState,
  initial: "askSymptom",
  states: {
    askSymptom: {
      entry: kit.ask("terminal_dead.askSymptom", ["no_power", "frozen", "reboot_loop", "damaged"]),
      on: {
        ANSWER: [
          // Safety first: a terminal that was dropped, got wet or has a swollen battery must not be charged,
          // whatever else the merchant says about it ("摔坏了开不了机").
          { guard: kit.mentions("damaged"), actions: kit.setFact("symptom", "damaged"), target: "triage" },
          { guard: "answerHasOption", actions: kit.recordOption("symptom"), target: "triage" },
          // Charging first is safe whatever the symptom, short of visible damage.
          kit.ifUnknown("suggestCharge", "symptom"),
          kit.reask("askSymptom"),
        ],
      },
    },
    triage: {
      always: [
        { guard: "isDamaged", target: "warnDamaged" },
        { guard: "isFrozen", target: "suggestForceRestart" },
        { target: "suggestCharge" },
      ],
    },
    suggestCharge: kit.advise("terminal_dead.chargeFix", "charge_30_min", "long_press_power_10s"),
    suggestForceRestart: kit.advise("terminal_dead.forceRestart", "long_press_power_10s", "charge_30_min"),
    confirmFixed: kit.confirmFixed({ ifNot: "prepareRepair" }),
    // A damaged terminal must not be charged or switched on again: no fix to try, straight to a repair.
    warnDamaged: {
      entry: kit.say("terminal_dead.damaged"),
      always: "prepareRepair",
    },
    // A repair ticket needs the serial number: asked unless the merchant already gave it.
    prepareRepair: {
      always: [
        { guard: "isSerialMissing", target: "askSerial" },
        { guard: "isDamaged", target: "escalateDamaged" },
        { target: "escalate" },
      ],
    },
    askSerial: {
      entry: kit.ask("terminal_dead.askSerial", ["unknown"], "serial", { hint: true }),
      on: {
        ANSWER: [
          {
            guard: kit.isOption("unknown"),
            actions: kit.setFact("serialUnknown", true),
            target: "prepareRepair",
          },
          { guard: "answerHasSerial", actions: "recordSerial", target: "prepareRepair" },
          kit.reask("askSerial"),
        ],
      },
    },
    resolved: kit.resolvedState(),
    escalate: kit.escalateState({ say: "terminal_dead.repair" }),
    escalateDamaged: kit.escalateState({ say: "terminal_dead.repair", reason: "policy" }),
  },
});
