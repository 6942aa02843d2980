/**
 * The NLU model at start-up: trained from `intents/`, or loaded from a cached model when the training
 * files have not changed since it was built (the cache is keyed by a hash of every training file).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { maskCardNumbers } from "../domain/redact.js";
import { ROOT } from "../paths.js";
import { IntentClassifier } from "./classifier.js";
import { features, Nlu } from "./index.js";
import { loadTrainingSet, type TrainingSet, uniquePhrases } from "./training.js";

export const CACHE_DIR = process.env.POSDESK_CACHE_DIR || join(ROOT, "node_modules", ".cache", "posdesk");
const MODEL_FORMAT = 4;

export interface LoadedModel {
  nlu: Nlu;
  fingerprint: string;
  fromCache: boolean;
}

export function trainNlu(set: TrainingSet, minConfidence?: number): Nlu {
  // A phrase listed twice would weigh twice; cross-validation (`posdesk eval`) trains the same way.
  const documents = uniquePhrases(set.examples).map((e) => ({
    tokens: features(maskCardNumbers(e.text)).tokens,
    intent: e.intent,
    group: e.group,
  }));
  return new Nlu(IntentClassifier.train(documents), minConfidence);
}

export function loadNlu(options: { cache?: boolean; set?: TrainingSet } = {}): LoadedModel {
  const set = options.set ?? loadTrainingSet();
  const file = join(CACHE_DIR, `model-${MODEL_FORMAT}-${set.fingerprint}.json`);
  if (options.cache !== false) {
    try {
      const nlu = new Nlu(IntentClassifier.fromJSON(JSON.parse(readFileSync(file, "utf8"))));
      return { nlu, fingerprint: set.fingerprint, fromCache: true };
    } catch {
      // No cached model for these training files yet: train one below.
    }
  }
  const nlu = trainNlu(set);
  if (options.cache !== false) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Unique per writer: worker threads share a pid, and two writers must never share a temporary file.
      const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, JSON.stringify(nlu.classifier.toJSON()));
      renameSync(tmp, file);
    } catch {
      // A read-only install still works; it just trains at every start.
    }
  }
  return { nlu, fingerprint: set.fingerprint, fromCache: false };
}
