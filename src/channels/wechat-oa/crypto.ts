/**
 * WeChat's request signatures and the safe-mode envelope (AES-256-CBC keyed by the EncodingAESKey, PKCS#7
 * over 32-byte blocks, 16 random bytes + length + message + appid). @wecom/crypto implements the scheme
 * (WeCom and Official Accounts share it); what is added here is the constant-time comparison and the appid
 * check, which it leaves to the caller.
 */
import { timingSafeEqual } from "node:crypto";
import { decrypt, encrypt, getSignature } from "@wecom/crypto";

/** Why a request is refused: a signature or appid that does not fit (401), or an envelope that will not open (400). */
export class EnvelopeError extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `signature` (server check, every request) or, with `encrypted`, `msg_signature`: the sha1 of the parts
 * sorted and joined. @wecom/crypto always signs four parts; an empty fourth sorts first and adds nothing,
 * which is exactly WeChat's three-part signature.
 */
export function sign(token: string, timestamp: string, nonce: string, encrypted = ""): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

/** Whether `given` is `expected`, in constant time (a signature is compared like a password). */
export function sameSignature(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The message inside a safe-mode `Encrypt`, checked to be for this account's appid. */
export function openEnvelope(aesKey: string, appId: string, encrypted: string): string {
  let opened: { message: string; id: string };
  try {
    opened = decrypt(aesKey, encrypted);
  } catch {
    throw new EnvelopeError(400, "the message cannot be decrypted");
  }
  // A wrong key or a forged envelope decrypts to noise, whose tail is not our appid either.
  if (opened.id !== appId) throw new EnvelopeError(401, "the message is not for this account's appid");
  return opened.message;
}

/** A reply sealed for WeChat: encrypted with this account's appid inside, base64. */
export function sealEnvelope(aesKey: string, appId: string, message: string): string {
  return encrypt(aesKey, message, appId);
}
