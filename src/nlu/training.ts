/**
 * Loads the training phrases (`intents/<locale>/<intent>.yaml`), the held-out test set and the held-out
 * out-of-domain set.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { IntentId, Locale } from "../domain/intents.js";
import { INTENTS_DIR } from "../paths.js";
import { normalize } from "./normalize.js";

export const IntentFile = z.object({
  intent: IntentId,
  locale: Locale,
  /**
   * An intent that covers many unrelated things (`none`: travel, cars, consumer banking, ...) is learnt as
   * several groups, one file each: a naive Bayes class spread over everything gives each of its words too
   * little weight to outvote a troubleshooting intent's few, focused words.
   */
  group: z
    .string()
    .regex(/^[a-z_]+$/)
    .optional(),
  phrases: z.array(z.coerce.string().min(1)).min(1),
});

export const LabelledExample = z.object({
  text: z.string().min(1),
  intent: IntentId,
  locale: Locale,
  group: z.string().optional(),
});
export type LabelledExample = z.infer<typeof LabelledExample>;

export interface TrainingSet {
  examples: LabelledExample[];
  /** A hash of every training file: a cached model is valid only for the same hash. */
  fingerprint: string;
}

export function loadTrainingSet(dir = INTENTS_DIR): TrainingSet {
  const hash = createHash("sha256");
  const examples: LabelledExample[] = [];
  for (const locale of Locale.options) {
    const localeDir = join(dir, locale);
    for (const file of readdirSync(localeDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const raw = readFileSync(join(localeDir, file), "utf8");
      hash.update(`${locale}/${file}\n${raw}`);
      const parsed = IntentFile.safeParse(parse(raw));
      if (!parsed.success) throw new Error(`${locale}/${file}: ${parsed.error.message}`);
      const { intent, group } = parsed.data;
      for (const text of parsed.data.phrases)
        examples.push({ text, intent, locale, ...(group ? { group } : {}) });
    }
  }
  return { examples, fingerprint: hash.digest("hex").slice(0, 16) };
}

/** The phrases with repeats (the same phrase once normalised) removed: a phrase counts once, wherever listed. */
export function uniquePhrases(examples: readonly LabelledExample[]): LabelledExample[] {
  const seen = new Set<string>();
  return examples.filter((e) => {
    const key = normalize(e.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const TEST_SET_FILE = join(INTENTS_DIR, "testset.jsonl");

export function loadTestSet(file = TEST_SET_FILE): LabelledExample[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => LabelledExample.parse(JSON.parse(line)));
}

export const OOD_SET_FILE = join(INTENTS_DIR, "ood.jsonl");

/**
 * A message outside card-terminal support. Almost all must be understood as `none`; small talk ("how are you
 * doing", "catch you later") carries the greeting or goodbye it must be understood as instead.
 */
export const OodExample = z.object({
  text: z.string().min(1),
  locale: Locale,
  /** What the message is about (travel, consumer_banking, lookalike, ...), for the per-category report. */
  category: z.string().min(1),
  intent: z.enum(["none", "greeting", "goodbye"]).default("none"),
});
export type OodExample = z.infer<typeof OodExample>;

export function loadOodSet(file = OOD_SET_FILE): OodExample[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => OodExample.parse(JSON.parse(line)));
}
