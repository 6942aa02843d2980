/**
 * What the OCR set's pictures say: the faults (response codes with their messages, and messages without a
 * code), the ways terminals write a code, and a seeded random source so the set is the same every run.
 */

export interface Fault {
  code: string | null;
  zh: string;
  en: string;
  /** What the merchant needs, for a message without a code. */
  intent?: string;
}

/** Codes with their messages (domain.md), and messages that come without a code. */
export const FAULTS: Fault[] = [
  { code: "51", zh: "余额不足", en: "INSUFFICIENT FUNDS" },
  { code: "05", zh: "不予承兑", en: "DO NOT HONOUR" },
  { code: "14", zh: "无效卡号", en: "INVALID CARD NUMBER" },
  { code: "55", zh: "密码错误", en: "INCORRECT PIN" },
  { code: "61", zh: "超出金额限制", en: "EXCEEDS AMOUNT LIMIT" },
  { code: "65", zh: "超出消费次数限制", en: "EXCEEDS FREQUENCY LIMIT" },
  { code: "54", zh: "过期的卡", en: "EXPIRED CARD" },
  { code: "12", zh: "无效交易", en: "INVALID TRANSACTION" },
  { code: "96", zh: "系统异常", en: "SYSTEM MALFUNCTION" },
  { code: "97", zh: "终端未登记", en: "TERMINAL NOT REGISTERED" },
  { code: "A0", zh: "MAC校验错", en: "MAC ERROR" },
  { code: "99", zh: "PIN格式错", en: "PIN BLOCK ERROR" },
  { code: "03", zh: "无效商户", en: "INVALID MERCHANT" },
  { code: "41", zh: "挂失卡", en: "LOST CARD" },
  { code: "62", zh: "受限制的卡", en: "RESTRICTED CARD" },
  { code: "68", zh: "发卡行响应超时", en: "RESPONSE TOO LATE" },
  { code: "91", zh: "发卡方不能操作", en: "ISSUER INOPERATIVE" },
  { code: "94", zh: "重复交易", en: "DUPLICATE TRANSACTION" },
  { code: "22", zh: "操作有误", en: "SUSPECTED MALFUNCTION" },
  { code: "25", zh: "找不到原始交易", en: "ORIGINAL NOT FOUND" },
  { code: "77", zh: "批次号不一致", en: "BATCH OUT OF SYNC" },
  { code: "57", zh: "不允许持卡人进行的交易", en: "NOT PERMITTED TO CARDHOLDER" },
  { code: "13", zh: "无效金额", en: "INVALID AMOUNT" },
  { code: null, zh: "通讯失败", en: "COMMUNICATION ERROR", intent: "network_failure" },
  { code: null, zh: "请先签到", en: "PLEASE SIGN ON FIRST", intent: "signin_key_error" },
  { code: null, zh: "交易超时", en: "TRANSACTION TIMEOUT", intent: "network_failure" },
  { code: null, zh: "密钥错误", en: "KEY ERROR", intent: "signin_key_error" },
  { code: null, zh: "读卡失败", en: "CARD READ ERROR", intent: "card_read_error" },
  { code: null, zh: "连接超时", en: "CONNECTION TIMEOUT", intent: "network_failure" },
];

/** The ways a code is written on screens and slips; `{c}` the code, `{m}` its message. */
const CODE_FORMATS = {
  "zh-CN": [
    "应答码：{c}",
    "应答码:{c}",
    "响应码 {c}",
    "错误码：{c}",
    "返回码={c}",
    "交易失败 {c}",
    "错误码({c})",
    "[{c}] {m}",
    "{m}({c})",
    "失败原因：{c}",
    "RC:{c}",
  ],
  en: [
    "RC:{c}",
    "Resp Code: {c}",
    "RESPONSE CODE {c}",
    "ERROR {c}",
    "DECLINED {c}",
    "CODE {c} - {m}",
    "ERR-{c}",
    "Reason code {c}",
  ],
} as const;

export type SetLocale = keyof typeof CODE_FORMATS;

export const pick = <T>(rand: () => number, items: readonly T[]): T =>
  items[Math.floor(rand() * items.length)] as T;

export const between = (rand: () => number, low: number, high: number) => low + rand() * (high - low);

/**
 * The font size at which `text` fits in `room` pixels, at most `size`: terminals shrink a long message
 * rather than cut it. Chinese characters are about as wide as the size, Latin ones about two thirds.
 */
export function fitSize(text: string, size: number, room: number): number {
  const ems = [...text].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.66), 0);
  return Math.max(10, Math.min(size, Math.floor(room / Math.max(ems, 1))));
}

export interface SceneContent {
  locale: SetLocale;
  fault: Fault;
  /** The code line (already formatted), or null for a message without a code. */
  codeLine: string | null;
  /** The format put the message on the code line: it is not repeated below. */
  messageInCodeLine: boolean;
  amount: string;
}

export function content(rand: () => number, locale: SetLocale, fault: Fault): SceneContent {
  const amount = `${pick(rand, [12, 35, 88, 128, 256, 499, 1200, 3680, 15000])}.${pick(rand, ["00", "50", "80"])}`;
  if (!fault.code) return { locale, fault, codeLine: null, messageInCodeLine: false, amount };
  const format = pick(rand, CODE_FORMATS[locale]);
  const message = locale === "en" ? fault.en : fault.zh;
  return {
    locale,
    fault,
    codeLine: format.replace("{c}", fault.code).replace("{m}", message),
    messageInCodeLine: format.includes("{m}"),
    amount,
  };
}
