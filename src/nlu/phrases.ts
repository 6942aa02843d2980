/**
 * Adds learnt phrases to a training file (`intents/<locale>/<intent>.yaml`): into its `phrases:` list, once
 * per normalised form, never a card number, never a message of a held-out evaluation set. The file is replaced
 * atomically, so a model watching the folder never reads half of it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isScalar, isSeq, parse, parseDocument } from "yaml";
import type { IntentId, Locale } from "../domain/intents.js";
import { findMaskedPans, MASKED_PAN, maskCardNumbers } from "../domain/redact.js";
import { normalize } from "./normalize.js";
import { IntentFile } from "./training.js";

export interface SkippedPhrase {
  text: string;
  reason: "duplicate" | "in test set" | "empty";
}

export interface AddedPhrases {
  file: string;
  added: string[];
  skipped: SkippedPhrase[];
}

/** The phrase without any card number, masked or not: a card number teaches the model nothing. */
export function withoutCardNumbers(text: string): string {
  const cleaned = maskCardNumbers(text).replace(MASKED_PAN, " ").replace(/\s+/g, " ").trim();
  return findMaskedPans(cleaned).length === 0 ? cleaned : "";
}

/** The held-out evaluation files: the test set and the out-of-domain set are never training data. */
const HELD_OUT_FILES = ["testset.jsonl", "ood.jsonl"];

function testSetTexts(dir: string): Set<string> {
  return new Set(
    HELD_OUT_FILES.map((name) => join(dir, name))
      .filter((file) => existsSync(file))
      .flatMap((file) => readFileSync(file, "utf8").split("\n"))
      .filter((line) => line.trim())
      .map((line) => normalize(String((JSON.parse(line) as { text?: unknown }).text ?? ""))),
  );
}

export function addPhrases(
  dir: string,
  locale: Locale,
  intent: IntentId,
  texts: readonly string[],
): AddedPhrases {
  const file = join(dir, locale, `${intent}.yaml`);
  const raw = existsSync(file)
    ? readFileSync(file, "utf8")
    : `intent: ${intent}\nlocale: ${locale}\nphrases: []\n`;
  const doc = parseDocument(raw);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
  const phrases = doc.get("phrases");
  if (!isSeq(phrases)) throw new Error(`${file}: no phrases list`);
  const known = new Set(phrases.items.map((item) => normalize(String(isScalar(item) ? item.value : item))));
  const heldOut = testSetTexts(dir);
  const result: AddedPhrases = { file, added: [], skipped: [] };
  for (const text of texts) {
    const phrase = withoutCardNumbers(text);
    const key = normalize(phrase);
    if (!key) {
      result.skipped.push({ text, reason: "empty" });
    } else if (known.has(key)) {
      result.skipped.push({ text, reason: "duplicate" });
    } else if (heldOut.has(key)) {
      result.skipped.push({ text, reason: "in test set" });
    } else {
      known.add(key);
      phrases.flow = false;
      phrases.add(doc.createNode(phrase));
      result.added.push(phrase);
    }
  }
  if (result.added.length === 0) return result;
  const out = doc.toString({ lineWidth: 0 });
  const check = IntentFile.safeParse(parse(out));
  if (!check.success || check.data.intent !== intent || check.data.locale !== locale)
    throw new Error(`${file}: would not be a valid intent file; left unchanged`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return result;
}
