/**
 * Reads a satisfaction rating in a merchant's reply — "5", "5分", "打4分", "三星", "4/5", "5 stars",
 * "满意", "不太满意", "very satisfied" — and a reply that skips the comment asked for after it ("跳过",
 * "没有了", "no thanks"). The words live in the `rating` section of `intents/dialogue/<locale>.yaml`; both
 * languages are read whatever the conversation's, as a merchant may answer in either.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { RatingScore } from "../domain/rating.js";
import { DIALOGUE_DIR } from "./acts.js";
import { canonicalChars, normalize } from "./normalize.js";

const ScoreKey = z.enum(["1", "2", "3", "4", "5"]);
const RatingSection = z.object({
  softeners: z.array(z.coerce.string()),
  scores: z.record(ScoreKey, z.array(z.coerce.string().min(1))),
  feedback: z.array(z.coerce.string().min(1)),
  skip: z.array(z.coerce.string().min(1)),
});
const RatingFile = z.object({ rating: RatingSection });

interface Phrase {
  text: string;
  han: boolean;
  /** What is looked for: the text itself (Chinese), or the words with a space at each end (English, whole words). */
  needle: string;
}

interface RatingLexicon {
  /** Longest first: "非常不满意" before "不满意" before "满意". */
  scores: (Phrase & { score: RatingScore })[];
  skip: Phrase[];
  feedback: Phrase[];
  /** Chinese softeners, matched as strings; English ones word by word. */
  hanSofteners: Set<string>;
  wordSofteners: Set<string>;
}

const HAN = /[\u3400-\u9fff]/;
const LOCALES = ["zh-CN", "en"] as const;

function phrase(text: string): Phrase {
  const normalized = normalize(text);
  const han = HAN.test(normalized);
  const words = han ? normalized.replace(/\s+/g, "") : normalized;
  return { text: words, han, needle: han ? words : ` ${words} ` };
}

export function loadRatingLexicon(dir = DIALOGUE_DIR): RatingLexicon {
  const lexicon: RatingLexicon = {
    scores: [],
    skip: [],
    feedback: [],
    hanSofteners: new Set(),
    wordSofteners: new Set(),
  };
  for (const locale of LOCALES) {
    const { rating } = RatingFile.parse(parse(readFileSync(join(dir, `${locale}.yaml`), "utf8")));
    for (const [score, list] of Object.entries(rating.scores))
      for (const text of list ?? [])
        lexicon.scores.push({ ...phrase(text), score: Number(score) as RatingScore });
    lexicon.skip.push(...rating.skip.map(phrase));
    lexicon.feedback.push(...rating.feedback.map(phrase));
    for (const softener of rating.softeners) {
      const normalized = normalize(softener);
      if (HAN.test(normalized)) lexicon.hanSofteners.add(normalized.replace(/\s+/g, ""));
      else for (const word of normalized.split(" ")) if (word) lexicon.wordSofteners.add(word);
    }
  }
  const longestFirst = (a: Phrase, b: Phrase) => b.text.length - a.text.length;
  lexicon.scores.sort(longestFirst);
  lexicon.skip.sort(longestFirst);
  return lexicon;
}

const lexicon = loadRatingLexicon();

const NUMERALS: Record<string, RatingScore> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/**
 * A score by its number: "5分", "打4分", "三星", "4颗星" (never "5分钟", "一分钱"), "4/5", "3 out of 5",
 * "5 stars", and a bare digit. Read from the merchant's own characters: normalising drops the "/" of "4/5".
 */
const NUMBER_PATTERNS = [
  /(?<![0-9.])([1-5一二两三四五])\s*(?:分|颗星|星|颗)(?![钟钱之期半])/,
  /(?<![0-9.])([1-5])\s*(?:\/\s*5|out of 5|stars?|points?)(?![0-9])/,
  /(?<![0-9.])([1-5])(?![0-9.])/,
];

/** The units of a normalised text: runs of Chinese characters, and English words, in order. */
function units(normalized: string): string[] {
  return normalized.match(/[\u3400-\u9fff]+|[^\s\u3400-\u9fff]+/g) ?? [];
}

/** Whether `normalized` says nothing but softeners ("我觉得 就 吧", "i m really"). */
function onlySofteners(normalized: string): boolean {
  return units(normalized).every((unit) =>
    HAN.test(unit) ? segments(unit, lexicon.hanSofteners) : lexicon.wordSofteners.has(unit),
  );
}

