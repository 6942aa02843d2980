/**
 * Features for the classifier, from normalised text. Chinese runs give character unigrams and bigrams
 * (no segmenter needed for short merchant messages, and robust to typos); Latin runs give natural's word
 * tokens, Porter-stemmed, their bigrams, and character trigrams of each word (so that "refud", "acount" and
 * "upgarde" still share most of their features with the word they misspell). Mixed messages get both. Codes
 * and amounts become class tokens, so "提示51" and "code 51" share a feature.
 */
import PorterStemmer from "natural/lib/natural/stemmers/porter_stemmer.js";
import { WordTokenizer } from "natural/lib/natural/tokenizers/regexp_tokenizer.js";
import { KNOWN_CODES, routeForCode } from "../domain/codes.js";
import type { Entities } from "./entities.js";
import { NUMBER_WORDS, WORD_VARIANTS } from "./lexicon.js";

const words = new WordTokenizer();
const RUNS = /[\u3400-\u9fff]+|[a-z0-9][a-z0-9'.,]*/g;
// "don't" is "don t" once punctuation is gone: glue it back so that the lexicon reads it as "not".
const SPLIT_CONTRACTION = /\b([a-z]+n) t\b/g;
// "i", "my" and "me" are not stop words: whose card or account it is tells a cardholder's own banking
// ("my credit card") from a customer's card at the terminal. Nor are "are" and "you": without them "how are
// you doing" is "how do", the start of every how-to question.
const STOP = new Set([
  "the",
  "a",
  "an",
  "is",
  "am",
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
  "pls",
  "please",
]);
/** Character n-grams of Latin words are marked so that they never collide with a word. */
export const CHAR_GRAM = "~";
const CHAR_GRAM_SIZE = 3;

/** A feature made of two neighbours: a word pair ("screen_black") or a Chinese character pair ("黑屏"). */
export function isPair(token: string): boolean {
  if (token.length === 2) return isHan(token.charCodeAt(0)) && isHan(token.charCodeAt(1));
  return token.includes("_") && !token.startsWith("#");
}

function isHan(code: number): boolean {
  return code >= 0x3400 && code <= 0x9fff;
}

export function tokenize(normalized: string, entities: Entities = {}): string[] {
  const tokens: string[] = [];
  const text = NUMBER_WORDS.get(normalized) ?? normalized.replace(SPLIT_CONTRACTION, "$1t");
  let previousWord: string | undefined;
  for (const run of text.match(RUNS) ?? []) {
    if (isHan(run.charCodeAt(0))) {
      previousWord = undefined;
      for (let i = 0; i < run.length; i++) {
        tokens.push(hanChar(run.charCodeAt(i)));
        if (i + 1 < run.length) tokens.push(run.slice(i, i + 2));
      }
      continue;
    }
    for (const raw of wordsOf(run)) {
      const word = WORD_VARIANTS.get(raw) ?? raw;
      // A bare code ("a0 what to do") is a hint of where it routes, even where it is not read as the code.
      const code = KNOWN_CODES.has(word.toUpperCase());
      if (code) tokens.push(`#bare:${routeForCode(word) ?? "ok"}`);
      if (code || DIGITS.test(word) || STOP.has(word)) continue;
      const { stem, grams } = wordFeatures(word);
      tokens.push(stem);
      if (previousWord) tokens.push(`${previousWord}_${stem}`);
      previousWord = stem;
      for (const gram of grams) tokens.push(gram);
    }
  }
  if (entities.responseCode) tokens.push("#code", `#code:${routeForCode(entities.responseCode) ?? "ok"}`);
  if (entities.amount !== undefined) tokens.push("#amount");
  return tokens;
}

const DIGITS = /^[0-9]+$/;

/**
 * One string per Chinese character, made the first time it is seen: a message's characters are then the
 * same strings every time, their hashes computed once, instead of new one-character strings to hash and
 * compare at every lookup in the model (V8 keeps such a cache for Latin-1 characters only).
 */
const HAN_CHARS: (string | undefined)[] = Array.from({ length: 0x9fff - 0x3400 + 1 }, () => undefined);

function hanChar(code: number): string {
  const index = code - 0x3400;
  let char = HAN_CHARS[index];
  if (char === undefined) {
    char = String.fromCharCode(code);
    HAN_CHARS[index] = char;
  }
  return char;
}
const WORD_GAPS = /['.,]/;

/**
 * The words of a Latin run (`RUNS`: letters and digits, with `'`, `.` and `,` between): what natural's
 * WordTokenizer gives for it (it splits on anything but letters, digits and `_`), without the split when the
 * run is one word, as most are.
 */
function wordsOf(run: string): string[] {
  return WORD_GAPS.test(run) ? words.tokenize(run) : [run];
}

// Stemming is the slow part of tokenising, and merchants reuse a small vocabulary: remember each word.
const seenWords = new Map<string, { stem: string; grams: string[] }>();
const MAX_SEEN_WORDS = 50_000;

function wordFeatures(word: string): { stem: string; grams: string[] } {
  let features = seenWords.get(word);
  if (features) return features;
  const grams: string[] = [];
  if (word.length >= CHAR_GRAM_SIZE && /^[a-z]+$/.test(word)) {
    const marked = `<${word}>`;
    for (let i = 0; i + CHAR_GRAM_SIZE <= marked.length; i++)
      grams.push(`${CHAR_GRAM}${marked.slice(i, i + CHAR_GRAM_SIZE)}`);
  }
  features = { stem: PorterStemmer.stem(word), grams };
  if (seenWords.size >= MAX_SEEN_WORDS) seenWords.clear();
  seenWords.set(word, features);
  return features;
}
