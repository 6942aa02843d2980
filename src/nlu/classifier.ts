/**
 * Intent classifier: natural's Bayes model, trained on feature tokens from `intents/`, scored as a
 * multinomial naive Bayes over the model's own tables. Scoring is done in log space (natural multiplies raw
 * probabilities, which underflow to zero on long messages) and only over features seen in training.
 * Confidence is the posterior, tempered so that it can be thresholded, times the share of the message the
 * model recognised at all.
 */
import BayesClassifier, { type BayesTables } from "natural/lib/natural/classifiers/bayes_classifier.js";
import type { IntentId } from "./intents.js";
import { CHAR_GRAM } from "./tokenize.js";

export interface Ranked {
  intent: IntentId;
  confidence: number;
}

export interface Classification {
  intent: IntentId;
  confidence: number;
  /** Every intent, most likely first. */
  ranking: Ranked[];
}

export interface TrainingDocument {
  tokens: string[];
  intent: IntentId;
}

// Chosen by stratified 5-fold cross-validation over the training phrases (`posdesk eval`), then confirmed
// on the held-out test file. The pseudo-count of a feature a class has never seen:
const SMOOTHING = 0.3;
// Log-likelihoods are averaged per feature and sharpened so that a clear message scores 0.8+.
const SHARPNESS = 5;
// The posterior is damped by the share of the message's features the model has seen at all.
const COVERAGE_WEIGHT = 1;
// A misspelt word still shares its character trigrams with the right one: a hint, worth less than a word.
const CHAR_GRAM_WEIGHT = 0.5;

export class IntentClassifier {
  private readonly labels: IntentId[];
  /**
   * For each feature seen in training, its weighted log-likelihood under every intent, in `labels` order:
   * weight × (log(count or smoothing) − log(Σ counts of the intent + smoothing × vocabulary size)).
   * Scoring a message is then a sum of a few rows.
   */
  private readonly rows = new Map<string, { weight: number; logLikelihoods: Float64Array }>();
  private readonly logPriors: Float64Array;

  private constructor(private readonly tables: BayesTables) {
    this.labels = Object.keys(tables.classFeatures) as IntentId[];
    const features = this.labels.map((label) => tables.classFeatures[label] ?? {});
    const vocabulary = new Set(features.flatMap((f) => Object.keys(f)));
    this.logPriors = Float64Array.from(this.labels, (l) =>
      Math.log((tables.classTotals[l] ?? 1) / tables.totalExamples),
    );
    const logTotals = features.map((f) => {
      // natural stores a feature's first sighting as 1 + smoothing: take the smoothing back out.
      const seen = Object.values(f).reduce((sum, count) => sum + count - tables.smoothing, 0);
      return Math.log(seen + tables.smoothing * vocabulary.size);
    });
    const logSmoothing = Math.log(tables.smoothing);
    for (const token of vocabulary) {
      const weight = token.startsWith(CHAR_GRAM) ? CHAR_GRAM_WEIGHT : 1;
      const logLikelihoods = Float64Array.from(features, (f, i) => {
        const count = Object.hasOwn(f, token) ? f[token] : undefined;
        return weight * ((count === undefined ? logSmoothing : Math.log(count)) - (logTotals[i] ?? 0));
      });
      this.rows.set(token, { weight, logLikelihoods });
    }
  }

  static train(documents: Iterable<TrainingDocument>): IntentClassifier {
    const bayes = new BayesClassifier(undefined, SMOOTHING);
    const tables = bayes.classifier;
    for (const { tokens, intent } of documents) {
      // natural keeps counts in plain objects: a token named like an Object method ("constructor") would
      // read the method as a count.
      const unique = [...new Set(tokens)].filter((t) => !(t in Object.prototype));
      if (unique.length === 0) continue;
      tables.addExample({ ...unique }, intent);
      // natural counts examples only for dense (array) observations; these are sparse, so count them here,
      // the way natural does (one extra per class and overall, for smoothing).
      tables.classTotals[intent] = (tables.classTotals[intent] ?? 1) + 1;
      tables.totalExamples += 1;
    }
    return new IntentClassifier(tables);
  }

  static fromJSON(json: unknown): IntentClassifier {
    const restored = BayesClassifier.restore({ classifier: json, docs: [], features: {} });
    return new IntentClassifier(restored.classifier);
  }

  toJSON(): unknown {
    const { classFeatures, classTotals, totalExamples, smoothing } = this.tables;
    return { classFeatures, classTotals, totalExamples, smoothing };
  }

  get intents(): readonly IntentId[] {
    return this.labels;
  }

  classify(tokens: string[]): Classification {
    const unique = new Set(tokens);
    const scores = Float64Array.from(this.logPriors);
    let known = 0;
    let weight = 0;
    for (const token of unique) {
      const row = this.rows.get(token);
      if (!row) continue;
      known++;
      weight += row.weight;
      for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] ?? 0) + (row.logLikelihoods[i] ?? 0);
    }
    const coverage = unique.size === 0 ? 0 : known / unique.size;
    const temper = SHARPNESS / Math.max(weight, 1);
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = (scores[i] ?? 0) * temper;
      max = Math.max(max, scores[i] ?? 0);
    }
    let sum = 0;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = Math.exp((scores[i] ?? 0) - max);
      sum += scores[i] ?? 0;
    }
    const damping = coverage ** COVERAGE_WEIGHT;
    const ranking = this.labels
      .map((intent, i) => ({ intent, confidence: ((scores[i] ?? 0) / sum) * damping }))
      .sort((a, b) => b.confidence - a.confidence);
    const top = ranking[0] ?? { intent: "none" as IntentId, confidence: 0 };
    return { intent: top.intent, confidence: top.confidence, ranking };
  }
}
