import { describe, expect, it } from "vitest";
import type { PendingQuestion } from "../../src/domain/dialogue.js";
import { answerStrength, outcomeAtEnd, parseAnswer } from "../../src/engine/answer.js";
import { normalize } from "../../src/nlu/normalize.js";

const serialQuestion: PendingQuestion = { flow: "terminal_dead", options: ["unknown"], expect: "serial" };
const choiceQuestion: PendingQuestion = {
  flow: "card_read_error",
  options: ["chip", "swipe", "contactless"],
  expect: "choice",
};

describe("parseAnswer: the terminal serial", () => {
  it.each([
    ["N86012345678", "N86012345678"],
    ["sn123456", "SN123456"],
    ["it's WP5000123", "WP5000123"],
    ["P3000-889123", "P3000-889123"],
    ["序列号是 N860W123456", "N860W123456"],
    ["背面写着 qm2x00789 这个", "QM2X00789"],
  ])("takes %s as the serial when the bot asked for it", (text, serial) => {
    expect(parseAnswer(text, serialQuestion, "zh-CN").terminalSerial).toBe(serial);
  });

  it("takes a bare token as a serial only when the bot asked for the serial", () => {
    expect(parseAnswer("N86012345678", choiceQuestion, "zh-CN").terminalSerial).toBeUndefined();
    expect(parseAnswer("N86012345678", undefined, "zh-CN").terminalSerial).toBeUndefined();
  });

  it("reads a labelled serial whatever the question", () => {
    expect(parseAnswer("SN: N86012345678 插卡读不了", choiceQuestion, "zh-CN").terminalSerial).toBe(
      "N86012345678",
    );
  });

  it("finds no serial in words, short numbers or a run without a digit", () => {
    for (const text of ["我看看", "找不到", "12345", "ABCDEFGH", "等一下 2"])
      expect(parseAnswer(text, serialQuestion, "zh-CN").terminalSerial, text).toBeUndefined();
  });

  it("never takes a card number for a serial", () => {
    expect(parseAnswer("6222021234567894", serialQuestion, "zh-CN").terminalSerial).toBeUndefined();
  });

  it("still reads the quick reply to the serial question", () => {
    expect(parseAnswer("不清楚", serialQuestion, "zh-CN")).toMatchObject({ option: "unknown" });
    expect(parseAnswer("not sure", serialQuestion, "en")).toMatchObject({ option: "unknown" });
  });

  it("counts a serial given to the serial question as a strong answer, and nothing else as one", () => {
    expect(answerStrength(parseAnswer("WP5000123", serialQuestion, "en"), serialQuestion)).toBe("strong");
    expect(answerStrength(parseAnswer("我看看", serialQuestion, "zh-CN"), serialQuestion)).toBe("none");
  });
});

describe("parseAnswer: the card type", () => {
  it.each([
    ["信用卡刷不了", "credit"],
    ["储蓄卡", "debit"],
    ["a visa card", "foreign"],
    ["银联卡", "unionpay"],
  ])("reads the card type in %s", (text, cardType) => {
    expect(parseAnswer(text, choiceQuestion, "zh-CN").cardType).toBe(cardType);
  });

  it("leaves the card type out when the answer names none", () => {
    expect(parseAnswer("插卡", choiceQuestion, "zh-CN")).not.toHaveProperty("cardType");
  });
});

describe("outcomeAtEnd: how a fix went, told after what was done", () => {
  it.each([
    ["插卡就可以了", true],
    ["换了张卡可以了。", true],
    ["重启了一下好了", true],
    ["重启后还是不行啊", false],
    ["试了，还是没用", false],
    ["swapped the card and it worked", true],
    ["restarted it, still not working", false],
  ])("%s ends with %s", (text, yes) => {
    expect(outcomeAtEnd(["zh-CN", "en"], normalize(text))).toBe(yes);
  });

  it.each([
    "不行，现在又显示通讯失败",
    "重启后提示失败",
    "no, now it says comms error",
    "好了，但是打印机不出纸了",
    "还是提示51怎么办",
    "book",
  ])("%s tells no outcome: something new, or nothing at its end", (text) => {
    expect(outcomeAtEnd(["zh-CN", "en"], normalize(text))).toBeUndefined();
  });

  it("has none when the reply starts with the other answer", () => {
    expect(outcomeAtEnd("zh-CN", normalize("不行，重启后好了"))).toBeUndefined();
  });
});
