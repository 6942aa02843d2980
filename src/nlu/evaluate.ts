/**
 * Measuring understanding: per-label precision, recall and F1, macro-F1 and the confusion matrix from
 * (expected, predicted) pairs; stratified k-fold cross-validation over the training phrases; throughput.
 * Everything here is deterministic (a seeded shuffle) so that two runs over the same files agree.
 */

import type { IntentId, Locale } from "../domain/intents.js";
import { seededRandom } from "../seeded-random.js";
import type { Ranked } from "./classifier.js";
import { trainNlu } from "./model.js";
import { type LabelledExample, type OodExample, uniquePhrases } from "./training.js";

export interface Outcome<L extends string = IntentId> {
  expected: L;
  predicted: L;
}

export interface Guess {
  intent: IntentId;
  confidence: number;
  /** Every intent, most likely first, before a guess too unsure becomes none (posdesk gives it). */
  ranking?: readonly Ranked[];
}

/** One classified message of an evaluation. */
export interface Prediction extends Outcome {
  text: string;
  locale: Locale;
  confidence: number;
  /** The two best guesses, before a guess too unsure becomes none; the prediction itself when not known. */
  candidates: Ranked[];
}

/** A trained classifier under evaluation; the peer's is asynchronous. */
export type Predict = (example: LabelledExample) => Guess | Promise<Guess>;
export type Train = (examples: LabelledExample[]) => Predict | Promise<Predict>;

export interface LabelScore<L extends string = IntentId> {
  label: L;
  precision: number;
  recall: number;
  f1: number;
  /** How many messages carry this label. */
  support: number;
  /** How many messages were given this label. */
  predicted: number;
}

export interface Metrics<L extends string = IntentId> {
  total: number;
  correct: number;
  accuracy: number;
  /** Mean F1 over the labels that occur among the expected or the predicted ones. */
  macroF1: number;
  perLabel: LabelScore<L>[];
  labels: L[];
  /** `confusion[i][j]`: messages expected as `labels[i]` and predicted as `labels[j]`. */
  confusion: number[][];
}

export function metrics<L extends string>(outcomes: readonly Outcome<L>[], labels: readonly L[]): Metrics<L> {
  const index = new Map(labels.map((label, i) => [label, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  for (const { expected, predicted } of outcomes) {
    const row = confusion[index.get(expected) ?? -1];
    const column = index.get(predicted);
    if (!row || column === undefined) throw new Error(`unknown label in (${expected}, ${predicted})`);
    row[column] = (row[column] ?? 0) + 1;
    if (expected === predicted) correct++;
  }
  const perLabel = labels.map((label, i) => {
    const hits = confusion[i]?.[i] ?? 0;
    const support = sum(confusion[i] ?? []);
    const predicted = sum(confusion.map((row) => row[i] ?? 0));
    const precision = predicted === 0 ? 0 : hits / predicted;
    const recall = support === 0 ? 0 : hits / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support, predicted };
  });
  const present = perLabel.filter((s) => s.support > 0 || s.predicted > 0);
  return {
    total: outcomes.length,
    correct,
    accuracy: outcomes.length === 0 ? 0 : correct / outcomes.length,
    macroF1: present.length === 0 ? 0 : sum(present.map((s) => s.f1)) / present.length,
    perLabel,
    labels: [...labels],
    confusion,
  };
}

export interface Fold<T> {
  train: T[];
  test: T[];
}

/** The seed of every shuffle `posdesk eval` makes, so that its folds are the same from run to run. */
export const SEED = 20240617;

/**
 * `k` folds where each stratum (an intent, say) is spread as evenly as it can be: the items of each stratum
 * are shuffled with a seeded generator and dealt round-robin, continuing across strata.
 */
export function stratifiedFolds<T>(
  items: readonly T[],
  k: number,
  stratum: (item: T) => string,
  seed = SEED,
): Fold<T>[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be an integer of at least 2, not ${k}`);
  const strata = new Map<string, T[]>();
  for (const item of items) {
    const key = stratum(item);
    strata.set(key, [...(strata.get(key) ?? []), item]);
  }
  const random = seededRandom(seed);
  const buckets: T[][] = Array.from({ length: k }, () => []);
  let dealt = 0;
  for (const key of [...strata.keys()].sort()) {
    for (const item of shuffle(strata.get(key) ?? [], random)) buckets[dealt++ % k]?.push(item);
  }
  return buckets.map((test, i) => ({ test, train: buckets.filter((_, j) => j !== i).flat() }));
}

export async function predictAll(
  predict: Predict,
  examples: readonly LabelledExample[],
): Promise<Prediction[]> {
  const predictions: Prediction[] = [];
  for (const example of examples) {
    const { intent, confidence, ranking } = await predict(example);
    const { text, locale, intent: expected } = example;
    const candidates = ranking?.slice(0, 2) ?? [{ intent, confidence }];
    predictions.push({ text, locale, expected, predicted: intent, confidence, candidates });
  }
  return predictions;
}

/** Stratified (by intent and language) k-fold cross-validation: every phrase is predicted exactly once. */
export async function crossValidate(
  train: Train,
  examples: readonly LabelledExample[],
  k: number,
  seed = SEED,
): Promise<Prediction[]> {
  const folds = stratifiedFolds(uniquePhrases(examples), k, (e) => `${e.intent}/${e.locale}`, seed);
  const predictions: Prediction[] = [];
  for (const fold of folds) predictions.push(...(await predictAll(await train(fold.train), fold.test)));
  return predictions;
}

/** posdesk's own training path, as `loadNlu` runs it; at another minimum confidence when given one. */
export function posdeskAt(minConfidence?: number): Train {
  return (examples) => {
    const nlu = trainNlu({ examples, fingerprint: "evaluation" }, minConfidence);
    return (example) => nlu.understand(example.text);
  };
}

export const trainPosdesk: Train = posdeskAt();

/** The out-of-domain set as labelled examples: none, or the greeting or goodbye small talk must be. */
export function oodExamples(set: readonly OodExample[]): LabelledExample[] {
  return set.map(({ text, locale, intent }) => ({ text, locale, intent }));
}

/**
 * Messages classified per second, one after another on this thread: a warm-up pass, then the best of a few
 * timed rounds (the best, because anything else running on the machine only ever slows a round down).
 */
export async function throughput(
  predict: Predict,
  examples: readonly LabelledExample[],
  { rounds = 5, roundMilliseconds = 300 } = {},
): Promise<number> {
  if (examples.length === 0) return 0;
  const pass = async () => {
    for (const example of examples) {
      const guess = predict(example);
      if (guess instanceof Promise) await guess;
    }
  };
  await pass();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let messages = 0;
    const start = performance.now();
    do {
      await pass();
      messages += examples.length;
    } while (performance.now() - start < roundMilliseconds);
    best = Math.max(best, messages / ((performance.now() - start) / 1000));
  }
  return best;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
