/**
 * What the bot learnt, by name in the agent's language: the paragraph an agent reads in ten seconds, and
 * each fact and step named for the console ("返回码 51", "已建议顾客换卡…：未解决").
 */
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

/** The locale keys that may name `fact`, the flow's own first. */
export const factKeys = (flow: string | null, fact: string) => [
  `${flow}.facts.${fact}`,
  `engine.facts.${fact}`,
];
/** The locale key that names `step` of `flow`. */
export const stepKey = (flow: string | null, step: string) => `${flow}.steps.${step}`;

/** A fact's name ("返回码", "Response code"); the key itself when no locale file names it. */
export function factLabel(locale: Locale, flow: string | null, fact: string): string {
  return t(locale, firstKey(locale, factKeys(flow, fact)) ?? fact);
}

/** A fact's value in words: an option's label, a named value, yes/no; as it is otherwise ("51"). */
export function factValue(locale: Locale, flow: string | null, fact: string, value: Facts[string]): string {
  if (typeof value === "boolean") return t(locale, value ? "engine.values.true" : "engine.values.false");
  const key = firstKey(locale, [
    `${flow}.options.${value}`,
    `engine.values.${fact}.${value}`,
    `common.options.${value}`,
  ]);
  return key ? t(locale, key) : String(value);
}

/** A step's name ("已建议顾客换卡或联系发卡行"); the id itself when no locale file names it. */
export function stepLabel(locale: Locale, flow: string | null, step: string): string {
  const key = stepKey(flow, step);
  return has(locale, key) ? t(locale, key) : step;
}

/** A step's result in words ("未解决", "not fixed"). */
export function resultLabel(locale: Locale, result: string): string {
  const key = `engine.results.${result}`;
  return has(locale, key) ? t(locale, key) : result;
}

export interface NamedFact {
  fact: string;
  value: Facts[string];
  name: string;
  valueName: string;
}

export interface NamedStep {
  step: string;
  result: string;
  name: string;
  resultName: string;
}

/** A handoff's facts and steps with their names in `locale`, for the agent console. */
export function named(
  locale: Locale,
  input: { flow: string | null; facts: Facts; stepsTried: { step: string; result: string }[] },
): { facts: NamedFact[]; steps: NamedStep[] } {
  const { flow } = input;
  return {
    facts: Object.entries(input.facts).map(([fact, value]) => ({
      fact,
      value,
      name: factLabel(locale, flow, fact),
      valueName: factValue(locale, flow, fact, value),
    })),
    steps: input.stepsTried.map(({ step, result }) => ({
      step,
      result,
      name: stepLabel(locale, flow, step),
      resultName: resultLabel(locale, result),
    })),
  };
}

export function summarize(locale: Locale, input: SummaryInput): string {
  const { intent, flow, reason, facts, stepsTried } = input;
  const separator = t(locale, "engine.summary.separator");
  const factText = Object.entries(facts)
    .map(([fact, value]) => `${factLabel(locale, flow, fact)}: ${factValue(locale, flow, fact, value)}`)
    .join(separator);
  const stepText = stepsTried
    .map(({ step, result }) => `${stepLabel(locale, flow, step)} (${resultLabel(locale, result)})`)
    .join(separator);
  return [
    t(locale, "engine.summary.topic", { topic: t(locale, `topics.${intent}`) }),
    factText ? t(locale, "engine.summary.facts", { facts: factText }) : t(locale, "engine.summary.noFacts"),
    stepText ? t(locale, "engine.summary.steps", { steps: stepText }) : t(locale, "engine.summary.noSteps"),
    t(locale, `engine.summary.reason.${reason}`),
  ].join(" ");
}
