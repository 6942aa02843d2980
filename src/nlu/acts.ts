/**
 * Dialogue acts: short replies that are about the conversation, not about a terminal — "不知道", "算了",
 * "再说一遍", "谢谢", "are you a bot?" — and the markers of a correction ("说错了，是61") or a side question
 * ("顺便问下…"). The intent classifier answers "what is the problem?"; this answers "what is the merchant
 * doing in the conversation?". Phrases live in `intents/dialogue/<locale>.yaml`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { Locale } from "../domain/intents.js";
import { MASKED_PAN } from "../domain/redact.js";
import { ROOT } from "../paths.js";
import { canonicalChars, normalize } from "./normalize.js";

export const DialogueAct = z.enum([
  "dont_know",
  "cancel",
  "repeat",
  "thanks",
  "how_are_you",
  "who_are_you",
  "are_you_bot",
  "joke",
  "hold_on",
  "already_said",
]);
export type DialogueAct = z.infer<typeof DialogueAct>;

/**
 * Small talk: one short reply, then back to whatever was pending. "稍等" / "let me check" (hold_on) too: the
 * merchant will answer once they have looked, so the question stands, and nothing counts as not understood.
 */
export const CHITCHAT: ReadonlySet<DialogueAct> = new Set([
  "thanks",
  "how_are_you",
  "who_are_you",
  "are_you_bot",
  "joke",
  "hold_on",
]);

const DialogueFile = z.object({
  locale: Locale,
  softeners: z.array(z.coerce.string()),
  acts: z.record(DialogueAct, z.array(z.coerce.string().min(1))),
  interjections: z.array(z.coerce.string().min(1)),
  correction: z.array(z.coerce.string().min(1)),
  interruption: z.array(z.coerce.string().min(1)),
  screen: z.array(z.coerce.string().min(1)),
  cardNumber: z.array(z.coerce.string().min(1)),
});

export const DIALOGUE_DIR = join(ROOT, "intents", "dialogue");

/**
 * One language's phrases, normalised the way messages are, as sequences of units: characters for Chinese
 * (which has no spaces), words for English.
 */
interface Lexicon {
  /** Longest first. */
  phrases: { units: string[]; act: DialogueAct }[];
  /** For each unit, the phrases (their indexes in `phrases`, ascending) that start with it. */
  startingWith: Map<string, number[]>;
  /** Every unit of every phrase and softener: a message with any other unit performs no act. */
  vocabulary: Set<string>;
  softeners: Set<string>;
  /** Units that say nothing by themselves ("嗯", "hmm"). */
  interjections: Set<string>;
  correction: string[][];
  interruption: string[][];
  /** Words that tell what the terminal shows. */
  screen: string[][];
  /** What merchants put around a card number they type ("the card is", "卡号是"). */
  cardNumber: string[][];
}

const HAN = /[\u3400-\u9fff]/;

/** Chinese text is read character by character (spaces dropped), anything else word by word. */
function unitsOf(normalized: string): string[] {
  return HAN.test(normalized)
    ? [...normalized.replace(/\s+/g, "")]
    : normalized.split(" ").filter((w) => w.length > 0);
}

function loadLexicon(locale: Locale, dir: string): Lexicon {
  const file = DialogueFile.parse(parse(readFileSync(join(dir, `${locale}.yaml`), "utf8")));
  const phrases = Object.entries(file.acts)
    .flatMap(([act, list]) =>
      (list ?? []).map((p) => ({ units: unitsOf(normalize(p)), act: act as DialogueAct })),
    )
    .filter((p) => p.units.length > 0);
  // Longest first: "不用了谢谢" is a cancel, not thanks.
  phrases.sort((a, b) => b.units.length - a.units.length);
  const startingWith = new Map<string, number[]>();
  phrases.forEach(({ units }, i) => {
    const first = units[0] as string;
    startingWith.set(first, [...(startingWith.get(first) ?? []), i]);
  });
  // Chinese softeners are matched as strings ("真的"), English ones word by word ("i'm" is "i" and "m").
  const softeners = new Set(
    locale === "zh-CN"
      ? file.softeners.map((s) => unitsOf(normalize(s)).join(""))
      : file.softeners.flatMap((s) => unitsOf(normalize(s))),
  );
  const markers = (list: string[]) =>
    list.map((m) => unitsOf(normalize(m))).sort((a, b) => b.length - a.length);
  const softenerUnits = locale === "zh-CN" ? [...softeners].flatMap((s) => [...s]) : softeners;
  const vocabulary = new Set([...phrases.flatMap((p) => p.units), ...softenerUnits]);
  return {
    phrases,
    startingWith,
    vocabulary,
    softeners,
    interjections: new Set(file.interjections.flatMap((i) => unitsOf(normalize(i)))),
    correction: markers(file.correction),
    interruption: markers(file.interruption),
    screen: markers(file.screen),
    cardNumber: markers(file.cardNumber),
  };
}

