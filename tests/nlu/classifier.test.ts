/** The classifier's ranking: every intent once, most likely first. */
import { describe, expect, it } from "vitest";
import { IntentClassifier, type TrainingDocument } from "../../src/nlu/classifier.js";

const documents: TrainingDocument[] = [
  { intent: "card_declined", tokens: ["卡", "拒", "卡拒", "declin"] },
  { intent: "card_declined", tokens: ["卡", "刷", "刷卡", "fail"] },
  { intent: "printer_problem", tokens: ["打", "印", "打印", "纸"] },
  { intent: "printer_problem", tokens: ["printer", "paper", "jam"] },
  { intent: "settlement_delay", tokens: ["钱", "到", "到账", "settl"] },
  { intent: "none", tokens: ["天", "气", "天气"], group: "weather" },
  { intent: "none", tokens: ["flight", "ticket"], group: "travel" },
];

describe("the classifier's ranking", () => {
  const classifier = IntentClassifier.train(documents);

  it("holds every intent once, most likely first, the top one the answer", () => {
    const result = classifier.classify(["打", "印", "打印", "纸"]);
    expect(result.ranking.map((r) => r.intent).sort()).toEqual([...classifier.intents].sort());
    const confidences = result.ranking.map((r) => r.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(result.ranking[0]).toEqual({ intent: "printer_problem", confidence: result.confidence });
    expect(result.intent).toBe("printer_problem");
  });

  it("keeps intents that are equally likely in the model's order", () => {
    // Two intents learnt from the same tokens, as often: whatever the message, they score the same.
    const twins = IntentClassifier.train([
      { intent: "printer_problem", tokens: ["打印"] },
      { intent: "card_declined", tokens: ["打印"] },
      { intent: "settlement_delay", tokens: ["到账", "钱"] },
    ]);
    for (const tokens of [["打印"], ["到账"], ["天气"]]) {
      const ranked = twins.classify(tokens).ranking.map((r) => r.intent);
      const twinsInOrder = ranked.filter((intent) => intent !== "settlement_delay");
      expect(twinsInOrder).toEqual(["printer_problem", "card_declined"]);
      expect(Math.abs(ranked.indexOf("printer_problem") - ranked.indexOf("card_declined"))).toBe(1);
    }
  });

  it("is the same for the same message, however many messages came before", () => {
    const first = classifier.classify(["钱", "到账", "unknown"]);
    classifier.classify(["卡", "拒"]);
    classifier.classify(["flight", "ticket", "天气"]);
    expect(classifier.classify(["钱", "到账", "unknown"])).toEqual(first);
  });
});
