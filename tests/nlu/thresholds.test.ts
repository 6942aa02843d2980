import { describe, expect, it } from "vitest";
import type { IntentId } from "../../src/domain/intents.js";
import type { Ranked } from "../../src/nlu/classifier.js";
import { oodExamples, predictAll, trainPosdesk } from "../../src/nlu/evaluate.js";
import { deriveThresholds, type HeldOutGuess } from "../../src/nlu/threshold-rules.js";
import { loadThresholds } from "../../src/nlu/thresholds.js";
import { loadOodSet, loadTestSet, loadTrainingSet, uniquePhrases } from "../../src/nlu/training.js";

/** `n` held-out messages expecting `expected` whose best guess is `intent` at `confidence`. */
function guesses(n: number, expected: IntentId, intent: IntentId, confidence: number, second?: Ranked) {
  return Array.from(
    { length: n },
    (): HeldOutGuess => ({ expected, candidates: [{ intent, confidence }, ...(second ? [second] : [])] }),
  );
}

describe("threshold rules", () => {
  // In-domain: right from 0.5 up, and a few right guesses down at 0.35. Out of domain: guesses at 0.4 that
  // are wrong (a topic for a message outside POS support), and none at 0.9.
  const test = [
    ...guesses(40, "card_declined", "card_declined", 0.8),
    ...guesses(2, "refund_void", "refund_void", 0.35),
  ];
  const ood = [...guesses(6, "none", "terminal_dead", 0.4), ...guesses(10, "none", "none", 0.9)];

  it("cuts where the most held-out messages end up right, each set counting equally", () => {
    // Cut at 0.45: the two in-domain guesses at 0.35 become none (lost), the six at 0.4 become none (won).
    expect(deriveThresholds([test, ood]).minConfidence).toBe(0.45);
    // Without the out-of-domain set nothing below is worth cutting: the lowest cut keeps everything.
    expect(deriveThresholds([test]).minConfidence).toBe(0.05);
  });

  it("never cuts the test file below its 95% goal for the sake of the out-of-domain set", () => {
    // With 20 right guesses instead of 40, cutting at 0.45 would leave the test file at 20 of 22 (91%).
    const fewer = [...test.slice(20)];
    expect(deriveThresholds([fewer, ood]).minConfidence).toBe(0.05);
  });

  it("acts on a topic or a global intent from where it is right nine times in ten", () => {
    // The wrong guesses here are of another intent, not of none: cutting them would not make them right.
    const topics = [
      ...guesses(9, "printer_problem", "printer_problem", 0.72),
      ...guesses(1, "card_declined", "printer_problem", 0.72),
      ...guesses(3, "refund_void", "printer_problem", 0.62),
    ];
    const global = [...guesses(8, "goodbye", "goodbye", 0.85), ...guesses(2, "greeting", "goodbye", 0.55)];
    const thresholds = deriveThresholds([topics, global]);
    expect(thresholds.minConfidence).toBe(0.05);
    // From 0.65 up the topic guesses are 9 right of 10; from 0.6 the goodbyes 8 of 8.
    expect(thresholds.switchConfidence).toBe(0.65);
    expect(thresholds.globalConfidence).toBe(0.6);
  });

  it("never acts on a topic or a global intent below the cut", () => {
    const ood = [...guesses(6, "none", "goodbye", 0.55), ...guesses(6, "none", "terminal_dead", 0.55)];
    const thresholds = deriveThresholds([ood]);
    expect(thresholds.minConfidence).toBe(0.6);
    expect(thresholds.globalConfidence).toBe(0.6);
    expect(thresholds.switchConfidence).toBe(0.6);
  });

  it("asks between two topics only below the margin where the first is right less than seven times in ten", () => {
    const close = (n: number, firstRight: boolean, margin: number) =>
      guesses(n, firstRight ? "card_declined" : "limit_exceeded", "card_declined", 0.5 + margin, {
        intent: "limit_exceeded",
        confidence: 0.5,
      });
    const clarify = deriveThresholds([
      [...close(3, true, 0.05), ...close(3, false, 0.05), ...close(10, true, 0.3)],
    ]);
    // Below 0.1 and up to 0.3 the first is right 3 times in 6; from 0.35 on, 13 times in 16.
    expect(clarify.clarifyMargin).toBe(0.3);
    expect(deriveThresholds([close(10, true, 0.05)]).clarifyMargin).toBe(0);
  });
});

describe("intents/thresholds.json", () => {
  it("holds the thresholds the rules give on the held-out sets today (posdesk eval --calibrate)", async () => {
    const predict = await trainPosdesk(uniquePhrases(loadTrainingSet().examples));
    const derived = deriveThresholds([
      await predictAll(predict, loadTestSet()),
      await predictAll(predict, oodExamples(loadOodSet())),
    ]);
    expect(loadThresholds()).toEqual(derived);
  });
});
