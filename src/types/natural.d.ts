// natural's index loads every storage backend (and dotenv, which prints to stdout): posdesk imports the
// few modules it uses directly, and these are their shapes.
declare module "natural/lib/natural/stemmers/porter_stemmer.js" {
  const PorterStemmer: { stem(word: string): string };
  export default PorterStemmer;
}

declare module "natural/lib/natural/tokenizers/regexp_tokenizer.js" {
  export class WordTokenizer {
    tokenize(text: string): string[];
  }
}

declare module "natural/lib/natural/classifiers/bayes_classifier.js" {
  /** The trained tables of natural's Bayes model (apparatus), read for scoring in log space. */
  export interface BayesTables {
    classFeatures: Record<string, Record<string, number>>;
    classTotals: Record<string, number>;
    totalExamples: number;
    smoothing: number;
    addExample(observation: Record<number, string>, label: string): void;
  }
  export default class BayesClassifier {
    constructor(stemmer?: unknown, smoothing?: number);
    classifier: BayesTables;
    static restore(classifier: unknown): BayesClassifier;
  }
}
