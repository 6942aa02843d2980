/** The paragraph an agent reads in ten seconds, in the agent's language, from what the bot learnt. */
import type { Facts, Step } from "../../flows/kit.js";
import type { HandoffReason } from "../domain/handoff.js";
import type { IntentId, Locale } from "../domain/intents.js";
import { has, t } from "../i18n.js";

export interface SummaryInput {
  intent: IntentId;
  flow: string | null;
  reason: HandoffReason;
  facts: Facts;
  stepsTried: Step[];
}

function firstKey(locale: Locale, keys: string[]): string | undefined {
  return keys.find((k) => has(locale, k));
}

function factLabel(locale: Locale, flow: string | null, fact: string): string {
  return t(locale, firstKey(locale, [`${flow}.facts.${fact}`, `engine.facts.${fact}`]) ?? fact);
}

function factValue(locale: Locale, flow: string | null, fact: string, value: Facts[string]): string {
  if (typeof value === "boolean") return t(locale, value ? "engine.values.true" : "engine.values.false");
  const key = firstKey(locale, [
    `${flow}.options.${value}`,
    `engine.values.${fact}.${value}`,
    `common.options.${value}`,
  ]);
  return key ? t(locale, key) : String(value);
}

export function summarize(locale: Locale, input: SummaryInput): string {
  const { intent, flow, reason, facts, stepsTried } = input;
  const separator = t(locale, "engine.summary.separator");
  const factText = Object.entries(facts)
    .map(([fact, value]) => `${factLabel(locale, flow, fact)}: ${factValue(locale, flow, fact, value)}`)
    .join(separator);
  const stepText = stepsTried
    .map(({ step, result }) => {
      const label = firstKey(locale, [`${flow}.steps.${step}`]);
      return `${label ? t(locale, label) : step} (${t(locale, `engine.results.${result}`)})`;
    })
    .join(separator);
  return [
    t(locale, "engine.summary.topic", { topic: t(locale, `topics.${intent}`) }),
    factText ? t(locale, "engine.summary.facts", { facts: factText }) : t(locale, "engine.summary.noFacts"),
    stepText ? t(locale, "engine.summary.steps", { steps: stepText }) : t(locale, "engine.summary.noSteps"),
    t(locale, `engine.summary.reason.${reason}`),
  ].join(" ");
}
