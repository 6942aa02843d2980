/**
 * What matters in the text read from a picture of a terminal's screen or slip: the line with the response
 * code, the result ("交易失败", "DECLINED") and the terminal's messages (domain.md: "通讯失败", "请先签到",
 * "余额不足"…). The rest (app bars, buttons, amounts, the slip's merchant and batch numbers) is chrome: it
 * would only blur what the merchant is shown, and "确定" / "OK" on a button is no answer to a question.
 */
import { codeMessages, compactMessage, KNOWN_CODES } from "../domain/codes.js";
import { extractEntities } from "./entities.js";

/** Results and on-screen messages without a code (domain.md §2), Chinese and English. */
const SCREEN_MESSAGES = [
  "交易失败",
  "交易拒绝",
  "交易成功",
  "通讯失败",
  "通信失败",
  "通讯超时",
  "连接超时",
  "连接失败",
  "交易超时",
  "接收超时",
  "未签到",
  "请先签到",
  "请签到",
  "签到失败",
  "重新签到",
  "密钥错误",
  "无主密钥",
  "参数下载失败",
  "读卡失败",
  "请插卡",
  "非接读卡失败",
  "多卡",
  "打印机缺纸",
  "缺纸",
  "打印失败",
  "电量低",
  "冲正成功",
  "版本过低",
  "需要升级",
  "升级失败",
  "declined",
  "approved",
  "communication error",
  "comm error",
  "connection timeout",
  "connection failed",
  "transaction timeout",
  "timeout",
  "no response",
  "host unreachable",
  "sign on",
  "sign in",
  "logon",
  "key error",
  "no master key",
  "card read error",
  "chip error",
  "insert card",
  "use chip",
  "paper out",
  "out of paper",
  "printer error",
  "low battery",
  "reversal",
  "update required",
  "download failed",
].map(compactMessage);

const ALL_MESSAGES = [...new Set([...SCREEN_MESSAGES, ...[...KNOWN_CODES].flatMap((c) => codeMessages(c))])];

/** At most this many lines are kept: a screen says what happened in two or three. */
const MAX_KEY_LINES = 4;

/**
 * The lines of `text` that say what happened, in their order: those that give a response code and those
 * with a result or a terminal message. Empty when none does.
 */
export function keyLines(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter((line) => {
      if (!line) return false;
      if (extractEntities(line).responseCode) return true;
      const compact = compactMessage(line);
      return ALL_MESSAGES.some((message) => compact.includes(message));
    })
    .slice(0, MAX_KEY_LINES);
}
