/**
 * Intent classifier: natural's Bayes model, trained on feature tokens from `intents/`, scored as a
 * multinomial naive Bayes over the model's own tables. Scoring is done in log space (natural multiplies raw
 * probabilities, which underflow to zero on long messages). Confidence is the posterior, tempered so that it
 * can be thresholded, times the share of the message the model recognised at all.
 *
 * Two things keep messages outside POS support out of the troubleshooting intents:
 * - an intent may be learnt as several groups (`none`: travel, cars, consumer banking, ...), each a class of
 *   its own, and is as likely as its groups together;
 * - a word the model has never seen is evidence too: an intent that often meets new words (`none`) is more
 *   likely to have written it than one that repeats a small vocabulary (Good-Turing).
 */
import BayesClassifier, { type BayesTables } from "natural/lib/natural/classifiers/bayes_classifier.js";
import type { IntentId } from "../domain/intents.js";
import { CHAR_GRAM, isPair } from "./tokenize.js";

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
  /** A part of an intent that covers several unrelated things (none: travel, cars, ...), learnt apart. */
  group?: string | undefined;
}

/** Per intent, the log-probability that its next token is one it has never used (words, character grams). */
interface UnseenMass {
  word: Record<string, number>;
  gram: Record<string, number>;
}

// Checked by stratified 5-fold cross-validation over the training phrases (`posdesk eval`) and on the held-out
// test file and out-of-domain set. The pseudo-count of a feature a class has never seen:
const SMOOTHING = 0.1;
// Log-likelihoods are averaged per feature and sharpened so that a clear message scores 0.8+.
const SHARPNESS = 5;
// The posterior is damped by the share of the message's features the model has seen at all.
const COVERAGE_WEIGHT = 1;
// A misspelt word still shares its character trigrams with the right one: a hint, worth less than a word.
const CHAR_GRAM_WEIGHT = 0.5;
// How much a never-seen word counts, against a seen one.
const UNSEEN_WEIGHT = 1;
/** A row's weight, last call and length come before its (class, excess) pairs. */
const ROW_HEADER = 3;
/** The model's own classes: an intent, or a group of one ("none/cars"). */
const GROUP_SEPARATOR = "/";

export class IntentClassifier {
  private readonly labels: IntentId[];
  /** The model's classes, in the order of every row: intents, and groups of intents. */
  private readonly classes: string[];
  /** For each class, the index of its intent in `labels`. */
  private readonly intentOf: Int32Array;
  /**
   * A feature's log-likelihood under a class is log(count or smoothing) − log(Σ counts of the class +
   * smoothing × vocabulary size), times the feature's weight. Most features were seen by a few classes only,
   * so each row keeps just those, as the excess over the floor (log(count) − log(smoothing), weighted); the
   * floor itself is the same for every feature of a class (`floors`). Scoring a message is then a few sparse
   * rows and one multiplication per class, however many classes the intents are learnt in.
   *
   * The rows lie end to end in one array, each as [weight, the call that last used it, length, then (class,
   * excess) pairs], and `rows` gives where each starts: a message's lookups touch a few short stretches of
   * memory instead of an object and two arrays per token.
   */
  private readonly rows = new Map<string, number>();
  private readonly table: Float64Array;
  /** Calls to classify so far, to mark the rows a message has used. */
  private calls = 0;
  /** Per class: log(smoothing) − log(Σ counts + smoothing × vocabulary size). */
  private readonly floors: Float64Array;
  private readonly logPriors: Float64Array;
  /** What a never-seen word, or character gram, adds to each class's score. */
  private readonly unseenWord: Float64Array;
  private readonly unseenGram: Float64Array;
  /** Per-call scratch: the class scores, the intents' shares, the unknown tokens seen. */
  private readonly scores: Float64Array;
  private readonly byIntent: Float64Array;
  /** Per-call scratch: the intents' indices, most likely first. */
  private readonly order: Int32Array;
  private readonly unknown = new Set<string>();

