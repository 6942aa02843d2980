/**
 * PCI DSS masking: any run of 13–19 digits (spaces or dashes allowed between them) that passes the Luhn
 * check is a card number, and keeps at most its first 6 and last 4 digits.
 */

const UUID_SOURCE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const UUID = new RegExp(UUID_SOURCE, "i");
const UUID_EXACT = new RegExp(`^${UUID_SOURCE}$`, "i");
const UUID_SPLIT = new RegExp(`(${UUID_SOURCE})`, "i");

// A run of digits with single spaces or dashes between them.
const DIGIT_RUN = /(?<![0-9])[0-9](?:[ -]?[0-9])*(?![0-9])/g;
// Such a run long enough to hold a card number (13 digits or more): without one, a text holds none.
const LONG_DIGIT_RUN = /[0-9](?:[ -]?[0-9]){12}/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A card number as `maskPan` writes it (13–19 digits: 3–9 stars), in a masked text. Global: use with replace or match. */
export const MASKED_PAN = /[0-9]{6}\*{3,9}[0-9]{4}/g;

export function maskPan(digits: string): string {
  return `${digits.slice(0, 6)}${"*".repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** The masked form of every card number in `text`, in order of appearance. */
export function findMaskedPans(text: string): string[] {
  const found: string[] = [];
  maskCardNumbers(text, (masked) => found.push(masked));
  return found;
}

/** `text` with every card number masked; `onPan` sees each masked number. */
export function maskCardNumbers(text: string, onPan?: (masked: string) => void): string {
  if (!LONG_DIGIT_RUN.test(text)) return text;
  // A UUID is a hex token, not a run of digits, even when its dash-separated groups happen to be digits
  // that pass the Luhn check (about one in 370 random ones): conversation and handoff ids must survive.
  if (UUID.test(text)) {
    return text
      .split(UUID_SPLIT)
      .map((part) => (UUID_EXACT.test(part) ? part : maskCardNumbers(part, onPan)))
      .join("");
  }
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[ -]/g, "");
    if (digits.length < 13) return run;
    if (digits.length <= 19) {
      if (!luhnValid(digits)) return run;
      const masked = maskPan(digits);
      onPan?.(masked);
      return masked;
    }
    // A run longer than a card number (one glued to a phone number, say) may still hide one.
    return maskInside(digits, onPan);
  });
}

function maskInside(digits: string, onPan?: (masked: string) => void): string {
  for (let len = Math.min(19, digits.length); len >= 13; len--) {
    for (let start = 0; start + len <= digits.length; start++) {
      const pan = digits.slice(start, start + len);
      if (luhnValid(pan) && /^[2-6]/.test(pan)) {
        const masked = maskPan(pan);
        onPan?.(masked);
        return digits.slice(0, start) + masked + maskInside(digits.slice(start + len), onPan);
      }
    }
  }
  return digits;
}

/**
 * `JSON.stringify(maskDeep(value))`: what stores write, card numbers masked. The JSON is made first and
 * searched once; only when it holds a run of digits as long as a card number (a string's runs are whole in
 * its JSON: JSON escapes no digit, space or dash) is the value copied with every string masked and encoded
 * again. A turn's records almost never hold one: the text was masked where it came in.
 */
export function maskedJson(value: unknown): string {
  const json = JSON.stringify(value);
  return LONG_DIGIT_RUN.test(json) ? JSON.stringify(maskDeep(value)) : json;
}

/** Whether any string in a JSON-like value (or an Error's message or stack) holds a run of digits as long as a card number. */
export function mayHoldCardNumber(value: unknown): boolean {
  if (typeof value === "string") return LONG_DIGIT_RUN.test(value);
  if (value instanceof Error) return mayHoldCardNumber(value.message) || mayHoldCardNumber(value.stack);
  if (Array.isArray(value)) return value.some(mayHoldCardNumber);
  if (value && typeof value === "object") {
    for (const key in value) if (mayHoldCardNumber((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Deep copy of a JSON-like value with every string masked: the last line of defence before storage. */
export function maskDeep<T>(value: T): T {
  if (typeof value === "string") return maskCardNumbers(value) as T;
  if (value instanceof Error) {
    const { name, message, stack } = value;
    return { type: name, message: maskCardNumbers(message), stack: stack && maskCardNumbers(stack) } as T;
  }
  if (Array.isArray(value)) return value.map(maskDeep) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}
