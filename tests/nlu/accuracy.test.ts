import { describe, expect, it } from "vitest";
import { INTENTS } from "../../src/nlu/intents.js";
import { loadNlu } from "../../src/nlu/model.js";
import { normalize } from "../../src/nlu/normalize.js";
import { loadTestSet, loadTrainingSet } from "../../src/nlu/training.js";

const training = loadTrainingSet().examples;
const testSet = loadTestSet();

describe("training data", () => {
  it("has at least 30 phrases for every intent in both languages", () => {
    for (const locale of ["zh-CN", "en"] as const) {
      for (const intent of INTENTS) {
        const count = training.filter((e) => e.locale === locale && e.intent === intent).length;
        expect(count, `${intent} ${locale}`).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it("shares no message with the held-out test set", () => {
    const trained = new Set(training.map((e) => normalize(e.text)));
    const copied = testSet.filter((e) => trained.has(normalize(e.text))).map((e) => e.text);
    expect(copied).toEqual([]);
  });
});

describe("the classifier on the held-out test set", () => {
  it("is at least 90% accurate", () => {
    const { nlu } = loadNlu({ cache: false });
    const correct = testSet.filter((e) => nlu.understand(e.text).intent === e.intent).length;
    expect(correct / testSet.length).toBeGreaterThanOrEqual(0.9);
  });
});
