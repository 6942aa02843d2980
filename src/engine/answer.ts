/**
 * Reads a merchant's reply to the bot's current question: the quick-reply option chosen (by number, label
 * or synonym), a plain yes or no, and the entities the question asked for. Labels, synonyms and yes/no
 * words come from `locales/`, so each language brings its own.
 */
import type { Answer } from "../../flows/kit.js";
import type { PendingQuestion } from "../domain/dialogue.js";
import type { Locale } from "../domain/intents.js";
import { list, t } from "../i18n.js";
import { detectAct, tellsScreen } from "../nlu/acts.js";
import { extractEntities } from "../nlu/entities.js";
import { normalize, textSize } from "../nlu/normalize.js";

/** The label a quick reply shows: the flow's own wording first, the shared one after. */
export function optionLabel(locale: Locale, flow: string, option: string): string {
  if (flow === "menu") return t(locale, `topics.${option}`);
  return t(locale, [`${flow}.options.${option}`, `common.options.${option}`]);
}

// The locale files do not change while the process runs: words are looked up and normalised once.
const optionWordsCache = new Map<string, string[]>();
const yesNoCache = new Map<string, { yes: boolean; word: string }[]>();
const wordPatterns = new Map<string, RegExp | null>();

function optionWords(locale: Locale, flow: string, option: string): string[] {
  const key = `${locale}\u0000${flow}\u0000${option}`;
  let words = optionWordsCache.get(key);
  if (!words) {
    words = [
      optionLabel(locale, flow, option),
      ...list(locale, `${flow}.synonyms.${option}`),
      ...list(locale, `common.synonyms.${option}`),
    ].map(normalize);
    optionWordsCache.set(key, words);
  }
  return words;
}

function yesNoWords(locale: Locale): { yes: boolean; word: string }[] {
  let words = yesNoCache.get(locale);
  if (!words) {
    words = [true, false].flatMap((yes) =>
      list(locale, `common.synonyms.${yes ? "yes" : "no"}`).map((w) => ({ yes, word: normalize(w) })),
    );
    yesNoCache.set(locale, words);
  }
  return words;
}

/**
 * The languages a reply is read in: the conversation's, then the reply's own when it is written in another
 * ("没有" in an English chat, "no" in a Chinese one) — a reply too short to change the conversation's
 * language still answers the question in its own.
 */
export type ReadIn = Locale | readonly Locale[];

/** The languages to read a reply in: the conversation's, and the reply's own if it is another. */
export function readIn(conversation: Locale, reply: Locale | undefined): ReadIn {
  return reply && reply !== conversation ? [conversation, reply] : conversation;
}

const localesOf = (readIn: ReadIn): readonly Locale[] => (typeof readIn === "string" ? [readIn] : readIn);

/** The longest yes/no word of the reply's languages that `matches`, with its polarity (the first of a tie). */
function longestYesNo(
  readIn: ReadIn,
  matches: (word: string) => boolean,
): { yes: boolean; word: string } | undefined {
  let best: { yes: boolean; word: string } | undefined;
  for (const locale of localesOf(readIn)) {
    for (const { yes, word } of yesNoWords(locale)) {
      if (word.length > (best?.word.length ?? 0) && matches(word)) best = { yes, word };
    }
  }
  return best;
}

/** The longest yes/no word in a reply ("不可以" beats "可以"), with its polarity. */
function yesNoWord(readIn: ReadIn, normalized: string): { yes: boolean; word: string } | undefined {
  // A one-character word ("是", "不", "y") counts only on its own: "还是报A0" is not a yes.
  return longestYesNo(readIn, (word) =>
    word.length === 1 ? normalized === word : containsWord(normalized, word),
  );
}

/** The polarity of a plain yes/no reply, by its longest matching word. */
export function readYesNo(readIn: ReadIn, normalized: string): boolean | undefined {
  return yesNoWord(readIn, normalized)?.yes;
}

