import { describe, expect, it } from "vitest";
import { INTENTS } from "../../src/domain/intents.js";
import { metrics } from "../../src/nlu/evaluate.js";
import { loadNlu } from "../../src/nlu/model.js";
import { normalize } from "../../src/nlu/normalize.js";
import { loadOodSet, loadTestSet, loadTrainingSet } from "../../src/nlu/training.js";

const training = loadTrainingSet().examples;
const testSet = loadTestSet();
const oodSet = loadOodSet();

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

  it("shares no message with the held-out out-of-domain set", () => {
    const trained = new Set(training.map((e) => normalize(e.text)));
    const copied = oodSet.filter((e) => trained.has(normalize(e.text))).map((e) => e.text);
    expect(copied).toEqual([]);
  });
});

describe("the out-of-domain set", () => {
  it("has at least 300 messages outside POS support in each language, each once", () => {
    for (const locale of ["zh-CN", "en"] as const) {
      const none = oodSet.filter((e) => e.locale === locale && e.intent === "none");
      expect(none.length, locale).toBeGreaterThanOrEqual(300);
    }
    const texts = oodSet.map((e) => normalize(e.text));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("shares no message with the test file", () => {
    const tested = new Set(testSet.map((e) => normalize(e.text)));
    expect(oodSet.filter((e) => tested.has(normalize(e.text))).map((e) => e.text)).toEqual([]);
  });
});

describe("the classifier on the held-out test set", () => {
  const { nlu } = loadNlu({ cache: false });
  const result = metrics(
    testSet.map((e) => ({ expected: e.intent, predicted: nlu.understand(e.text).intent })),
    INTENTS,
  );

  it("is at least 95% accurate", () => {
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("has a macro-F1 of at least 0.94 over the intents", () => {
    expect(result.macroF1).toBeGreaterThanOrEqual(0.94);
  });
});

describe("the classifier on the held-out out-of-domain set", () => {
  const { nlu } = loadNlu({ cache: false });

  for (const locale of ["zh-CN", "en"] as const) {
    it(`understands at least 95% of the ${locale} messages outside POS support as none`, () => {
      const outside = oodSet.filter((e) => e.locale === locale && e.intent === "none");
      const none = outside.filter((e) => nlu.understand(e.text).intent === "none").length;
      expect(none / outside.length).toBeGreaterThanOrEqual(0.95);
    });
  }
});
