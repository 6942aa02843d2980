/**
 * Understanding a merchant's message: mask card numbers, normalise, detect the language, extract entities,
 * classify the intent, and let a quoted response code decide the route where the contract says so.
 */

import { routeForCode } from "../domain/codes.js";
import type { IntentId, Locale } from "../domain/intents.js";
import { maskCardNumbers } from "../domain/redact.js";
import { type DialogueAct, detectAct, onlyInterjections } from "./acts.js";
import type { Classification, IntentClassifier, Ranked } from "./classifier.js";
import { type Entities, extractEntities } from "./entities.js";
import { forms } from "./normalize.js";
import { keyLines } from "./screen.js";
import { thresholds } from "./thresholds.js";
import { tokenize } from "./tokenize.js";

export interface Understanding {
  /** The message as the merchant wrote it, card numbers masked. */
  text: string;
  normalized: string;
  /** The language the message is written in; undefined when it has no words (emoji, digits only). */
  locale: Locale | undefined;
  intent: IntentId;
  confidence: number;
  entities: Entities;
  /** Every intent, most likely first (after routing). */
  ranking: Ranked[];
  /** What the message does in the conversation when it is a bare act ("不知道", "算了", "谢谢"). */
  act?: DialogueAct;
  /** For a picture: the lines read from it that say what happened (masked), understood as the message. */
  keyLines?: string[];
}

/** Below this the classifier's guess is not trusted and the intent is `none` (see thresholds.ts). */
export const MIN_CONFIDENCE = thresholds.minConfidence;

/**
 * Chinese when its Chinese characters count at least half its letters (in English words of two or more
 * letters); undefined when it has neither (emoji, digits only). One pass over the text.
 */
export function detectLocale(text: string): Locale | undefined {
  let han = 0;
  let latin = 0;
  let run = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
      run++;
      continue;
    }
    if (run >= 2) latin += run;
    run = 0;
    if (code >= 0x3400 && code <= 0x9fff) han++;
  }
  if (han === 0 && latin === 0) return undefined;
  return han * 2 >= latin ? "zh-CN" : "en";
}

export function features(text: string): { normalized: string; entities: Entities; tokens: string[] } {
  const { canonical, normalized } = forms(text);
  const entities = extractEntities(canonical);
  return { normalized, entities, tokens: tokenize(normalized, entities) };
}

export class Nlu {
  constructor(
    readonly classifier: IntentClassifier,
    /** `posdesk eval --calibrate` measures at the thresholds it derives, before the file holds them. */
    readonly minConfidence = MIN_CONFIDENCE,
  ) {}

  understand(raw: string): Understanding {
    const text = maskCardNumbers(raw);
    const { normalized, entities, tokens } = features(text);
    const classified = onlyInterjections(normalized) ? NOTHING_SAID : this.classifier.classify(tokens);
    const routed = route(classified, entities, this.minConfidence);
    const act = detectAct(normalized);
    return {
      text,
      normalized,
      locale: detectLocale(normalized),
      entities,
      ...routed,
      ...(act ? { act } : {}),
    };
  }
}

/**
 * The text read from a picture of a screen or slip (with what the merchant typed, if anything), understood:
 * the lines that say what happened are the message; the rest of the screen only adds facts (an amount, the
 * masked card number, the terminal number on a slip), never the intent, and never answers a question.
 */
export function understandPicture(nlu: Nlu, read: string, typed = ""): Understanding {
  const masked = maskCardNumbers(read);
  const key = keyLines(masked);
  const focus = [key.length > 0 ? key.join("\n") : masked, typed].filter((t) => t.trim()).join("\n");
  const understood = nlu.understand(focus);
  const everything = features([masked, maskCardNumbers(typed)].join("\n")).entities;
  return { ...understood, entities: { ...everything, ...understood.entities }, keyLines: key };
}

/** What a message of interjections alone says: no intent, as a message of unknown words. */
const NOTHING_SAID: Classification = { intent: "none", confidence: 0, ranking: [] };

/** The contract's routing: a response code decides the flow when it points at one. */
function route(result: Classification, entities: Entities, minConfidence: number): Classification {
  let { intent, confidence, ranking } = result;
  const code = entities.responseCode;
  const target = code ? routeForCode(code) : undefined;
  if (target && intent !== "human_agent" && intent !== "goodbye") {
    const refusedSale =
      intent === "card_declined" || intent === "none" || intent === "greeting" || confidence < 0.6;
    if (target !== "card_declined" || refusedSale) {
      confidence = Math.max(confidence, 0.9);
      intent = target;
      ranking = [{ intent, confidence }, ...ranking.filter((r) => r.intent !== target)];
    }
  }
  if (confidence < minConfidence) intent = "none";
  return { intent, confidence, ranking };
}