/**
 * Whether a reply is no more than a yes or a no ("还是不行啊", "nope, still not working"), as opposed to a
 * sentence that also says something new ("receipt not printing", "不行，现在又显示通讯失败").
 */
export function isBareYesNo(readIn: ReadIn, normalized: string): boolean {
  const found = yesNoWord(readIn, normalized);
  if (!found) return false;
  const { han, words } = textSize(normalized.replace(found.word, " "));
  return han <= 2 && words <= 1;
}

/** What may follow a yes or a no at the end of a reply: particles ("啊", "呢") and an English "now". */
const AFTER_OUTCOME = /(?:[啊呀啦吧呢哦噢嘛哈]|\s+now)$/;

/**
 * The yes or no a reply ends with, after what the merchant did: "插卡就可以了", "重启后还是不行啊",
 * "swapped the card and it worked". That is how the outcome of a fix is told. A reply that tells what the
 * screen shows ("不行，现在又显示通讯失败", "重启后提示失败") says something new and has none, nor has one that
 * starts with the other answer ("不行，重启后好了"). One-character words ("行", "好") count only on their own,
 * as everywhere.
 */
export function outcomeAtEnd(readIn: ReadIn, normalized: string): boolean | undefined {
  if (tellsScreen(normalized)) return undefined;
  const ending = endingYesNo(readIn, normalized.trim());
  if (ending === undefined) return undefined;
  const opening = longestYesNo(readIn, (word) => word.length >= 2 && normalized.startsWith(word));
  return opening && opening.yes !== ending ? undefined : ending;
}

function endingYesNo(readIn: ReadIn, normalized: string): boolean | undefined {
  for (let text = normalized; ; ) {
    const ending = longestYesNo(readIn, (word) => word.length >= 2 && endsWithWord(text, word));
    if (ending) return ending.yes;
    const shorter = text.replace(AFTER_OUTCOME, "").trim();
    if (shorter === text) return undefined;
    text = shorter;
  }
}

