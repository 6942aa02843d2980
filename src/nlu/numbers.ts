/** Chinese numerals ("五千", "两万三", "1.5万") and shorthand ("5k") to numbers. */

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  两: 2,
  贰: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 10_000, 亿: 100_000_000 };

export const CHINESE_NUMERAL = "[零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿点]";

/** Parses a Chinese numeral such as 五千, 两万三, 三千五百, 一万零五百; NaN when it is not one. */
export function parseChineseNumber(text: string): number {
  let total = 0;
  let section = 0;
  let digit = -1;
  let lastUnit = 1;
  const [whole = "", fraction] = text.split("点");
  for (const ch of whole) {
    if (ch in DIGITS) {
      digit = DIGITS[ch] ?? 0;
    } else if (ch in UNITS) {
      const unit = UNITS[ch] ?? 1;
      section += (digit < 0 ? 1 : digit) * unit;
      lastUnit = unit;
      digit = -1;
    } else if (ch in BIG_UNITS) {
      const unit = BIG_UNITS[ch] ?? 1;
      total = (total + section + Math.max(digit, 0)) * unit;
      section = 0;
      lastUnit = unit;
      digit = -1;
    } else {
      return Number.NaN;
    }
  }
  // "两万三" means 23000, "三千五" 3500: a trailing digit counts in the unit below the last one.
  if (digit >= 0) section += lastUnit >= 10 ? (digit * lastUnit) / 10 : digit;
  let value = total + section;
  if (fraction) {
    const decimals = [...fraction].map((c) => DIGITS[c] ?? Number.NaN).join("");
    value += Number(`0.${decimals}`);
  }
  return value;
}
