/**
 * Webhook signatures: HMAC-SHA256 with the shared secret over `<timestamp>.<body>`, so a receiver knows the
 * body came from posdesk, unchanged, and recently (the timestamp is signed too: an old request replayed is
 * refused by its age). The README has the same recipe for receivers in any language.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Posdesk-Signature";
export const TIMESTAMP_HEADER = "X-Posdesk-Timestamp";
export const EVENT_HEADER = "X-Posdesk-Event";
export const DELIVERY_HEADER = "X-Posdesk-Delivery";

/** How old a request a receiver should accept, by default (`verifySignature`). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); timestamp in Unix seconds. */
export function sign(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * A receiver's check (for receivers written in Node): the signature matches the raw body and timestamp,
 * compared in constant time, and the timestamp is within `toleranceSeconds` of `now`.
 */
export function verifySignature(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: number;
  toleranceSeconds?: number;
}): boolean {
  const { secret, body, timestamp, signature } = options;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
