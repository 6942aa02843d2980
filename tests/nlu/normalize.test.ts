import { describe, expect, it } from "vitest";
import { normalize } from "../../src/nlu/normalize.js";

describe("normalize", () => {
  it.each([
    ["full-width letters and digits", "ＰＯＳ機　５１", "pos机 51"],
    ["traditional characters", "此卡無法交易", "此卡无法交易"],
    ["upper case", "CARD DECLINED", "card declined"],
    ["pinyin glued before its own character", "ka卡刷不了", "卡刷不了"],
    ["pinyin standing for a character", "shua卡失败", "刷卡失败"],
    ["separators hiding a word", "刷.卡.失.败", "刷卡失败"],
    ["homophone typos", "刷咔到帐了吗", "刷卡到账了吗"],
    ["emoji", "开不了机😭😭", "开不了机"],
    ["punctuation noise", "！！！通讯失败？？？", "通讯失败"],
    ["repeated characters", "啊啊啊啊啊啊", "啊啊啊"],
    ["spacing", "  pos   declined  ", "pos declined"],
  ])("folds %s", (_what, input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it("keeps decimal points and thousands separators inside numbers", () => {
    expect(normalize("刷了3,000.50元")).toBe("刷了3,000.50元");
  });

  it("is idempotent", () => {
    const once = normalize("ＰＯＳ機 shua卡 提示５１！！😡");
    expect(normalize(once)).toBe(once);
  });
});
