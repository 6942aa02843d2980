/**
 * Entities in a merchant's message: response code, amount, entry mode, card type, terminal serial, phone,
 * masked card numbers. Works on the text after masking and simplification (not on the classifier's form).
 */
import { z } from "zod";
import { codeMessages, codeOfMessage, compactMessage, KNOWN_CODES } from "../domain/codes.js";
import { MASKED_PAN, maskCardNumbers } from "../domain/redact.js";
import { CHINESE_NUMERAL, parseChineseNumber } from "./numbers.js";

export const Entities = z.object({
  responseCode: z.string().optional(),
  amount: z.number().optional(),
  cardType: z.enum(["credit", "debit", "unionpay", "foreign"]).optional(),
  entryMode: z.enum(["chip", "swipe", "contactless"]).optional(),
  terminalSerial: z.string().optional(),
  phone: z.string().optional(),
  maskedPan: z.string().optional(),
});
export type Entities = z.infer<typeof Entities>;

export interface ExtractOptions {
  /** The bot has just asked for the code on screen: a bare code ("51", "a0") is taken as one. */
  expectCode?: boolean;
  /**
   * The bot has just asked for the code, and the reply picked none of the question's own options: what the
   * screen says ("余额不足", "call issuer") is taken for the code it belongs to (`codeOfMessage`).
   */
  codeByMessage?: boolean;
  /** The bot has just asked for an amount: a bare number is taken as one. */
  expectAmount?: boolean;
  /** The bot has just asked for the terminal serial: a bare token ("N86012345678", "sn123456") is one. */
  expectSerial?: boolean;
}

// A code as screens show it; OCR reads the 0 of "A0" or "05" as a letter O now and then.
const CODE = "([0-9]{2}|[o][0-9]|[0-9]o|a[0-9o])";
// "提示51", "返回码:14", "code 05", "error A0", "rc 14", "应答码 97", "错误码 a7", "显示 51", "应答码：51",
// "RC:05", "Resp Code: 05", "错误码(51)", "ERR-96", "失败原因：05", "Reason code 05"
const LABELLED_CODE = new RegExp(
  `(?:返回码|应答码|响应码|错误码|错误代码|原因码|失败原因|拒绝原因|代码|提示码|提示|显示|报错|报|码|code|error|err|rc|response|resp|reason)\\s*(?:是|为|[:：=#\\-(（[【]|no\\.?)?\\s*${CODE}(?![0-9a-z])`,
  "i",
);
// "51错误", "05 declined", "A0错", "51 余额不足"
const CODE_THEN_WORD =
  /(?<![0-9a-z.])([0-9]{2}|a[0-9])\s*(?:错误|错|失败|拒绝|被拒|declined?|error|refused|号错误|不予承兑|余额不足)/i;
// "交易失败 97", "declined 05", "拒绝交易 51", "交易失败（51）": a known code right after the failure it explains.
const FAILURE_THEN_CODE = new RegExp(
  `(?:失败|被拒|拒绝|拒付|不成功|declined?|refused|rejected|failed|fail)(?:交易)?\\s*[,:，：\\-(（[【]?\\s*${CODE}(?![0-9a-z.,])`,
  "i",
);
const BARE_CODE = /(?<![0-9a-z.,])([0-9]{2}|a[0-9])(?![0-9a-z.,])/i;
// Candidates for a code beside its own message: letters may follow ("05DO NOT HONOUR", OCR drops spaces).
const CODE_BY_MESSAGE = /(?<![0-9a-z.,])([0-9]{2}|a[0-9])(?![0-9.,])/gi;
// What may stand between a code and its message: spaces, brackets, a colon or a dash.
const BETWEEN = /^[\s()（）[\]【】:：=-]{0,3}/;
const BETWEEN_END = /[\s()（）[\]【】:：=-]{0,3}$/;

