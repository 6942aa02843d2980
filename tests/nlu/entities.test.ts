import { describe, expect, it } from "vitest";
import { extractEntities } from "../../src/nlu/entities.js";

describe("extractEntities", () => {
  it.each([
    ["刷卡提示51", { responseCode: "51" }],
    ["交易失败 提示05", { responseCode: "05" }],
    ["返回码14", { responseCode: "14" }],
    ["code 05 declined", { responseCode: "05" }],
    ["显示A0", { responseCode: "A0" }],
    ["error a7 again", { responseCode: "A7" }],
    ["交易失败51错误", { responseCode: "51" }],
    ["51", { responseCode: "51" }],
    ["交易失败 97", { responseCode: "97" }],
    ["declined 05 again", { responseCode: "05" }],
  ])("finds the response code in %s", (text, expected) => {
    expect(extractEntities(text)).toMatchObject(expected);
  });

  // What a photo of a screen or slip reads as: labels, brackets, codes beside their messages, OCR's slips.
  it.each([
    ["应答码：51", "51"],
    ["RC:05", "05"],
    ["交易失败 A0", "A0"],
    ["响应码 51", "51"],
    ["Resp Code: 05", "05"],
    ["错误码（51）", "51"],
    ["ERR-96", "96"],
    ["失败原因：05", "05"],
    ["拒绝交易 51", "51"],
    ["交易失败（14）", "14"],
    ["[51] 余额不足", "51"],
    ["余额不足(51)", "51"],
    ["05DO NOT HONOUR", "05"],
    ["INSUFFICIENT FUNDS 51", "51"],
    ["批次号不一致，请重新签到 77", "77"],
    ["APPROVED 00", "00"],
    ["交易失败 AO", "A0"],
    ["应答码：O5", "05"],
    ["消费\n交易失败\n应答码：51\n余额不足\n请按确认键返回", "51"],
  ])("finds the response code as a screen or slip shows it: %s", (text, code) => {
    expect(extractEntities(text).responseCode).toBe(code);
  });

  it("takes no code from the numbers on a slip that are not one", () => {
    const slip = [
      "POS签购单",
      "商户编号: 898310048160001",
      "终端编号: 10008888",
      "批次号: 000123 凭证号: 000456",
      "参考号: 310012345678",
      "授权码: 123456",
      "日期时间: 2026/11/30 14:05:33",
      "金额: RMB 51.00",
    ].join("\n");
    expect(extractEntities(slip).responseCode).toBeUndefined();
  });

  it.each([
    ["刷了5000没到账", 5000],
    ["5k", 5000],
    ["五千块", 5000],
    ["两万三", 23000],
    ["3,000元", 3000],
    ["¥300", 300],
    ["1.5万", 15000],
    ["昨天刷的5000", 5000],
    ["charged $120.50", 120.5],
  ])("reads the amount in %s", (text, amount) => {
    expect(extractEntities(text).amount).toBe(amount);
  });

  it.each([
    ["插卡没反应", "chip"],
    ["磁条刷不了", "swipe"],
    ["挥卡不行", "contactless"],
    ["tap to pay fails", "contactless"],
    ["chip not read", "chip"],
  ])("reads the entry mode in %s", (text, mode) => {
    expect(extractEntities(text).entryMode).toBe(mode);
  });

  it("does not take a count for an amount", () => {
    expect(extractEntities("扣了2次").amount).toBeUndefined();
    expect(extractEntities("charged 2 times").amount).toBeUndefined();
  });

  it("does not take an amount or a time for a response code", () => {
    expect(extractEntities("刷了51块").responseCode).toBeUndefined();
    expect(extractEntities("上午10点刷的").responseCode).toBeUndefined();
    expect(extractEntities("上午十点刷的").amount).toBeUndefined();
  });

  it("takes a bare number for a code only when a code was asked for", () => {
    expect(extractEntities("我看到是 12", { expectCode: true }).responseCode).toBe("12");
  });

  it.each([
    ["余额不足", "51"],
    ["屏幕上显示：请持卡人与发卡行联系", "01"],
    ["it says do not honor", "05"],
    ["says call issuer", "01"],
    ["密码错误", "55"],
  ])("asked for the code, takes what the screen says for its code: %s → %s", (text, code) => {
    expect(extractEntities(text, { expectCode: true, codeByMessage: true }).responseCode).toBe(code);
  });

  it("takes no code from a message two codes share, or from one that is no refusal", () => {
    const asked = { expectCode: true, codeByMessage: true };
    expect(extractEntities("卡已过期", asked).responseCode).toBeUndefined();
    expect(extractEntities("密码错误次数超限", asked).responseCode).toBeUndefined();
    expect(extractEntities("交易成功", asked).responseCode).toBeUndefined();
  });

  it("takes a message alone for a code only when asked to", () => {
    expect(extractEntities("余额不足").responseCode).toBeUndefined();
    expect(extractEntities("余额不足", { expectCode: true }).responseCode).toBeUndefined();
  });

  it("reads the terminal serial, phone and card type", () => {
    expect(extractEntities("SN: N86012345678 信用卡 电话13800138000")).toMatchObject({
      terminalSerial: "N86012345678",
      phone: "13800138000",
      cardType: "credit",
    });
  });

  it("takes a bare token for the terminal serial only when the serial was asked for", () => {
    expect(extractEntities("N86012345678", { expectSerial: true }).terminalSerial).toBe("N86012345678");
    expect(extractEntities("sn123456", { expectSerial: true }).terminalSerial).toBe("SN123456");
    expect(extractEntities("SN123456 好", { expectSerial: true }).terminalSerial).toBe("SN123456");
    expect(extractEntities("是这个 wp5000-123 吧", { expectSerial: true }).terminalSerial).toBe("WP5000-123");
    expect(extractEntities("N86012345678").terminalSerial).toBeUndefined();
  });

  it("takes no serial without a digit, shorter than 6 or longer than 24 characters", () => {
    for (const text of ["ABCDEFGH", "A1234", "A12345678901234567890123456"])
      expect(extractEntities(text, { expectSerial: true }).terminalSerial, text).toBeUndefined();
  });

  it("prefers a labelled serial to another token when the serial was asked for", () => {
    expect(extractEntities("订单 12345678 序列号 N86012345678", { expectSerial: true }).terminalSerial).toBe(
      "N86012345678",
    );
  });

  it("never takes a card number, or the digits around one, for a serial", () => {
    expect(extractEntities("6222021234567894", { expectSerial: true }).terminalSerial).toBeUndefined();
    expect(
      extractEntities("12345678901234567890123456789", { expectSerial: true }).terminalSerial,
    ).toBeUndefined();
  });

  it("reports a masked card number, never the digits", () => {
    expect(extractEntities("卡 622202******7894 刷不了").maskedPan).toBe("622202******7894");
    expect(extractEntities("卡号6222021234567894").maskedPan).toBe("622202******7894");
  });
});
