/**
 * UnionPay response codes (ISO 8583 field 39) and where each one routes, from the domain facts.
 */
import type { TopicId } from "./intents.js";

export type CodeClass = "card" | "risk" | "config" | "terminal" | "key" | "network" | "operation" | "success";

const CLASSES: Record<string, CodeClass> = {
  "00": "success",
  "01": "card",
  "03": "config",
  "04": "risk",
  "05": "card",
  "10": "success",
  "12": "operation",
  "13": "operation",
  "14": "card",
  "15": "card",
  "21": "card",
  "22": "terminal",
  "25": "operation",
  "30": "terminal",
  "33": "card",
  "34": "risk",
  "38": "card",
  "40": "operation",
  "41": "risk",
  "43": "risk",
  "45": "operation",
  "51": "card",
  "54": "card",
  "55": "card",
  "57": "card",
  "58": "config",
  "59": "risk",
  "61": "card",
  "62": "card",
  "64": "operation",
  "65": "card",
  "68": "network",
  "75": "card",
  "77": "terminal",
  "90": "network",
  "91": "network",
  "92": "network",
  "94": "operation",
  "96": "network",
  "97": "terminal",
  "98": "network",
  "99": "key",
  A0: "key",
  A7: "key",
};

export const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(CLASSES));

export function codeClass(code: string): CodeClass | undefined {
  return CLASSES[code.toUpperCase()];
}

/** Risk codes: never retry, always a high-priority escalation. */
export function isRiskCode(code: string): boolean {
  return codeClass(code) === "risk";
}

/** Codes the acquirer must fix (merchant or terminal configuration). */
export function isConfigCode(code: string): boolean {
  return codeClass(code) === "config";
}

/** Codes that are no refusal (approved, partly approved): no flow, and no code a merchant asks about. */
const NOT_REFUSALS: ReadonlySet<string> = new Set(["00", "10"]);

/** The contract's routing: the flow a quoted code points at, when a payment was refused. */
export function routeForCode(code: string): TopicId | undefined {
  const c = code.toUpperCase();
  if (c === "61" || c === "65") return "limit_exceeded";
  if (["22", "77", "97", "99", "A0", "A7"].includes(c)) return "signin_key_error";
  if (NOT_REFUSALS.has(c)) return undefined;
  return "card_declined";
}

/**
 * What terminals show beside each code (UnionPay's wording, old and new, and the English of international
 * terminals), from the domain facts. A code next to its own message ("51 余额不足", "余额不足(51)",
 * "05 DO NOT HONOUR") is a response code for certain, wherever it stands on a screen or slip.
 */
const MESSAGES: Record<string, string[]> = {
  "00": ["交易成功", "承兑或交易成功", "approved", "approval", "success"],
  "01": ["查发卡行", "请持卡人与发卡行联系", "refer to card issuer", "call issuer"],
  "03": ["无效商户", "商户未登记", "invalid merchant"],
  "04": ["没收卡", "pick up card", "pick-up card", "pickup card"],
  "05": ["身份认证失败", "不予承兑", "do not honour", "do not honor"],
  "10": ["部分承兑", "partial approval"],
  "12": ["无效交易", "invalid transaction"],
  "13": ["无效金额", "invalid amount"],
  "14": ["无效卡号", "invalid card number", "invalid card"],
  "15": ["无此发卡方", "no such issuer"],
  "21": ["卡未初始化", "睡眠卡", "card not activated"],
  "22": ["故障怀疑", "操作有误", "suspected malfunction"],
  "25": ["找不到原始交易", "original not found", "unable to locate record"],
  "30": ["报文格式错误", "格式错误", "format error"],
  "33": ["过期的卡", "过期卡", "卡已过期", "expired card"],
  "34": ["有作弊嫌疑", "suspected fraud"],
  "38": ["密码错误次数超限", "密码次数超限", "pin tries exceeded"],
  "40": ["功能尚不支持", "function not supported"],
  "41": ["挂失卡", "lost card"],
  "43": ["被窃卡", "stolen card"],
  "45": ["不允许降级交易", "fallback not allowed"],
  "51": ["余额不足", "可用余额不足", "insufficient funds", "not sufficient funds"],
  "54": ["过期的卡", "过期卡", "卡已过期", "expired card"],
  "55": ["密码错", "密码错误", "incorrect pin", "wrong pin", "invalid pin"],
  "57": ["不允许持卡人进行的交易", "not permitted to cardholder"],
  "58": ["不允许终端进行的交易", "not permitted to terminal"],
  "59": ["有作弊嫌疑", "suspected fraud"],
  "61": ["超出金额限制", "超出取款金额限制", "exceeds amount limit", "exceeds withdrawal limit"],
  "62": ["受限制的卡", "restricted card"],
  "64": ["原始金额错误", "original amount incorrect"],
  "65": ["超出消费次数限制", "超出取款次数限制", "exceeds frequency limit"],
  "68": ["发卡行响应超时", "交易超时", "response received too late", "issuer timeout"],
  "75": ["密码错误次数超限", "密码次数超限", "pin tries exceeded"],
  "77": ["批次号不一致", "请重新签到", "batch out of sync"],
  "90": ["日终处理中", "cutoff in process"],
  "91": ["发卡方不能操作", "发卡方状态不正常", "issuer inoperative", "issuer unavailable"],
  "92": ["线路异常", "发卡方线路异常", "cannot route"],
  "94": ["重复交易", "duplicate transaction"],
  "96": ["系统异常", "系统故障", "system malfunction", "system error"],
  "97": ["终端未登记", "终端号未登记", "terminal not registered"],
  "98": ["发卡行响应超时", "交易超时", "response received too late", "issuer timeout"],
  "99": ["pin格式错", "pin block error", "pin format error"],
  A0: ["mac校验错", "mac校验错误", "mac error", "mac verification failed"],
  A7: ["安全处理失败", "security processing failed"],
};

const COMPACT_MESSAGES = new Map(
  Object.entries(MESSAGES).map(([code, messages]) => [code, messages.map(compactMessage)]),
);

/** Lower case without spaces: OCR often drops or adds them ("DONOT HONOUR"). */
export function compactMessage(text: string): string {
  return text.toLowerCase().replace(/\s+/g, "");
}

/** The messages a terminal shows with `code`, in their compact form. */
export function codeMessages(code: string): readonly string[] {
  return COMPACT_MESSAGES.get(code.toUpperCase()) ?? [];
}

/**
 * The refusal code whose own message a text quotes without the code ("余额不足", "请持卡人与发卡行联系",
 * "do not honour"): the longest message found, when it belongs to one code only ("过期卡" is 33 or 54: none).
 */
export function codeOfMessage(text: string): string | undefined {
  const compact = compactMessage(text);
  let best: { message: string; codes: Set<string> } | undefined;
  for (const [code, messages] of COMPACT_MESSAGES) {
    if (NOT_REFUSALS.has(code)) continue;
    for (const message of messages) {
      if (!compact.includes(message) || message.length < (best?.message.length ?? 0)) continue;
      if (best && message.length === best.message.length) best.codes.add(code);
      else best = { message, codes: new Set([code]) };
    }
  }
  return best?.codes.size === 1 ? [...best.codes][0] : undefined;
}