  private constructor(
    private readonly tables: BayesTables,
    private readonly unseen: UnseenMass,
  ) {
    this.classes = Object.keys(tables.classFeatures);
    this.labels = [...new Set(this.classes.map(intentOfClass))];
    this.intentOf = Int32Array.from(this.classes, (c) => this.labels.indexOf(intentOfClass(c)));
    const features = this.classes.map((label) => tables.classFeatures[label] ?? {});
    const vocabulary = new Set(features.flatMap((f) => Object.keys(f)));
    this.logPriors = Float64Array.from(this.classes, (c) =>
      Math.log((tables.classTotals[c] ?? 1) / tables.totalExamples),
    );
    const logTotals = features.map((f) => {
      // natural stores a feature's first sighting as 1 + smoothing: take the smoothing back out.
      const seen = Object.values(f).reduce((sum, count) => sum + count - tables.smoothing, 0);
      return Math.log(seen + tables.smoothing * vocabulary.size);
    });
    const logSmoothing = Math.log(tables.smoothing);
    this.floors = Float64Array.from(logTotals, (logTotal) => logSmoothing - logTotal);
    const seenBy = new Map<string, { classes: number[]; excess: number[] }>();
    features.forEach((f, i) => {
      for (const [token, count] of Object.entries(f)) {
        const row = seenBy.get(token) ?? { classes: [], excess: [] };
        row.classes.push(i);
        row.excess.push(Math.log(count) - logSmoothing);
        seenBy.set(token, row);
      }
    });
    let size = 0;
    for (const { classes } of seenBy.values()) size += ROW_HEADER + 2 * classes.length;
    this.table = new Float64Array(size);
    let at = 0;
    for (const [token, { classes, excess }] of seenBy) {
      const weight = token.startsWith(CHAR_GRAM) ? CHAR_GRAM_WEIGHT : 1;
      this.rows.set(token, at);
      this.table[at] = weight;
      this.table[at + 2] = classes.length;
      at += ROW_HEADER;
      classes.forEach((c, j) => {
        this.table[at++] = c;
        this.table[at++] = weight * (excess[j] as number);
      });
    }
    const unseenRow = (mass: Record<string, number>, weight: number) =>
      Float64Array.from(this.classes, (c) => weight * UNSEEN_WEIGHT * (mass[intentOfClass(c)] ?? 0));
    this.unseenWord = unseenRow(unseen.word, 1);
    this.unseenGram = unseenRow(unseen.gram, CHAR_GRAM_WEIGHT);
    this.scores = new Float64Array(this.classes.length);
    this.byIntent = new Float64Array(this.labels.length);
    this.order = new Int32Array(this.labels.length);
  }

  static train(documents: Iterable<TrainingDocument>): IntentClassifier {
    const bayes = new BayesClassifier(undefined, SMOOTHING);
    const tables = bayes.classifier;
    for (const { tokens, intent, group } of documents) {
      // natural keeps counts in plain objects: a token named like an Object method ("constructor") would
      // read the method as a count.
      const unique = [...new Set(tokens)].filter((t) => !(t in Object.prototype));
      if (unique.length === 0) continue;
      const label = group ? `${intent}${GROUP_SEPARATOR}${group}` : intent;
      tables.addExample({ ...unique }, label);
      // natural counts examples only for dense (array) observations; these are sparse, so count them here,
      // the way natural does (one extra per class and overall, for smoothing).
      tables.classTotals[label] = (tables.classTotals[label] ?? 1) + 1;
      tables.totalExamples += 1;
    }
    return new IntentClassifier(tables, unseenMass(tables));
  }

  static fromJSON(json: unknown): IntentClassifier {
    const { unseen, ...classifier } = json as { unseen: UnseenMass };
    const restored = BayesClassifier.restore({ classifier, docs: [], features: {} });
    return new IntentClassifier(restored.classifier, unseen);
  }

  toJSON(): unknown {
    const { classFeatures, classTotals, totalExamples, smoothing } = this.tables;
    return { classFeatures, classTotals, totalExamples, smoothing, unseen: this.unseen };
  }

  get intents(): readonly IntentId[] {
    return this.labels;
  }

