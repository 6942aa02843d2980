/**
 * A turn's replies as WeChat text messages, for both WeChat channels (Wechaty and the Official Account):
 * WeChat has no buttons in a chat, so quick replies are numbered and the merchant answers with the number.
 */
import type { TurnResult } from "../engine/engine.js";
import { t } from "../i18n.js";

/** The turn's replies as WeChat messages: the quick replies numbered at the end of the last one. */
export function renderReplies(result: Pick<TurnResult, "replies" | "options" | "locale">): string[] {
  const { replies, options, locale } = result;
  if (options.length === 0) return replies;
  const menu = options.map((label, i) => t(locale, "wechat.option", { number: i + 1, label }));
  const numbers = options.map((_, i) => i + 1).join(" / ");
  const last = [...replies.slice(-1), ...menu, t(locale, "wechat.chooseNumber", { numbers })].join("\n");
  return [...replies.slice(0, -1), last];
}
