/**
 * Text normalisation, before anything else looks at a message: full-width to half-width, traditional to
 * simplified Chinese, lower case, the obfuscations merchants and spam filters use ("ka卡", "shua卡", "刷.卡"),
 * common homophone typos, and emoji / punctuation noise.
 */
import * as OpenCC from "opencc-js";
import { HOMOPHONES, PINYIN } from "./lexicon.js";

const convertToSimplified = OpenCC.Converter({ from: "t", to: "cn" });

/**
 * The characters whose presence lets OpenCC's traditional-to-simplified conversion change a text: every
 * character it converts on its own, and, for a phrase it converts whose characters it never converts alone
 * ("瞭解" → "了解", "反覆" → "反复"), the characters the phrase changes. A text with none of them comes out of
 * the conversion as it went in, so it is not converted: most messages are in simplified Chinese or English,
 * and the conversion (a trie walk over every character) was the costliest step of understanding one.
 */
function traditionalMarkers(): Set<number> {
  const config = OpenCC.Locale.configs.t2s as
    | { normalizationChain?: readonly OpenCC.DictGroup[]; conversionChain: readonly OpenCC.DictGroup[] }
    | undefined;
  if (!config) throw new Error("opencc-js has no t2s configuration");
  const pairs = [...(config.normalizationChain ?? []), ...config.conversionChain]
    .flat()
    .flatMap((dict) =>
      typeof dict === "string" ? dict.split("|").map((entry) => entry.split(" ") as [string, string]) : dict,
    );
  const markers = new Set<number>();
  for (const [from, to] of pairs) {
    if (from !== to && [...from].length === 1) markers.add(from.codePointAt(0) as number);
  }
  for (const [from, to] of pairs) {
    const source = [...from];
    if (from === to || source.length < 2 || source.some((c) => markers.has(c.codePointAt(0) as number)))
      continue;
    const target = [...to];
    source.forEach((c, i) => {
      if (source.length !== target.length || c !== target[i]) markers.add(c.codePointAt(0) as number);
    });
  }
  return markers;
}

const TRADITIONAL = traditionalMarkers();
const FIRST_TRADITIONAL = Math.min(...TRADITIONAL);

function toSimplified(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < FIRST_TRADITIONAL) continue;
    const code = text.codePointAt(i) as number;
    if (TRADITIONAL.has(code)) return convertToSimplified(text);
    if (code > 0xffff) i++;
  }
  return text;
}

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

const ANY_HOMOPHONE = new RegExp(HOMOPHONES.map(([wrong]) => wrong).join("|"));

// A turn reads the merchant's message several times (understanding it, as an answer, as a rating): the
// forms of the last text are kept.
let last: { text: string; canonical: string; normalized: string } | undefined;

/** `text` through `canonicalChars`, and its canonical form for classification. */
export function forms(text: string): { canonical: string; normalized: string } {
  if (last?.text !== text) {
    const canonical = canonicalChars(text);
    last = { text, canonical, normalized: normalizeCanonical(canonical) };
  }
  return last;
}

/** Canonical form of `text` for classification. Idempotent. */
export function normalize(text: string): string {
  return forms(text).normalized;
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
  // One search for any typo first: most messages have none, and two dozen searches cost more than the rest.
  if (ANY_HOMOPHONE.test(s)) for (const [wrong, right] of HOMOPHONES) s = s.replaceAll(wrong, right);
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