  classify(tokens: string[]): Classification {
    // The scores are summed in buffers kept between calls (a turn classifies one message at a time).
    const scores = this.scores;
    scores.set(this.logPriors);
    // A token counts once however often it occurs. Known rows are marked with this call's number instead of
    // collecting the tokens in a Set, which cost as much as scoring them.
    const call = ++this.calls;
    const unknown = this.unknown;
    unknown.clear();
    let known = 0;
    let knownWeight = 0;
    // Never-seen words and character grams add the same to every class each time: counted, added once.
    let unseenWords = 0;
    let unseenGrams = 0;
    const table = this.table;
    for (const token of tokens) {
      const row = this.rows.get(token);
      if (row !== undefined) {
        if (table[row + 1] === call) continue;
        table[row + 1] = call;
        known++;
        knownWeight += table[row] as number;
        const end = row + ROW_HEADER + 2 * (table[row + 2] as number);
        for (let j = row + ROW_HEADER; j < end; j += 2) {
          const i = table[j] as number;
          scores[i] = (scores[i] as number) + (table[j + 1] as number);
        }
        continue;
      }
      if (unknown.has(token)) continue;
      unknown.add(token);
      // Two known neighbours that never stood together say little: new pairs are common in any message.
      if (isPair(token)) continue;
      if (token.startsWith(CHAR_GRAM)) unseenGrams++;
      else unseenWords++;
    }
    const weight = knownWeight + (unseenWords + unseenGrams * CHAR_GRAM_WEIGHT) * UNSEEN_WEIGHT;
    const temper = SHARPNESS / Math.max(weight, 1);
    const { floors, unseenWord, unseenGram } = this;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) {
      const score =
        ((scores[i] as number) +
          unseenWords * (unseenWord[i] as number) +
          unseenGrams * (unseenGram[i] as number) +
          knownWeight * (floors[i] as number)) *
        temper;
      scores[i] = score;
      if (score > max) max = score;
    }
    let sum = 0;
    // An intent learnt in groups is as likely as its groups together.
    const byIntent = this.byIntent;
    byIntent.fill(0);
    for (let i = 0; i < scores.length; i++) {
      const p = Math.exp((scores[i] as number) - max);
      sum += p;
      const j = this.intentOf[i] as number;
      byIntent[j] = (byIntent[j] as number) + p;
    }
    const distinct = known + unknown.size;
    const coverage = distinct === 0 ? 0 : known / distinct;
    const scale = coverage ** COVERAGE_WEIGHT / sum;
    // The intents, most likely first: an insertion sort of their indices (a few dozen), which keeps intents
    // of equal likelihood in the model's order, as a stable sort of the ranking would, without a comparator
    // called for every comparison.
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      const p = byIntent[i] as number;
      let j = i - 1;
      while (j >= 0 && (byIntent[order[j] as number] as number) < p) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = i;
    }
    const ranking: Ranked[] = new Array(order.length);
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      ranking[k] = { intent: this.labels[i] as IntentId, confidence: (byIntent[i] as number) * scale };
    }
    const top = ranking[0] ?? { intent: "none" as IntentId, confidence: 0 };
    return { intent: top.intent, confidence: top.confidence, ranking };
  }
}

function intentOfClass(label: string): IntentId {
  return label.split(GROUP_SEPARATOR)[0] as IntentId;
}

/**
 * Good-Turing: the share of an intent's tokens that it used only once estimates the chance that its next
 * token is new. Per intent (its groups pooled), so that a small group is not mistaken for an open one; over
 * single words, characters and character grams (a new pair of known neighbours is no evidence, see classify).
 */
function unseenMass(tables: BayesTables): UnseenMass {
  const mass: UnseenMass = { word: {}, gram: {} };
  for (const kind of ["word", "gram"] as const) {
    const perIntent = new Map<string, Map<string, number>>();
    for (const [label, features] of Object.entries(tables.classFeatures)) {
      const intent = intentOfClass(label);
      const counts = perIntent.get(intent) ?? new Map<string, number>();
      perIntent.set(intent, counts);
      for (const [token, count] of Object.entries(features)) {
        if (token.startsWith(CHAR_GRAM) !== (kind === "gram") || isPair(token)) continue;
        // natural stores a first sighting as 1 + smoothing; the counts are whole numbers underneath.
        counts.set(token, (counts.get(token) ?? 0) + Math.round(count - tables.smoothing));
      }
    }
    for (const [intent, counts] of perIntent) {
      let total = 0;
      let once = 0;
      for (const count of counts.values()) {
        total += count;
        if (count === 1) once++;
      }
      mass[kind][intent] = Math.log((once + 1) / (total + 1));
    }
  }
  return mass;
}
