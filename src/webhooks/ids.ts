/**
 * Delivery ids as UUID version 7 (RFC 9562): the time first, so ids made later sort later. Redis keeps
 * deliveries due at the same moment in the order of their ids, hence in the order they were queued.
 */
import { randomBytes } from "node:crypto";

let lastMs = 0;
let sequence = 0;

/** A version-7 UUID; within one process each is greater than the one before (a 12-bit counter per ms). */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // Start low in the counter's range, so a millisecond has room for thousands of ids.
    sequence = randomBytes(1)[0] ?? 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
