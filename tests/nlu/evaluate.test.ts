import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INTENTS } from "../../src/domain/intents.js";
import {
  crossValidate,
  metrics,
  type Outcome,
  stratifiedFolds,
  trainPosdesk,
} from "../../src/nlu/evaluate.js";
import { normalize } from "../../src/nlu/normalize.js";
import { trainPeer } from "../../src/nlu/peer.js";
import { loadThresholds } from "../../src/nlu/thresholds.js";
import { type LabelledExample, loadOodSet, loadTrainingSet, uniquePhrases } from "../../src/nlu/training.js";

const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const training = loadTrainingSet().examples;
const byIntentAndLocale = (e: LabelledExample) => `${e.intent}/${e.locale}`;

function outcomes(pairs: string): Outcome<string>[] {
  return pairs.split(" ").map((pair) => {
    const [expected = "", predicted = ""] = pair.split(">");
    return { expected, predicted };
  });
}

describe("metrics", () => {
  // expected → predicted:   a   b   c   d
  //                     a   3   1   .   .
  //                     b   1   1   .   .
  //                     c   1   .   1   .
  //                     d   .   .   .   .
  const m = metrics(outcomes("a>a a>a a>a a>b b>b b>a c>a c>c"), ["a", "b", "c", "d"]);
  const score = (label: string) => m.perLabel.find((s) => s.label === label);

  it("counts the confusion matrix with expected labels as rows", () => {
    expect(m.confusion).toEqual([
      [3, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(m).toMatchObject({ total: 8, correct: 5, accuracy: 5 / 8 });
  });

  it("computes precision, recall and F1 per label", () => {
    expect(score("a")).toMatchObject({ support: 4, predicted: 5 });
    expect(score("a")?.precision).toBeCloseTo(3 / 5, 12);
    expect(score("a")?.recall).toBeCloseTo(3 / 4, 12);
    expect(score("a")?.f1).toBeCloseTo(2 / 3, 12);
    expect(score("b")?.precision).toBeCloseTo(1 / 2, 12);
    expect(score("b")?.recall).toBeCloseTo(1 / 2, 12);
    expect(score("b")?.f1).toBeCloseTo(1 / 2, 12);
    expect(score("c")?.precision).toBeCloseTo(1, 12);
    expect(score("c")?.recall).toBeCloseTo(1 / 2, 12);
    expect(score("c")?.f1).toBeCloseTo(2 / 3, 12);
  });

  it("averages F1 over the labels that occur, leaving out one never expected nor predicted", () => {
    expect(score("d")).toMatchObject({ support: 0, predicted: 0, precision: 0, recall: 0, f1: 0 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 / 2 + 2 / 3) / 3, 12);
  });

  it("gives a label that is expected but never predicted zero precision and recall", () => {
    const never = metrics(outcomes("a>b b>b"), ["a", "b"]);
    expect(never.perLabel[0]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(never.macroF1).toBeCloseTo((0 + 2 / 3) / 2, 12);
  });

  it("refuses a label outside the list", () => {
    expect(() => metrics(outcomes("a>z"), ["a"])).toThrow(/unknown label/);
  });
});

describe("stratified k-fold", () => {
  const phrases = uniquePhrases(training);
  const folds = stratifiedFolds(phrases, 5, byIntentAndLocale);

  it("puts every intent in every fold, on both sides", () => {
    expect(folds).toHaveLength(5);
    for (const fold of folds) {
      for (const intent of INTENTS) {
        expect(
          fold.test.some((e) => e.intent === intent),
          `${intent} in test`,
        ).toBe(true);
        expect(
          fold.train.some((e) => e.intent === intent),
          `${intent} in train`,
        ).toBe(true);
      }
    }
  });

  it("never has a phrase in both the training and the test side of a fold", () => {
    for (const fold of folds) {
      const trained = new Set(fold.train.map((e) => normalize(e.text)));
      expect(fold.test.filter((e) => trained.has(normalize(e.text)))).toEqual([]);
    }
  });

  it("tests every phrase exactly once, in folds of nearly equal size", () => {
    const tested = folds.flatMap((f) => f.test);
    expect(tested).toHaveLength(phrases.length);
    expect(new Set(tested).size).toBe(phrases.length);
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(INTENTS.length * 2);
  });

  it("shuffles the same way for the same seed, and differently for another", () => {
    const texts = (seed: number) =>
      stratifiedFolds(phrases, 5, byIntentAndLocale, seed).map((f) => f.test.map((e) => e.text));
    expect(texts(7)).toEqual(texts(7));
    expect(texts(7)).not.toEqual(texts(8));
  });

  it("drops repeated phrases before folding, so that none leaks across a fold", () => {
    const twice = [...training.slice(0, 3), ...training.slice(0, 3)];
    expect(uniquePhrases(twice)).toHaveLength(
      new Set(training.slice(0, 3).map((e) => normalize(e.text))).size,
    );
  });

  it("cross-validates posdesk's own training path, predicting each phrase once", async () => {
    const predictions = await crossValidate(trainPosdesk, training, 3);
    expect(predictions).toHaveLength(phrases.length);
    expect(metrics(predictions, INTENTS).accuracy).toBeGreaterThan(0.8);
  });
});

describe("the NLP.js peer", () => {
  it("trains on the same kind of phrases and answers none below its threshold", async () => {
    const peer = await trainPeer([
      { text: "此卡无法交易", intent: "card_declined", locale: "zh-CN" },
      { text: "刷卡被拒绝了", intent: "card_declined", locale: "zh-CN" },
      { text: "小票打不出来", intent: "printer_problem", locale: "zh-CN" },
      { text: "打印机没纸了", intent: "printer_problem", locale: "zh-CN" },
      { text: "card declined", intent: "card_declined", locale: "en" },
      { text: "printer out of paper", intent: "printer_problem", locale: "en" },
    ]);
    expect(peer.name).toMatch(/^NLP\.js \d/);
    const ask = (text: string, locale: "zh-CN" | "en") => peer.predict({ text, locale, intent: "none" });
    expect((await ask("打印机坏了", "zh-CN")).intent).toBe("printer_problem");
    expect((await ask("the card was declined", "en")).intent).toBe("card_declined");
    expect((await ask("what is the weather", "en")).intent).toBe("none");
  }, 60_000);
});

describe("posdesk eval (the built CLI)", () => {
  it("writes one JSON object with cross-validation, test-file and out-of-domain figures, calibration and speed", () => {
    const run = spawnSync(process.execPath, [BIN, "eval", "--json", "--folds", "3"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? "{}");
    expect(result).toMatchObject({
      folds: 3,
      trainingPhrases: expect.any(Number),
      testMessages: expect.any(Number),
    });
    expect(result.posdesk).toMatchObject({
      name: "posdesk",
      trainingMilliseconds: expect.any(Number),
      messagesPerSecond: expect.any(Number),
    });
    for (const report of [result.posdesk.crossValidation, result.posdesk.test]) {
      expect(report).toMatchObject({
        accuracy: expect.any(Number),
        macroF1: expect.any(Number),
        correct: expect.any(Number),
        total: expect.any(Number),
      });
      expect(report.perIntent.map((s: { intent: string }) => s.intent)).toEqual([...INTENTS]);
      expect(report.perIntent[0]).toEqual({
        intent: INTENTS[0],
        precision: expect.any(Number),
        recall: expect.any(Number),
        f1: expect.any(Number),
        support: expect.any(Number),
      });
      expect(report.confusion.labels).toEqual([...INTENTS]);
      expect(report.confusion.rows).toHaveLength(INTENTS.length);
      for (const miss of report.misclassified) {
        expect(Object.keys(miss).sort()).toEqual(["confidence", "expected", "got", "text"]);
      }
      expect(report.calibration.ece).toEqual(expect.any(Number));
      expect(report.calibration.bins).toHaveLength(10);
    }
    expect(result.thresholds).toEqual(loadThresholds());
    expect(result.oodMessages).toBe(loadOodSet().length);
    const ood = result.posdesk.ood;
    expect(ood.total).toBe(result.oodMessages);
    expect(ood.noneRate).toEqual({ "zh-CN": expect.any(Number), en: expect.any(Number) });
    expect(ood.smallTalk).toEqual({
      total: expect.any(Number),
      correct: expect.any(Number),
      accuracy: expect.any(Number),
    });
    expect(ood.calibration.bins.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(ood.total);
    expect(ood.byCategory.reduce((n: number, c: { total: number }) => n + c.total, 0)).toBe(ood.total);
    expect(result.posdesk.test.total).toBe(result.testMessages);
    expect(result.posdesk.crossValidation.total).toBe(result.trainingPhrases);
    expect(result.posdesk.messagesPerSecond).toBeGreaterThan(0);
    expect(result.peer).toBeUndefined();
  }, 60_000);

  it("refuses a bad option with a usage error", () => {
    const run = spawnSync(process.execPath, [BIN, "eval", "--folds", "1"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/--folds/);
  });
});
