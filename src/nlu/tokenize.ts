/**
 * Features for the classifier, from normalised text. Chinese runs give character unigrams and bigrams
 * (no segmenter needed for short merchant messages, and robust to typos); Latin runs give natural's word
 * tokens, Porter-stemmed, and their bigrams. Mixed messages get both. Codes and amounts become class tokens,
 * so "提示51" and "code 51" share a feature.
 */
import PorterStemmer from "natural/lib/natural/stemmers/porter_stemmer.js";
import { WordTokenizer } from "natural/lib/natural/tokenizers/regexp_tokenizer.js";
import { KNOWN_CODES, routeForCode } from "./codes.js";
import type { Entities } from "./entities.js";

const words = new WordTokenizer();
const RUNS = /[\u3400-\u9fff]+|[a-z0-9][a-z0-9'.,]*/g;
const STOP = new Set([
  "the",
  "a",
  "an",
  "is",
  "are",
  "am",
  "i",
  "my",
  "me",
  "it",
  "to",
  "of",
  "and",
  "on",
  "in",
  "at",
  "this",
  "that",
  "we",
  "our",
  "you",
  "pls",
  "please",
]);

export function tokenize(normalized: string, entities: Entities = {}): string[] {
  const tokens: string[] = [];
  let previousWord: string | undefined;
  for (const run of normalized.match(RUNS) ?? []) {
    if (/^[\u3400-\u9fff]/.test(run)) {
      previousWord = undefined;
      for (let i = 0; i < run.length; i++) {
        tokens.push(run[i] as string);
        if (i + 1 < run.length) tokens.push(run.slice(i, i + 2));
      }
      continue;
    }
    for (const word of words.tokenize(run)) {
      if (/^[0-9]+$/.test(word) || KNOWN_CODES.has(word.toUpperCase())) continue;
      if (STOP.has(word)) continue;
      const stem = PorterStemmer.stem(word);
      tokens.push(stem);
      if (previousWord) tokens.push(`${previousWord}_${stem}`);
      previousWord = stem;
    }
  }
  if (entities.responseCode) tokens.push("#code", `#code:${routeForCode(entities.responseCode) ?? "ok"}`);
  if (entities.amount !== undefined) tokens.push("#amount");
  return tokens;
}