/** Whether a run of Chinese characters splits wholly into softeners ("我觉得就" is 我觉得 + 就). */
function segments(run: string, softeners: Set<string>): boolean {
  const fits: boolean[] = [true];
  for (let end = 1; end <= run.length; end++) {
    fits[end] = false;
    for (let start = Math.max(0, end - 5); start < end && !fits[end]; start++)
      fits[end] = fits[start] === true && softeners.has(run.slice(start, end));
  }
  return fits[run.length] === true;
}

/**
 * A normalised text made ready to look for phrases in, once for all of them: without its spaces (for a
 * Chinese phrase) and with a space at each end (for an English one, a whole word).
 */
function searchable(normalized: string): { compact: string; padded: string } {
  return { compact: normalized.replace(/\s+/g, ""), padded: ` ${normalized} ` };
}

/** What is left of the text without the phrase, or undefined when the phrase is not in it. */
function without(
  { compact, padded }: { compact: string; padded: string },
  { han, needle }: Phrase,
): string | undefined {
  const text = han ? compact : padded;
  const at = text.indexOf(needle);
  return at < 0 ? undefined : `${text.slice(0, at)} ${text.slice(at + needle.length)}`;
}

/** The phrase of `phrases` that `text` is, softeners aside. */
function whole<P extends Phrase>(text: string, phrases: readonly P[]): P | undefined {
  const normalized = normalize(text);
  if (!normalized) return undefined;
  const search = searchable(normalized);
  return phrases.find((p) => {
    const rest = without(search, p);
    return rest !== undefined && onlySofteners(rest);
  });
}

/** The score `text` is and nothing more, softeners aside: "5分", "给4分吧", "我觉得挺满意的". */
function pureScore(text: string): RatingScore | undefined {
  const canonical = canonicalChars(text).toLowerCase();
  for (const pattern of NUMBER_PATTERNS) {
    const match = pattern.exec(canonical);
    if (!match?.[1]) continue;
    const rest = `${canonical.slice(0, match.index)} ${canonical.slice(match.index + match[0].length)}`;
    if (onlySofteners(normalize(rest))) return NUMERALS[match[1]] ?? (Number(match[1]) as RatingScore);
  }
  return whole(text, lexicon.scores)?.score;
}

/** What parts a rating given with more to say: "不满意，等了太久" → "不满意" and "等了太久". */
const SEPARATORS = /[,，.。!！;；:：\n]+|\s-\s/g;

export interface RatingReading {
  score: RatingScore;
  /** Whether the message says more than the score ("不满意，等了太久"): that is a comment. */
  more: boolean;
}

/**
 * The rating a reply gives: a score and nothing more ("5分", "很满意", "4/5"), or a score with more said,
 * parted from it by a comma or full stop, first or last ("不满意，等了太久", "客服很耐心，5分", "satisfied,
 * thanks for the quick fix"; in Chinese a space parts as well). Undefined for anything else ("一般多久到账？"
 * has no part that is a score).
 */
export function readRating(text: string): RatingReading | undefined {
  const score = pureScore(text);
  if (score !== undefined) return { score, more: false };
  const canonical = canonicalChars(text).trim();
  let parts = canonical.split(SEPARATORS).filter((p) => normalize(p));
  if (parts.length < 2 && HAN.test(canonical)) parts = canonical.split(/\s+/).filter((p) => normalize(p));
  if (parts.length < 2) return undefined;
  for (const [part, others] of [
    [parts[0], parts.slice(1)],
    [parts.at(-1), parts.slice(0, -1)],
  ] as const) {
    const found = part ? pureScore(part) : undefined;
    if (found !== undefined && !onlySofteners(normalize(others.join(" "))))
      return { score: found, more: true };
  }
  return undefined;
}

/** Whether a message speaks of the help itself ("太慢了", "the agent was rude"): feedback, more than a problem. */
export function isFeedback(text: string): boolean {
  const search = searchable(normalize(text));
  return lexicon.feedback.some((p) => without(search, p) !== undefined);
}

/** Whether a reply to "anything to add?" adds nothing: "跳过", "没有了，谢谢", "no thanks". */
export function isSkip(text: string): boolean {
  return whole(text, lexicon.skip) !== undefined;
}