const CURRENCY_BEFORE = /(?:[¥￥$]|rmb|cny|usd|hkd)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|w|万|千)?/i;
// "两万三", "五千块", "三百": a Chinese numeral with a unit in it is an amount of money in this domain.
const CN_DIGIT = "[零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿]";
const CHINESE_AMOUNT = new RegExp(`${CN_DIGIT}*[十拾百佰千仟万]${CN_DIGIT}*(?![点号日天分次个月年岁多])`);
const UNIT_AFTER =
  /([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|w|万元|万块|万|千元|千块|千|元|块钱|块|rmb|yuan|dollars?|bucks)(?![a-z])/i;
const AMOUNT_WORD = new RegExp(
  `(?:金额|刷了|刷的|收了|扣了|付了|消费|交易了|amount|charged?|paid|for)\\s*(?:是|为|of|:)?\\s*([0-9][0-9,]*(?:\\.[0-9]+)?|${CHINESE_NUMERAL}{2,})(?![0-9]|\\s*(?:次|笔|遍|下|个|张|天|times?|x\\b))`,
  "i",
);
const MULTIPLIERS: Record<string, number> = {
  k: 1000,
  w: 10_000,
  万: 10_000,
  千: 1000,
  万元: 10_000,
  万块: 10_000,
  千元: 1000,
  千块: 1000,
};

const SERIAL =
  /(?:s\/?n|serial(?:\s*(?:no|number))?|序列号|机身号|机器号|终端号|终端编号|终端id|terminal\s*(?:id|no)|tid)\s*(?:是|为|:|#|号)?\s*([a-z0-9][a-z0-9-]{5,23})/i;
// An unlabelled serial: a run of 6–24 letters and digits (inner hyphens allowed, "P3000-889123") with a digit.
const BARE_SERIAL = /(?<![a-z0-9-])(?=[a-z-]*[0-9])[a-z0-9](?:[a-z0-9-]{4,22}[a-z0-9])(?![a-z0-9-])/gi;
const PHONE = /(?<![0-9])(1[3-9][0-9]{9})(?![0-9])/;

const ENTRY_MODES: ReadonlyArray<readonly [Entities["entryMode"], RegExp]> = [
  ["contactless", /挥卡|闪付|非接|碰一碰|感应|云闪付|tap|contactless|nfc|paywave|quick ?pass|wave/i],
  ["chip", /插卡|芯片|ic卡|\bic\b|chip|insert/i],
  ["swipe", /磁条|划卡|刷磁|swipe|magstripe|magnetic|stripe/i],
];
const CARD_TYPES: ReadonlyArray<readonly [Entities["cardType"], RegExp]> = [
  ["credit", /信用卡|贷记卡|credit/i],
  ["debit", /借记卡|储蓄卡|debit/i],
  ["foreign", /外卡|visa|master ?card|amex|jcb|foreign card/i],
  ["unionpay", /银联|unionpay/i],
];

export function extractEntities(text: string, options: ExtractOptions = {}): Entities {
  const entities: Entities = {};
  // A card number is reported masked (whether masked here or upstream), and never read as a code or amount.
  const masked = maskCardNumbers(text);
  const pans = masked.match(MASKED_PAN) ?? [];
  const scrubbed = masked.replace(MASKED_PAN, " ");

  const phone = PHONE.exec(scrubbed)?.[1];
  if (phone) entities.phone = phone;
  // Digits left around a card number are no serial: with one in the text, only a labelled serial counts.
  const serial = findSerial(scrubbed, pans.length > 0 ? { ...options, expectSerial: false } : options);
  if (serial) entities.terminalSerial = serial.toUpperCase();
  let rest = scrubbed;
  for (const found of [phone, serial]) if (found) rest = rest.replace(found, " ");

  const code = findCode(rest, options);
  if (code) entities.responseCode = code;
  const amount = findAmount(
    code ? rest.replace(new RegExp(`(?<![0-9])${code}(?![0-9])`, "i"), " ") : rest,
    options,
  );
  if (amount !== undefined) entities.amount = amount;

  const entryMode = ENTRY_MODES.find(([, pattern]) => pattern.test(rest))?.[0];
  if (entryMode) entities.entryMode = entryMode;
  const cardType = CARD_TYPES.find(([, pattern]) => pattern.test(rest))?.[0];
  if (cardType) entities.cardType = cardType;
  if (pans[0]) entities.maskedPan = pans[0];
  return entities;
}

function findSerial(text: string, options: ExtractOptions): string | undefined {
  const labelled = SERIAL.exec(text);
  const value = labelled?.[1];
  if (!options.expectSerial) return value;
  // Asked for the serial, a token that looks like one is taken whole, even one that starts like a label
  // ("sn123456" is SN123456, not 123456); a labelled one wins over the others in the reply.
  const tokens = [...text.matchAll(BARE_SERIAL)];
  if (!labelled || !value) return tokens[0]?.[0];
  const at = labelled.index + labelled[0].length - value.length;
  return tokens.find((t) => t.index <= at && at < t.index + t[0].length)?.[0] ?? value;
}

/** "O5" and "AO" as read by OCR are 05 and A0. */
const asCode = (raw: string | undefined) => raw?.toUpperCase().replace(/O/g, "0");

function findCode(text: string, options: ExtractOptions): string | undefined {
  const labelled = asCode(LABELLED_CODE.exec(text)?.[1]);
  if (labelled) return labelled;
  const byMessage = codeBesideMessage(text);
  if (byMessage) return byMessage;
  for (const pattern of [CODE_THEN_WORD, FAILURE_THEN_CODE]) {
    const code = asCode(pattern.exec(text)?.[1]);
    if (code && KNOWN_CODES.has(code)) return code;
  }
  const bare = BARE_CODE.exec(text)?.[1]?.toUpperCase();
  // Asked for the code, the merchant may give what the screen says instead ("余额不足", "call issuer").
  if (!bare) return options.codeByMessage ? codeOfMessage(text) : undefined;
  // A bare known code is a code when the bot asked for one, or when nothing says it is an amount or a time.
  if (options.expectCode) return bare;
  const after = text.slice(text.toUpperCase().indexOf(bare) + 2);
  if (/^\s*(?:元|块|rmb|yuan|万|千|k\b|号|日|点|分|秒|天|次|笔|个|min|hours?|days?|%|:)/i.test(after))
    return undefined;
  return KNOWN_CODES.has(bare) && /^[0-9a-z]{2}$/i.test(text.trim()) ? bare : undefined;
}

/** A known code right before or after its own message: "51 余额不足", "余额不足(51)", "[05] DO NOT HONOUR". */
function codeBesideMessage(text: string): string | undefined {
  for (const match of text.matchAll(CODE_BY_MESSAGE)) {
    const code = match[1]?.toUpperCase() ?? "";
    const messages = codeMessages(code);
    if (messages.length === 0) continue;
    const end = match.index + match[0].length;
    const after = compactMessage(text.slice(end, end + 40).replace(BETWEEN, ""));
    const before = compactMessage(
      text.slice(Math.max(0, match.index - 40), match.index).replace(BETWEEN_END, ""),
    );
    if (messages.some((m) => after.startsWith(m) || before.endsWith(m))) return code;
  }
  return undefined;
}

function findAmount(text: string, options: ExtractOptions): number | undefined {
  const currency = CURRENCY_BEFORE.exec(text);
  if (currency?.[1]) return scale(toNumber(currency[1]), currency[2]);
  const unit = UNIT_AFTER.exec(text);
  if (unit?.[1]) return scale(toNumber(unit[1]), unit[2]);
  const chinese = CHINESE_AMOUNT.exec(text)?.[0];
  if (chinese) {
    const value = parseChineseNumber(chinese);
    if (value > 0) return value;
  }
  const word = AMOUNT_WORD.exec(text);
  if (word?.[1]) return toNumber(word[1]);
  if (options.expectAmount) {
    const bare = /(?<![0-9a-z])([0-9][0-9,]*(?:\.[0-9]+)?)(?![0-9a-z])/i.exec(text)?.[1];
    if (bare) return toNumber(bare);
  }
  return undefined;
}

function toNumber(raw: string): number {
  return /[0-9]/.test(raw) ? Number(raw.replace(/,/g, "")) : parseChineseNumber(raw);
}

function scale(value: number, unit: string | undefined): number | undefined {
  const result = value * (MULTIPLIERS[unit?.toLowerCase() ?? ""] ?? 1);
  return Number.isFinite(result) && result > 0 ? Math.round(result * 100) / 100 : undefined;
}
