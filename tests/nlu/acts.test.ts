/** Dialogue acts: what a short reply does in the conversation, in everyday zh and en. */
import { describe, expect, it } from "vitest";
import { maskCardNumbers } from "../../src/domain/redact.js";
import {
  detectAct,
  detectCorrection,
  detectInterruption,
  givesCardNumberOnly,
  onlyInterjections,
} from "../../src/nlu/acts.js";
import { normalize } from "../../src/nlu/normalize.js";

const act = (text: string) => detectAct(normalize(text));

describe("dialogue acts", () => {
  it.each([
    ["不知道", "dont_know"],
    ["我也不太清楚啊", "dont_know"],
    ["忘了", "dont_know"],
    ["没注意", "dont_know"],
    ["看不懂", "dont_know"],
    ["不确定", "dont_know"],
    ["不曉得", "dont_know"],
    ["I don't know", "dont_know"],
    ["honestly no idea", "dont_know"],
    ["not sure", "dont_know"],
    ["dunno", "dont_know"],
    ["I forgot", "dont_know"],
    ["算了", "cancel"],
    ["算了，不弄了", "cancel"],
    ["never mind", "cancel"],
    ["再说一遍", "repeat"],
    ["什么意思？", "repeat"],
    ["what?", "repeat"],
    ["what do you mean", "repeat"],
    ["谢谢", "thanks"],
    ["thanks!", "thanks"],
    ["how are you doing", "how_are_you"],
    ["你是谁", "who_are_you"],
    ["你是机器人吗", "are_you_bot"],
    ["are you a bot?", "are_you_bot"],
    ["讲个笑话", "joke"],
    ["稍等", "hold_on"],
    ["稍等，我去看一下", "hold_on"],
    ["嗯 让我想想", "hold_on"],
    ["hold on", "hold_on"],
    ["hmm let me think", "hold_on"],
    ["let me check", "hold_on"],
    ["wait a sec please", "hold_on"],
    ["刚才说过了", "already_said"],
    ["我已经说过了啊", "already_said"],
    ["不是说了吗？", "already_said"],
    ["I already told you", "already_said"],
    ["like I said", "already_said"],
  ])("%s → %s", (text, expected) => {
    expect(act(text)).toBe(expected);
  });

  it.each([
    "打印不清楚",
    "不知道怎么办，机器开不了",
    "屏幕看不懂的英文提示 A0",
    "catch you later",
    "I don't know why the card was declined",
    "no",
    "嗯嗯",
    "my settlement is on hold",
    "let me check with a person",
    "我看一下为什么被冻结了",
    "我说了要转人工",
    "刚才说过了，是05",
    "I already told you it says 51",
  ])("%s is no bare act: it says more than that", (text) => {
    expect(act(text)).toBeUndefined();
  });
});

describe("interjections", () => {
  it.each(["嗯", "嗯嗯", "恩恩", "额……", "呃 呃", "哦。", "hmm", "uh...", "Umm"])(
    "%s says nothing by itself",
    (text) => {
      expect(onlyInterjections(normalize(text))).toBe(true);
    },
  );

  it.each(["嗯 好的", "额度不够", "哦 原来是这样", "hmm it says 51", "", "😭"])(
    "%s is more than interjections",
    (text) => {
      expect(onlyInterjections(normalize(text))).toBe(false);
    },
  );
});

describe("corrections", () => {
  it.each([
    ["不是51，是61", "61"],
    ["不是51是61", "61"],
    ["sorry I meant 61", "61"],
    ["not 51, it's 61", "61"],
  ])("%s corrects to %s", (text, value) => {
    expect(detectCorrection(text)).toBe(value);
  });

  it("说错了 with the value before it", () => {
    expect(detectCorrection("61，刚才说错了")).toContain("61");
  });

  it.each(["不是", "刷卡失败", "it is not working"])("%s corrects nothing", (text) => {
    expect(detectCorrection(text)).toBeUndefined();
  });
});

describe("side questions", () => {
  it("takes the question after the marker", () => {
    expect(detectInterruption(normalize("顺便问下手续费多少"))).toBe("手续费多少");
    expect(detectInterruption(normalize("btw what are the fees"))).toBe("what are the fees");
  });

  it("only at the start of the message", () => {
    expect(detectInterruption(normalize("我另外一台机器也这样"))).toBeUndefined();
  });
});

describe("a message that only gives a card number", () => {
  const gives = (text: string) => givesCardNumberOnly(maskCardNumbers(text));

  it("is the number alone, or with the words merchants put around one", () => {
    expect(gives("4111111111111111")).toBe(true);
    expect(gives("the card is 4111 1111 1111 1111")).toBe(true);
    expect(gives("card number: 4111-1111-1111-1111")).toBe(true);
    expect(gives("卡号是6222021234567894")).toBe(true);
    expect(gives("客户的卡号是 6222021234567894 哦")).toBe(true);
  });

  it("is not a problem told with a card number", () => {
    expect(gives("card 4111111111111111 cannot be read")).toBe(false);
    expect(gives("卡号6222021234567894刷卡提示51")).toBe(false);
  });

  it("needs a card number: the words alone, or a number that fails the Luhn check, are not one", () => {
    expect(gives("the card is")).toBe(false);
    expect(gives("卡号是1234567890123")).toBe(false);
  });
});
