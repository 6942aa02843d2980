import { describe, expect, it } from "vitest";
import { normalize } from "../../src/nlu/normalize.js";
import { tokenize } from "../../src/nlu/tokenize.js";

const features = (text: string) => tokenize(normalize(text));

describe("tokenize", () => {
  it("gives Chinese runs character unigrams and bigrams", () => {
    expect(features("签到失败")).toEqual(["签", "签到", "到", "到失", "失", "失败", "败"]);
  });

  it("reads chat shorthand as the word it stands for", () => {
    expect(features("thx")).toContain("thank");
    expect(features("thanks")).toContain("thank");
    expect(features("cya")).toContain("bye");
  });

  it("reads a contraction as a negation, with or without its apostrophe", () => {
    expect(features("doesn't work")).toContain("not");
    expect(features("cant pay")).toContain("not");
  });

  it("reads 88 as bye-bye only when it is the whole message", () => {
    expect(features("88")).toContain("拜拜");
    expect(features("刷了88 没到账")).not.toContain("拜拜");
  });

  it("gives a misspelt word most of the character trigrams of the right one", () => {
    const right = new Set(features("refund").filter((t) => t.startsWith("~")));
    const typo = features("refud").filter((t) => t.startsWith("~"));
    expect(typo.filter((t) => right.has(t)).length).toBeGreaterThanOrEqual(2);
  });

  it("turns a bare response code into a hint of where it routes, not a word", () => {
    const tokens = features("a0 what to do");
    expect(tokens).toContain("#bare:signin_key_error");
    expect(tokens).not.toContain("a0");
  });

  it("turns an extracted code and amount into class tokens", () => {
    expect(tokenize("交易失败", { responseCode: "61", amount: 5000 })).toEqual(
      expect.arrayContaining(["#code", "#code:limit_exceeded", "#amount"]),
    );
  });
});
