/**
 * Text normalisation, before anything else looks at a message: full-width to half-width, traditional to
 * simplified Chinese, lower case, the obfuscations merchants and spam filters use ("ka卡", "shua卡", "刷.卡"),
 * common homophone typos, and emoji / punctuation noise.
 */
import * as OpenCC from "opencc-js";
import { HOMOPHONES, PINYIN } from "./lexicon.js";

const toSimplified = OpenCC.Converter({ from: "t", to: "cn" });

const CJK = "\\u3400-\\u9fff";
const EMOJI = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u{FE0F}|\u{200D}|\u{20E3}/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd\u200b-\u200f\u2028-\u202f\u2060-\u206f]/g;
// Punctuation (ASCII and CJK) becomes a space; `#`, `+`, `.`, `,` inside numbers are kept for amounts.
const PUNCTUATION = /[!"#$%&'()*+/:;<=>?@[\\\]^_`{|}~，。！？、；：“”‘’（）【】《》〈〉「」『』…—～·•]/g;
// "刷.卡", "到-账", "冻 结": a separator between two Chinese characters hides a word from keyword filters.
const SPLIT_CJK = new RegExp(`(?<=[${CJK}])[\\s.\\-_*~|/\\\\]+(?=[${CJK}])`, "g");
// A pinyin syllable glued to Chinese: "shua卡", "ka卡", "dao账", "jiao易".
const PINYIN_GLUED = new RegExp(`[a-z]+(?=[${CJK}])|(?<=[${CJK}])[a-z]+`, "g");

/** Canonical form of `text` for classification. Idempotent. */
export function normalize(text: string): string {
  return normalizeCanonical(canonicalChars(text));
}

/**
 * `normalize` for text already through `canonicalChars`: the traditional-to-simplified conversion is most of
 * the cost, and understanding a message needs both forms.
 */
export function normalizeCanonical(canonical: string): string {
  let s = canonical.toLowerCase();
  s = s.replace(EMOJI, " ");
  s = s.replace(PINYIN_GLUED, replacePinyin);
  s = s.replace(SPLIT_CJK, "");
  for (const [wrong, right] of HOMOPHONES) s = s.replaceAll(wrong, right);
  s = s.replace(/(?<![0-9])[.,](?![0-9])/g, " ").replace(PUNCTUATION, " ");
  s = s.replace(/(.)\1{3,}/gu, "$1$1$1");
  return s.replace(/\s+/g, " ").trim();
}

/** How much a normalised text holds: its Chinese characters and its English words, counted apart. */
export function textSize(normalized: string): { han: number; words: number } {
  return {
    han: normalized.match(/[\u3400-\u9fff]/g)?.length ?? 0,
    words: normalized.match(/[a-z]+/g)?.length ?? 0,
  };
}

/** Only the normalisations that keep the merchant's wording (for entity extraction and echoing). */
export function canonicalChars(text: string): string {
  return toSimplified(text.normalize("NFKC")).replace(CONTROL, " ");
}

function replacePinyin(word: string, offset: number, whole: string): string {
  const hanzi = PINYIN.get(word);
  if (!hanzi) return word;
  // "ka卡": the pinyin spells the character right after it, so it is only noise.
  const next = whole.slice(offset + word.length, offset + word.length + hanzi.length);
  return next === hanzi ? "" : hanzi;
}
