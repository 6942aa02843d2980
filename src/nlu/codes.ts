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

/** The contract's routing: the flow a quoted code points at, when a payment was refused. */
export function routeForCode(code: string): TopicId | undefined {
  const c = code.toUpperCase();
  if (c === "61" || c === "65") return "limit_exceeded";
  if (["22", "77", "97", "99", "A0", "A7"].includes(c)) return "signin_key_error";
  if (c === "00" || c === "10") return undefined;
  return "card_declined";
}
