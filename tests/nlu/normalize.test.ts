import * as OpenCC from "opencc-js";
import { describe, expect, it } from "vitest";
import { canonicalChars, normalize } from "../../src/nlu/normalize.js";

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

describe("canonicalChars", () => {
  // OpenCC's conversion, run on every text: what canonicalChars must give however it gets there.
  const convert = OpenCC.Converter({ from: "t", to: "cn" });
  const expected = (text: string) => convert(text.normalize("NFKC"));

  it("converts every character as OpenCC does, alone and between others", () => {
    const differ: string[] = [];
    for (const [from, to] of [
      [0x3400, 0x9fff],
      [0xf900, 0xfaff],
      [0x20000, 0x2a6df],
    ] as const) {
      for (let code = from; code <= to; code++) {
        const char = String.fromCodePoint(code);
        for (const text of [char, `刷卡${char}失败`])
          if (canonicalChars(text) !== expected(text)) differ.push(text);
      }
    }
    expect(differ).toEqual([]);
  });

  it("converts every phrase of OpenCC's dictionaries as OpenCC does", () => {
    const config = OpenCC.Locale.configs.t2s as unknown as { conversionChain: OpenCC.DictGroup[] };
    const phrases = config.conversionChain
      .flat()
      .flatMap((dict) => (typeof dict === "string" ? dict.split("|").map((e) => e.split(" ")[0] ?? "") : []));
    expect(phrases.length).toBeGreaterThan(3000);
    const differ = phrases.filter((p) => canonicalChars(`我${p}了`) !== expected(`我${p}了`));
    expect(differ).toEqual([]);
  });

  it("leaves simplified Chinese and English as they are", () => {
    expect(canonicalChars("刷卡失败, 提示余额不足 card declined")).toBe(
      "刷卡失败, 提示余额不足 card declined",
    );
  });
});
