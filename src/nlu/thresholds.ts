/**
 * The confidence thresholds the engine acts on. They are not guessed: `posdesk eval --calibrate` derives
 * them from the classifier's calibration on held-out data and writes `intents/thresholds.json`; a test
 * checks the file still matches what the evaluation gives.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ROOT } from "../paths.js";

export const Thresholds = z.object({
  /** Below this the classifier's guess is not trusted and the intent is `none`. */
  minConfidence: z.number().min(0).max(1),
  /** A person, hello or goodbye is acted on from this confidence. */
  globalConfidence: z.number().min(0).max(1),
  /** A new problem statement this sure interrupts the current flow. */
  switchConfidence: z.number().min(0).max(1),
  /** Two topics whose confidences are closer than this are asked about ("A or B?"). */
  clarifyMargin: z.number().min(0).max(1),
});
export type Thresholds = z.infer<typeof Thresholds>;

export const THRESHOLDS_FILE = join(ROOT, "intents", "thresholds.json");

export function loadThresholds(file = THRESHOLDS_FILE): Thresholds {
  return Thresholds.parse(JSON.parse(readFileSync(file, "utf8")));
}

export const thresholds: Thresholds = loadThresholds();