/** Whether `text` ends with `word`, an English one as a whole word ("ok" is no ending of "book"). */
function endsWithWord(text: string, word: string): boolean {
  if (!text.endsWith(word)) return false;
  const before = text.at(-word.length - 1);
  return !(/^[a-z0-9]/.test(word) && before !== undefined && /[a-z0-9']/.test(before));
}

function containsWord(text: string, word: string): boolean {
  // Most words are not in the reply at all: a plain search says so before any pattern is looked up.
  if (!text.includes(word)) return false;
  let pattern = wordPatterns.get(word);
  if (pattern === undefined) {
    // An English word matches whole words only; Chinese has no word boundaries to look for.
    pattern = /^[a-z0-9' ]+$/.test(word)
      ? new RegExp(`(?<![a-z0-9])${escapeRegExp(word)}(?![a-z0-9])`)
      : null;
    wordPatterns.set(word, pattern);
  }
  return pattern ? pattern.test(text) : true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The options a reply names, best first, and whether the best is a clear choice: by number, by a label or
 * synonym it holds (the longest wins), or — unless `partial` is off — as a part of a label ("交易失败" of
 * "只显示交易失败"). A tie between two options is no choice.
 */
function chooseOptions(
  readIn: ReadIn,
  question: PendingQuestion,
  normalized: string,
  partial: boolean,
): { option?: string; mentioned: string[] } {
  // "3号" is a date far more often than "option 3": only 选/option/# make a number with a suffix a choice.
  const number = /^(?:选|选择|option|no\.?|#)?\s*([1-9])\s*(?:个)?$/.exec(normalized)?.[1];
  if (number && question.expect === "choice") return pick(question.options[Number(number) - 1]);
  if (
    number &&
    question.expect !== "choice" &&
    Number(number) <= question.options.length &&
    normalized.length === 1
  ) {
    return pick(question.options[Number(number) - 1]);
  }
  const scores = new Map<string, number>();
  for (const locale of localesOf(readIn)) {
    for (const option of question.options) {
      for (const word of optionWords(locale, question.flow, option)) {
        if (!word) continue;
        const score =
          normalized === word
            ? 1000
            : word.length >= 2 && containsWord(normalized, word)
              ? word.length
              : partial && normalized.length >= 2 && word.includes(normalized)
                ? normalized.length
                : 0;
        if (score > (scores.get(option) ?? 0)) scores.set(option, score);
      }
    }
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const mentioned = ranked.map(([option]) => option);
  const [best, second] = ranked;
  if (!best || (second && second[1] === best[1])) return { mentioned };
  return { option: best[0], mentioned };
}

function pick(option: string | undefined): { option?: string; mentioned: string[] } {
  return option ? { option, mentioned: [option] } : { mentioned: [] };
}

/** Quick replies that mean "I don't know" ("不清楚", "屏幕没有显示代码"). */
const UNKNOWN_OPTIONS: ReadonlySet<string> = new Set(["unknown", "no_code"]);

/**
 * Reads `text` as an answer to `question`. `partial: false` takes only whole option words: the message
 * that raised a problem ("交易失败") must not answer the first question by being part of a label.
 */
export function parseAnswer(
  text: string,
  question: PendingQuestion | undefined,
  readIn: ReadIn,
  options: { partial?: boolean } = {},
): Answer {
  const normalized = normalize(text);
  const answer: Answer = { text };
  // "不知道" / "not sure" is neither a yes nor a no ("not sure" has a "not" in it): it picks the question's
  // own "not sure" reply where it has one, and is otherwise for the question's don't-know branch.
  if (detectAct(normalized) === "dont_know") {
    answer.dontKnow = true;
    const unknown = question?.options.find((o) => UNKNOWN_OPTIONS.has(o));
    if (unknown) answer.option = unknown;
    return answer;
  }
  const chosen = question ? chooseOptions(readIn, question, normalized, options.partial ?? true) : undefined;
  const option = chosen?.option;
  const entities = extractEntities(text, {
    expectCode: question?.expect === "code",
    // A screen's message the question lists as an option ("MAC 校验错") is that option, not a code.
    codeByMessage: question?.expect === "code" && option === undefined,
    expectAmount: question?.expect === "amount",
    expectSerial: question?.expect === "serial",
  });
  if (option) answer.option = option;
  if (chosen?.mentioned.length) answer.mentioned = chosen.mentioned;
  const yes = option === "yes" ? true : option === "no" ? false : readYesNo(readIn, normalized);
  if (yes !== undefined) answer.yes = yes;
  if (entities.responseCode) answer.responseCode = entities.responseCode;
  if (entities.amount !== undefined) answer.amount = entities.amount;
  if (entities.entryMode) answer.entryMode = entities.entryMode;
  if (entities.cardType) answer.cardType = entities.cardType;
  if (entities.terminalSerial) answer.terminalSerial = entities.terminalSerial;
  return answer;
}

/**
 * How surely a reply answers the question: `strong` when it picks a specific option or gives the code,
 * amount or serial asked for; `weak` when it is only a yes or no (merchants write 不行 and "not working"
 * in new problems too); `none` when it answers nothing.
 */
export type AnswerStrength = "strong" | "weak" | "none";

export function answerStrength(answer: Answer, question: PendingQuestion): AnswerStrength {
  if (answer.option !== undefined && answer.option !== "yes" && answer.option !== "no") return "strong";
  if (question.expect === "code" && answer.responseCode !== undefined) return "strong";
  if (question.expect === "amount" && answer.amount !== undefined) return "strong";
  if (question.expect === "serial" && answer.terminalSerial !== undefined) return "strong";
  if (answer.dontKnow) return "strong";
  if (answer.option !== undefined || answer.yes !== undefined) return "weak";
  return "none";
}
