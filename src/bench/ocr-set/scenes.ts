/**
 * What the pictures of the OCR set show: terminal screens (monochrome LCD, smart POS, countertop) and slips,
 * in Chinese and English, each with the response code on it (or an on-screen message without one) written
 * the many ways terminals write them (faults.ts). Laid out here as blocks; drawn by render.ts.
 */
import { fitSize, pick, type SceneContent } from "./faults.js";

export type Style = "lcd" | "smart" | "countertop" | "slip";

/** One line (or bar, button, icon) of a screen, laid out top to bottom. */
export interface Block {
  kind: "text" | "bar" | "button" | "icon" | "rule" | "space";
  text?: string;
  size: number;
  bold?: boolean;
  align?: "left" | "center";
  color?: string;
}

export interface Scene {
  style: Style;
  /** Logical size of the screen or slip, in CSS pixels; drawn at any scale. */
  width: number;
  height: number;
  background: string;
  foreground: string;
  font: string;
  blocks: Block[];
}

const words = {
  "zh-CN": {
    sale: "消费",
    failed: "交易失败",
    press: "请按确认键返回",
    amount: "金额",
    ok: "确定",
    app: "收银台",
  },
  en: { sale: "SALE", failed: "DECLINED", press: "PRESS ENTER", amount: "AMOUNT", ok: "OK", app: "Payment" },
};

/** A monochrome LCD: an inverted title bar, the result, the code, the message. 320 × 240. */
export function lcdScene(c: SceneContent, rand: () => number): Scene {
  const w = words[c.locale];
  const [background, foreground] = pick(rand, [
    ["#b8c8a0", "#1c2418"],
    ["#cfd8dc", "#1a1f24"],
    ["#a9c2d6", "#101820"],
    // a dim, worn display: little contrast left
    ["#9fb08a", "#3e4c38"],
  ] as const);
  const font = pick(rand, ["WenQuanYi Zen Hei Sharp", "WenQuanYi Zen Hei Mono", "WenQuanYi Zen Hei"]);
  const blocks: Block[] = [
    { kind: "bar", text: w.sale, size: 20 },
    { kind: "space", size: 14 },
    { kind: "text", text: headline(c), size: fitSize(headline(c), 26, 290), bold: true },
  ];
  addCodeAndMessage(blocks, c, 20, 290);
  blocks.push({ kind: "space", size: 10 }, { kind: "text", text: w.press, size: 15 });
  return { style: "lcd", width: 320, height: 240, background, foreground, font, blocks };
}

/** A smart POS (Android): status bar, app bar, a red warning sign, the result, a button. 360 × 640. */
export function smartScene(c: SceneContent, rand: () => number): Scene {
  const w = words[c.locale];
  const font = c.locale === "en" ? pick(rand, ["DejaVu Sans", "WenQuanYi Zen Hei"]) : "WenQuanYi Zen Hei";
  const blocks: Block[] = [
    { kind: "bar", text: w.app, size: 20, color: pick(rand, ["#1565c0", "#c62828", "#00796b"]) },
    { kind: "space", size: 50 },
    { kind: "icon", size: 80, color: "#e53935" },
    { kind: "space", size: 24 },
    {
      kind: "text",
      text: headline(c),
      size: fitSize(headline(c), 28, 320),
      bold: true,
      align: "center",
    },
    { kind: "space", size: 16 },
  ];
  addCodeAndMessage(blocks, c, 19, 320, "center", "#455a64");
  blocks.push(
    { kind: "space", size: 18 },
    { kind: "text", text: `${w.amount}: ¥${c.amount}`, size: 17, align: "center", color: "#607d8b" },
    { kind: "space", size: 90 },
    { kind: "button", text: w.ok, size: 20, color: "#1565c0" },
  );
  return {
    style: "smart",
    width: 360,
    height: 640,
    background: "#fafafa",
    foreground: "#212121",
    font,
    blocks,
  };
}

/** A countertop terminal: light text on a dark screen, upper case. 320 × 240. */
export function countertopScene(c: SceneContent, rand: () => number): Scene {
  const w = words[c.locale];
  const foreground = pick(rand, ["#f5f5f5", "#ffe082", "#b2ff59"]);
  const font = c.locale === "en" ? "DejaVu Sans Mono" : "WenQuanYi Zen Hei Mono";
  const blocks: Block[] = [
    { kind: "text", text: w.sale, size: 18 },
    { kind: "rule", size: 10 },
    { kind: "text", text: headline(c), size: fitSize(headline(c), 24, 290), bold: true },
  ];
  addCodeAndMessage(blocks, c, 19, 290);
  blocks.push({ kind: "space", size: 10 }, { kind: "text", text: w.press, size: 16 });
  return { style: "countertop", width: 320, height: 240, background: "#101418", foreground, font, blocks };
}