export function loadLexicons(dir = DIALOGUE_DIR): Record<Locale, Lexicon> {
  return { "zh-CN": loadLexicon("zh-CN", dir), en: loadLexicon("en", dir) };
}

const lexicons = loadLexicons();

function lexiconFor(text: string): Lexicon {
  return HAN.test(text) ? lexicons["zh-CN"] : lexicons.en;
}

function indexOf(units: string[], phrase: string[], from = 0): number {
  outer: for (let i = from; i + phrase.length <= units.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (units[i + j] !== phrase[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Whether `units` are nothing but softeners. Chinese softeners may be several characters ("真的"), so the
 * characters are segmented, longest softener first.
 */
function onlySofteners(units: string[], softeners: Set<string>, chinese: boolean): boolean {
  if (!chinese) return units.every((u) => softeners.has(u));
  const text = units.join("");
  const fits: boolean[] = [true];
  for (let end = 1; end <= text.length; end++) {
    fits[end] = false;
    for (let start = Math.max(0, end - 4); start < end; start++) {
      if (fits[start] && softeners.has(text.slice(start, end))) {
        fits[end] = true;
        break;
      }
    }
  }
  return fits[text.length] === true;
}

/** The act a whole message performs, if it is one: the phrase, with nothing but softeners around it. */
export function detectAct(normalized: string): DialogueAct | undefined {
  const chinese = HAN.test(normalized);
  const lexicon = chinese ? lexicons["zh-CN"] : lexicons.en;
  // An act is its phrases and softeners and nothing else: most messages fail this at their first words.
  if (!onlyUnitsIn(normalized, lexicon.vocabulary, chinese)) return undefined;
  const units = unitsOf(normalized);
  if (units.length === 0) return undefined;
  return actOf(units, lexicon, chinese);
}

/**
 * Whether a message is nothing but interjections ("嗯", "额……", "hmm"): it says nothing about a terminal, and
 * means no goodbye, whatever its characters mean in other words (额 as in 额度). A yes in reply to a yes/no
 * question is read by the answer parser, not from this.
 */
export function onlyInterjections(normalized: string): boolean {
  const chinese = HAN.test(normalized);
  const { interjections } = chinese ? lexicons["zh-CN"] : lexicons.en;
  return NOT_WHITESPACE.test(normalized) && onlyUnitsIn(normalized, interjections, chinese);
}

/** Whether every unit of `normalized` (see unitsOf) is one of `units`, without making the list of units. */
function onlyUnitsIn(normalized: string, units: ReadonlySet<string>, chinese: boolean): boolean {
  if (!chinese) return normalized.split(" ").every((word) => word === "" || units.has(word));
  for (const char of normalized) if (!WHITESPACE.test(char) && !units.has(char)) return false;
  return true;
}

const WHITESPACE = /\s/;
const NOT_WHITESPACE = /\S/;

/** The act of `units`: one phrase, with softeners or more phrases of the same act ("算了，不弄了") around it. */
function actOf(units: string[], lexicon: Lexicon, chinese: boolean): DialogueAct | undefined {
  for (const { units: phrase, act } of phrasesIn(units, lexicon)) {
    const at = indexOf(units, phrase);
    if (at < 0) continue;
    const rest = [...units.slice(0, at), ...units.slice(at + phrase.length)];
    if (onlySofteners(rest, lexicon.softeners, chinese)) return act;
    if (rest.length < units.length && actOf(rest, lexicon, chinese) === act) return act;
  }
  return undefined;
}

/**
 * The phrases that may occur in `units` (those starting with one of its units), longest first as in the
 * lexicon: a message is looked up by its own few units, not matched against every phrase.
 */
function phrasesIn(units: string[], lexicon: Lexicon): Lexicon["phrases"] {
  const found: number[] = [];
  for (const unit of new Set(units)) {
    const starting = lexicon.startingWith.get(unit);
    if (starting) found.push(...starting);
  }
  return found.sort((a, b) => a - b).map((i) => lexicon.phrases[i] as Lexicon["phrases"][number]);
}

/** What follows a marker from `markers` in the message, or undefined when it has none. */
function afterMarker(normalized: string, markers: string[][]): { before: string; after: string } | undefined {
  const units = unitsOf(normalized);
  const joiner = HAN.test(normalized) ? "" : " ";
  for (const marker of markers) {
    const at = indexOf(units, marker);
    if (at < 0) continue;
    return {
      before: units.slice(0, at).join(joiner),
      after: units.slice(at + marker.length).join(joiner),
    };
  }
  return undefined;
}

// "不是51，是61", "不是51是61", "不是 51 而是 61"; "not 51, it's 61", "not 51 but 61".
// Both values hold a digit: "not during a sale" corrects nothing.
const NOT_X_BUT_Y_ZH =
  /不是\s*([a-z.]*[0-9][a-z0-9.]*)\s*(?:元|块)?\s*[,，、 ]*\s*(?:而是|是)\s*([^0-9]{0,3}[0-9].*)$/i;
const NOT_X_BUT_Y_EN =
  /\bnot\s+([a-z.]*[0-9][a-z0-9.]*)\s*(?:yuan|rmb)?\s*,?\s*(?:it\s*'?\s*s|it is|but|rather|its)?\s+([^0-9]{0,6}[0-9].*)$/i;

/**
 * The part of a message that corrects something said before, or undefined when it corrects nothing:
 * "不是51，是61" → "61"; "说错了，应该是A0" → "a0"; "sorry I meant 61" → "61". Whether the part really
 * carries a corrected value (a code, an amount…) is for the caller to check.
 */
export function detectCorrection(text: string): string | undefined {
  // Values are read from the merchant's own characters: normalising shortens "10000" to "1000".
  const plain = canonicalChars(text).toLowerCase().replace(/\s+/g, " ").trim();
  const pattern = NOT_X_BUT_Y_ZH.exec(plain) ?? NOT_X_BUT_Y_EN.exec(plain);
  if (pattern?.[2]) return correctedValue(pattern[2]);
  const normalized = normalize(text);
  const marked = afterMarker(normalized, lexiconFor(normalized).correction);
  if (!marked) return undefined;
  // "61，刚才说错了": the value may come before the marker.
  const value = correctedValue(marked.after) || correctedValue(marked.before);
  return value || undefined;
}

/** The corrected value without the words around it: "是A0" → "a0", "it s 05" → "05", ",61，刚才" → "61". */
function correctedValue(part: string): string {
  return part
    .replace(/^[\s,，、:：.。]+|[\s,，、:：.。!！]+$/g, "")
    .replace(/^(?:而是|应该是|其实是|是|it\s*'?\s*s|it is|its|is)\s*/i, "")
    .replace(/[\s,，、]*(?:刚才|刚刚|才对|对不起|sorry)[\s,，、]*$/i, "")
    .trim();
}

/** Whether a message tells what the terminal shows ("又显示通讯失败", "now it says error"). */
export function tellsScreen(normalized: string): boolean {
  const units = unitsOf(normalized);
  return lexiconFor(normalized).screen.some((marker) => indexOf(units, marker) >= 0);
}

/**
 * A side question announced as one ("顺便问下手续费多少", "btw what are the fees"): the question without the
 * marker, or undefined when the message announces none.
 */
/**
 * Whether a masked message only gives a card number: one or more, and around them nothing but the words
 * merchants put around one ("the card is 6222…", "卡号是…") and softeners. Such a message states no problem,
 * whatever the word "card" in it makes the classifier think.
 */
export function givesCardNumberOnly(masked: string): boolean {
  const rest = masked.replace(MASKED_PAN, " ");
  if (rest === masked) return false;
  const normalized = normalize(rest);
  const units = unitsOf(normalized);
  const chinese = HAN.test(normalized);
  const lexicon = chinese ? lexicons["zh-CN"] : lexicons.en;
  if (onlySofteners(units, lexicon.softeners, chinese)) return true;
  return lexicon.cardNumber.some((phrase) => {
    const at = indexOf(units, phrase);
    if (at < 0) return false;
    const around = [...units.slice(0, at), ...units.slice(at + phrase.length)];
    return onlySofteners(around, lexicon.softeners, chinese);
  });
}

export function detectInterruption(normalized: string): string | undefined {
  const units = unitsOf(normalized);
  const lexicon = lexiconFor(normalized);
  for (const marker of lexicon.interruption) {
    // Only at the start: "我另外一台机器也这样" is no side question.
    if (indexOf(units, marker) !== 0) continue;
    const rest = units.slice(marker.length).join(HAN.test(normalized) ? "" : " ");
    return rest.trim() || undefined;
  }
  return undefined;
}
