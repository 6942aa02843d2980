import { describe, expect, it } from "vitest";
import {
  luhnValid,
  maskCardNumbers,
  maskDeep,
  maskedJson,
  mayHoldCardNumber,
} from "../../src/domain/redact.js";

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

describe("maskedJson", () => {
  const records: [string, unknown][] = [
    [
      "a record without card numbers",
      { id: "c-1", text: "刷卡提示51", amount: 12.5, at: "2026-11-30T10:00:00.000Z" },
    ],
    [
      "a card number in a nested string",
      { facts: { note: "卡号 4111 1111 1111 1111 被拒" }, list: ["6222021234567890128"] },
    ],
    ["a card number glued to a phone number", { text: "1380013800041111111111111111" }],
    ["a UUID whose digits look like a card number", { id: "12345678-1234-1234-1234-123456789012" }],
    ["a long number that is not a string", { big: 4111111111111111, text: "ok" }],
    ["a card number as a key", { "4111111111111111": "x" }],
  ];

  it.each(records)("encodes %s as JSON.stringify(maskDeep(…)) does", (_what, value) => {
    expect(maskedJson(value)).toBe(JSON.stringify(maskDeep(value)));
  });

  it.each(records)("never says %s holds no card number when masking would change it", (_what, value) => {
    if (!mayHoldCardNumber(value)) expect(maskDeep(value)).toEqual(value);
  });

  it("finds a card number in an error's message", () => {
    expect(mayHoldCardNumber({ err: new Error("card 4111111111111111 declined") })).toBe(true);
  });
});
