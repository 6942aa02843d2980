/**
 * The engine's thresholds, derived from how the classifier does on held-out messages (the test file and the
 * out-of-domain set), each by a rule written down here and in the README. `posdesk eval --calibrate` writes
 * them to `intents/thresholds.json`; a test derives them again and checks the file still holds them.
 */

import { type IntentId, isTopic } from "../domain/intents.js";
import type { Ranked } from "./classifier.js";
import type { Thresholds } from "./thresholds.js";

/** A held-out message as the classifier saw it: the right intent and its best guesses, most likely first. */
export interface HeldOutGuess {
  expected: IntentId;
  /** At least the best guess; the second is needed for the margin. */
  candidates: readonly Ranked[];
}

/** The accuracy the test file is to keep (issue 8), whatever the cut does for the out-of-domain set. */
export const HELD_OUT_GOAL = 0.95;
/** Thresholds are chosen among these values. */
export const GRID = Array.from({ length: 19 }, (_, i) => round((i + 1) * 0.05));
/** A topic switch or a global intent must be right this often from its threshold up. */
export const ACT_PRECISION = 0.9;
/** Below the clarify margin the best of two close topics is right less often than this. */
export const CLARIFY_ACCURACY = 0.8;
/** The fewest close calls the clarify margin is judged on. */
export const CLARIFY_MIN_MESSAGES = 5;

const GLOBAL_INTENTS: ReadonlySet<IntentId> = new Set(["human_agent", "greeting", "goodbye"]);

export const RULES: Record<keyof Thresholds, string> = {
  minConfidence:
    "the cut (0.05 steps) that makes the most held-out messages right when every guess below it becomes none, the test file and the out-of-domain set counting equally, among the cuts that keep the test file at 95% or more; the lowest of equals",
  switchConfidence: `the lowest step, not below minConfidence, from which troubleshooting-topic guesses are right at least ${pct(ACT_PRECISION)} of the time`,
  globalConfidence: `the lowest step, not below minConfidence, from which human_agent, greeting and goodbye guesses are right at least ${pct(ACT_PRECISION)} of the time`,
  clarifyMargin: `the largest step such that, of the messages whose two best guesses are topics and one of them is right, those closer than it have the first right less than ${pct(CLARIFY_ACCURACY)} of the time (at least ${CLARIFY_MIN_MESSAGES} of them); 0 when none is`,
};

/** What the engine does with a guess at a minimum confidence: below it the intent is none. */
export function finalIntent(best: Ranked, minConfidence: number): IntentId {
  return best.confidence >= minConfidence ? best.intent : "none";
}

/** Each held-out set (the test file, the out-of-domain set) counts equally in the cut, whatever its size. */
export function deriveThresholds(sets: readonly (readonly HeldOutGuess[])[]): Thresholds {
  const bestOf = (guesses: readonly HeldOutGuess[]) =>
    guesses.flatMap((g) => (g.candidates[0] ? [{ expected: g.expected, best: g.candidates[0] }] : []));
  const perSet = sets.map(bestOf).filter((set) => set.length > 0);
  const best = perSet.flat();
  let minConfidence = GRID[0] ?? 0;
  let mostRight = -1;
  let goalsMet = -1;
  for (const cut of GRID) {
    const accuracies = perSet.map(
      (set) => set.filter((g) => finalIntent(g.best, cut) === g.expected).length / set.length,
    );
    const right = accuracies.reduce((sum, a) => sum + a, 0) / Math.max(perSet.length, 1);
    // A cut that keeps the test file (the first set) at its accuracy goal wins; then the one with most right.
    const met = (accuracies[0] ?? 0) >= HELD_OUT_GOAL ? 1 : 0;
    if (met > goalsMet || (met === goalsMet && right > mostRight + 1e-12)) {
      [minConfidence, mostRight, goalsMet] = [cut, right, met];
    }
  }
  const actFrom = (kind: (intent: IntentId) => boolean) => {
    const guesses = best.filter((g) => kind(g.best.intent));
    const step = GRID.find((cut) => {
      if (cut < minConfidence) return false;
      const sure = guesses.filter((g) => g.best.confidence >= cut);
      return (
        sure.length === 0 ||
        sure.filter((g) => g.best.intent === g.expected).length / sure.length >= ACT_PRECISION
      );
    });
    return step ?? 1;
  };
  const close = sets
    .flat()
    .flatMap(({ expected, candidates: [first, second] }) =>
      first &&
      second &&
      isTopic(first.intent) &&
      isTopic(second.intent) &&
      (first.intent === expected || second.intent === expected)
        ? [{ margin: first.confidence - second.confidence, firstRight: first.intent === expected }]
        : [],
    );
  const clarifyMargin =
    [...GRID].reverse().find((step) => {
      const closer = close.filter((c) => c.margin < step);
      return (
        closer.length >= CLARIFY_MIN_MESSAGES &&
        closer.filter((c) => c.firstRight).length / closer.length < CLARIFY_ACCURACY
      );
    }) ?? 0;
  return {
    minConfidence,
    globalConfidence: actFrom((intent) => GLOBAL_INTENTS.has(intent)),
    switchConfidence: actFrom(isTopic),
    clarifyMargin,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}
