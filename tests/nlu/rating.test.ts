/** Reading a rating, and a skipped comment, in what merchants reply (words from intents/dialogue/). */
import { describe, expect, it } from "vitest";
import { isFeedback, isSkip, readRating } from "../../src/nlu/rating.js";

describe("a rating", () => {
  it.each([
    ["5", 5],
    ["1", 1],
    ["５", 5],
    ["5分", 5],
    ["五分", 5],
    ["打4分", 4],
    ["给5分吧", 5],
    ["三星", 3],
    ["4颗星", 4],
    ["五星好评", 5],
    ["满分", 5],
    ["非常满意", 5],
    ["很满意", 5],
    ["满意", 4],
    ["我觉得挺满意的", 4],
    ["还行", 3],
    ["一般般吧", 3],
    ["不满意", 2],
    ["不太满意", 2],
    ["很不满意", 1],
    ["非常不满意", 1],
    ["差评", 1],
    ["4/5", 4],
    ["3 out of 5", 3],
    ["5 stars", 5],
    ["very satisfied", 5],
    ["I'm very satisfied, thanks", 5],
    ["satisfied", 4],
    ["so so", 3],
    ["not satisfied", 2],
    ["i am not very satisfied", 2],
    ["very dissatisfied", 1],
  ])("%s is %i", (text, score) => {
    expect(readRating(text)).toEqual({ score, more: false });
  });

  it.each([
    ["不满意，等了太久", 2],
    ["满意 客服很耐心", 4],
    ["5分，很快就解决了", 5],
    ["客服很耐心，5分", 5],
    ["Satisfied, thanks for the quick fix", 4],
  ])("%s is %i with more said", (text, score) => {
    expect(readRating(text)).toEqual({ score, more: true });
  });

  it.each([
    "一般多久到账？",
    "等了15分钟",
    "一分钱都没到",
    "3号",
    "10分",
    "刷卡提示51",
    "good morning",
    "ok",
    "好的",
    "谢谢",
    "no",
  ])("is not in %s", (text) => {
    expect(readRating(text)).toBeUndefined();
  });
});

describe("a skipped comment", () => {
  it.each(["跳过", "没有了，谢谢", "不用了", "算了", "no thanks", "nothing to add", "Skip"])(
    "is %s",
    (text) => {
      expect(isSkip(text)).toBe(true);
    },
  );

  it.each(["客服很耐心", "too slow", "没有信号"])("is not %s", (text) => {
    expect(isSkip(text)).toBe(false);
  });
});

describe("feedback on the help", () => {
  it.each(["太慢了", "客服回复太慢了", "too slow", "the agent was rude"])("is %s", (text) => {
    expect(isFeedback(text)).toBe(true);
  });

  it.each(["打印机卡纸了", "no signal", "钱没到账"])("is not %s", (text) => {
    expect(isFeedback(text)).toBe(false);
  });
});
