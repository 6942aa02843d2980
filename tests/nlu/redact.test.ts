import { describe, expect, it } from "vitest";
import { luhnValid, maskCardNumbers, maskDeep } from "../../src/nlu/redact.js";

describe("card number masking", () => {
  it.each([
    ["a 16-digit UnionPay number", "卡号6222021234567894", "卡号622202******7894"],
    ["a number written in groups", "4111 1111 1111 1111 declined", "411111******1111 declined"],
    ["a number with dashes", "4111-1111-1111-1111", "411111******1111"],
    ["two numbers", "4111111111111111 and 6222021234567894", "411111******1111 and 622202******7894"],
    ["a number glued to more digits", "138001380004111111111111111", "13800138000411111******1111"],
  ])("masks %s", (_what, input, expected) => {
    expect(maskCardNumbers(input)).toBe(expected);
  });

  it.each([
    ["a phone number", "13800138000"],
    ["a 16-digit run that fails the Luhn check", "1234567812345678"],
    ["a short amount", "刷了5000元"],
    ["a 12-digit reference number", "参考号 123456789012"],
  ])("leaves %s alone", (_what, text) => {
    expect(maskCardNumbers(text)).toBe(text);
  });

  it("never masks a UUID, though its digits read across the dashes may pass the Luhn check", () => {
    const id = "12345678-1234-4234-9234-123456789012";
    expect(maskCardNumbers(id.replaceAll("-", " "))).not.toBe(id.replaceAll("-", " "));
    expect(maskCardNumbers(id)).toBe(id);
    expect(maskCardNumbers(`conversation ${id}, card 4111 1111 1111 1111`)).toBe(
      `conversation ${id}, card 411111******1111`,
    );
  });

  it("checks Luhn", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });

  it("masks every string deep inside an object", () => {
    expect(maskDeep({ a: ["x 4111111111111111"], b: { c: "4111111111111111" }, n: 4 })).toEqual({
      a: ["x 411111******1111"],
      b: { c: "411111******1111" },
      n: 4,
    });
  });
});