/**
 * A thermal slip (58 mm paper): merchant and terminal numbers, the masked card number as slips print it,
 * batch, voucher and reference numbers, the amount, and the result with its code. 384 wide.
 */
export function slipScene(c: SceneContent, rand: () => number): Scene {
  const zh = c.locale === "zh-CN";
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join("");
  const font = zh ? "WenQuanYi Zen Hei Mono" : pick(rand, ["DejaVu Sans Mono", "WenQuanYi Zen Hei Mono"]);
  const line = (text: string, size = 17): Block => ({ kind: "text", text, size });
  const pan = `${pick(rand, ["622202", "621700", "625807", "436742"])}******${digits(4)}`;
  const blocks: Block[] = [
    { kind: "text", text: zh ? "POS签购单" : "POS SALES SLIP", size: 24, bold: true, align: "center" },
    { kind: "text", text: zh ? "商户存根" : "MERCHANT COPY", size: 16, align: "center" },
    { kind: "rule", size: 12 },
    line(zh ? `商户名称: 惠民便利店` : "MERCHANT: HUIMIN STORE"),
    line(zh ? `商户编号: 898${digits(12)}` : `MID: 898${digits(12)}`),
    line(zh ? `终端编号: ${digits(8)}` : `TID: ${digits(8)}`),
    line(zh ? `卡号: ${pan}` : `CARD NO: ${pan}`),
    line(zh ? "交易类型: 消费" : "TYPE: SALE"),
    line(zh ? `批次号: ${digits(6)}` : `BATCH: ${digits(6)}`),
    line(zh ? `凭证号: ${digits(6)}` : `TRACE: ${digits(6)}`),
    line(zh ? `参考号: ${digits(12)}` : `REF: ${digits(12)}`),
    line(
      `${zh ? "日期时间" : "DATE"}: 2026/11/${10 + Math.floor(rand() * 19)} 1${Math.floor(rand() * 9)}:${digits(2).replace(/^[6-9]/, "4")}`,
    ),
    line(zh ? `金额: RMB ${c.amount}` : `AMOUNT: RMB ${c.amount}`, 20),
    { kind: "rule", size: 12 },
  ];
  if (c.fault.code === "00") blocks.push(line(c.codeLine ?? "", 19), line(zh ? "交易成功" : "APPROVED", 19));
  else {
    blocks.push(line(zh ? "交易失败" : "DECLINED", 20));
    addCodeAndMessage(blocks, c, 19, 348);
  }
  blocks.push({ kind: "rule", size: 12 }, line(zh ? "持卡人签名:" : "SIGNATURE:", 16), {
    kind: "space",
    size: 30,
  });
  const height = blocks.reduce((h, b) => h + blockHeight(b), 24);
  // Thermal print fades: some slips are a pale grey.
  const foreground = pick(rand, ["#303030", "#4a4a4a", "#6e6e6e"]);
  return { style: "slip", width: 384, height, background: "#f4f2ea", foreground, font, blocks };
}

/** "交易失败" over a code; a message without a code is the headline itself. */
function headline(c: SceneContent): string {
  if (c.fault.code) return words[c.locale].failed;
  return c.locale === "en" ? c.fault.en : c.fault.zh;
}

function addCodeAndMessage(
  blocks: Block[],
  c: SceneContent,
  size: number,
  room: number,
  align: Block["align"] = "left",
  color?: string,
): void {
  const message = c.locale === "en" ? c.fault.en : c.fault.zh;
  const text = (t: string): Block => ({
    kind: "text",
    text: t,
    size: fitSize(t, size, room),
    align,
    ...(color ? { color } : {}),
  });
  if (c.codeLine) blocks.push(text(c.codeLine));
  // Without a code the message was the headline already; with one, it follows unless the code line had it.
  if (c.codeLine && !c.messageInCodeLine) blocks.push(text(message));
}

/** Vertical space a block takes. */
export function blockHeight(block: Block): number {
  switch (block.kind) {
    case "space":
    case "rule":
      return block.size;
    case "bar":
      return block.size * 2;
    case "button":
      return block.size * 2.4;
    case "icon":
      return block.size;
    default:
      return Math.round(block.size * 1.45);
  }
}

export function sceneFor(style: Style, c: SceneContent, rand: () => number): Scene {
  if (style === "lcd") return lcdScene(c, rand);
  if (style === "smart") return smartScene(c, rand);
  if (style === "countertop") return countertopScene(c, rand);
  return slipScene(c, rand);
}
