/**
 * The Official Account channel: a message or event WeChat posted becomes a Turn for the switchboard, and
 * the turn's replies go back as the passive reply when they are ready within the budget (WeChat waits 5 s),
 * or through the customer-service API after `success`. Agents reach the merchant through the same API,
 * within WeChat's 48-hour window after the merchant's last message.
 */
import { z } from "zod";
import { isTopic, type Locale } from "../../domain/intents.js";
import { EngineError, type Turn } from "../../engine/engine.js";
import type { Picture } from "../../engine/pictures.js";
import { t } from "../../i18n.js";
import type { Logger } from "../../logger.js";
import type { ConversationRecord } from "../../store/store.js";
import type { Switchboard } from "../../switchboard.js";
import type { ChannelAdapter, Delivery } from "../channel.js";
import { renderReplies } from "../wechat-replies.js";
import { fetchPicture, type WechatApi, WechatApiError } from "./api.js";
import { messageKey, type SeenMessages } from "./dedupe.js";
import type { InboundMessage } from "./xml.js";

/** How `deliver` reaches the merchant, stored with the conversation; `lastMessageAt` opens the 48-hour window. */
export const WechatOaAddress = z.object({
  openid: z.string().min(1),
  lastMessageAt: z.iso.datetime().optional(),
});
export type WechatOaAddress = z.infer<typeof WechatOaAddress>;

/** A passive reply (one message: the texts joined), or `success` with the texts sent afterwards, if any. */
export type Answer = { passive: string } | "success";

const PREFIX = "wechat-oa:";
/** WeChat lets an account write to a follower only within 48 hours of the follower's last interaction. */
export const SERVICE_WINDOW_MS = 48 * 60 * 60_000;
/** As for pictures sent to the web chat. */
export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
/** Said before the conversation has a language of its own (the engine's default). */
const DEFAULT_LOCALE: Locale = "zh-CN";

/** Refusals of the customer-service API an agent can act on: said plainly, as a conflict (409). */
const REFUSALS: Readonly<Record<number, string>> = {
  45015: "WeChat refused it: the merchant has not written in the last 48 hours",
  43004: "WeChat refused it: the merchant no longer follows the Official Account",
  40003: "WeChat refused it: this merchant's openid is not one of this account's followers",
  45047: "WeChat refused it: too many messages since the merchant last wrote (WeChat allows 20)",
};

export function wechatOaConversationId(openid: string): string {
  return `${PREFIX}${openid}`;
}

export interface WechatOaChannelOptions {
  switchboard: Pick<Switchboard, "handle" | "engine">;
  /** The API (needs the AppSecret): without it, only passive replies, and no agent messages. */
  api: WechatApi | undefined;
  seen: SeenMessages;
  logger: Logger;
  replyBudgetMs: number;
  now?: () => number;
}

export class WechatOaChannel implements ChannelAdapter {
  readonly channel = "wechat" as const;
  private readonly now: () => number;

  constructor(private readonly options: WechatOaChannelOptions) {
    this.now = options.now ?? Date.now;
  }

  serves(conversation: ConversationRecord): boolean {
    return conversation.id.startsWith(PREFIX);
  }

  unreachable(conversation: ConversationRecord): string | undefined {
    const address = WechatOaAddress.safeParse(conversation.address);
    if (!address.success) return "this conversation has no WeChat Official Account address to reply to";
    if (!this.options.api)
      return "WECHAT_OA_SECRET is not set: posdesk cannot send WeChat customer-service messages";
    const last = address.data.lastMessageAt;
    if (last && this.now() - Date.parse(last) > SERVICE_WINDOW_MS) {
      return (
        `not sent: the merchant last wrote on WeChat more than 48 hours ago (${last}), and WeChat lets the ` +
        "account write to them only within 48 hours of their last message. It can be sent once they write again."
      );
    }
    return undefined;
  }

  async deliver(delivery: Delivery): Promise<void> {
    const { conversation, from, text, options = [] } = delivery;
    const closed = this.unreachable(conversation);
    if (closed) {
      // The note when a handoff closes has no one to tell: the handoff is closed all the same.
      if (from === "bot") {
        this.options.logger.info(
          { conversation: conversation.id, reason: closed },
          "wechat-oa: note not sent",
        );
        return;
      }
      throw new EngineError(closed, 409);
    }
    const { openid } = WechatOaAddress.parse(conversation.address);
    const prefix = from === "agent" ? t(conversation.locale, "wechat.agentPrefix") : "";
    const [message = ""] = renderReplies({
      replies: [`${prefix}${text}`],
      options,
      locale: conversation.locale,
    });
    try {
      await this.options.api?.sendText(openid, message);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      const refusal = REFUSALS[error.errcode];
      throw refusal
        ? new EngineError(refusal, 409)
        : new EngineError(`WeChat did not take the message: ${error.message}`, 502);
    }
  }

  /** One post from WeChat: answered within the budget, once per message however often WeChat posts it. */
  async receive(message: InboundMessage): Promise<Answer> {
    const { seen, replyBudgetMs, logger } = this.options;
    const key = messageKey(message);
    if (!(await seen.claim(key))) {
      logger.debug({ key }, "wechat-oa: message posted again");
      return passive(await seen.passiveReply(key, replyBudgetMs));
    }
    const work = this.respond(message).catch(async (error: unknown) => {
      logger.error({ err: error, key }, "wechat-oa: message not handled");
      return [t(await this.localeOf(message.FromUserName), "wechat.unavailable")];
    });
    const texts = await within(work, replyBudgetMs);
    if (texts) {
      await seen
        .answered(key, texts)
        .catch((error: unknown) => logger.warn({ err: error, key }, "wechat-oa: not recorded"));
      return passive(texts);
    }
    void this.sendLater(message.FromUserName, key, work);
    return "success";
  }

  /** A turn that missed the passive window: its texts through the customer-service API, in order. */
  private async sendLater(openid: string, key: string, work: Promise<string[]>): Promise<void> {
    const { api, seen, logger } = this.options;
    const texts = await work;
    await seen
      .sent(key)
      .catch((error: unknown) => logger.warn({ err: error, key }, "wechat-oa: not recorded"));
    if (texts.length === 0) return;
    if (!api) {
      logger.warn(
        { key },
        "wechat-oa: a reply missed WeChat's 5 s and cannot be sent without WECHAT_OA_SECRET",
      );
      return;
    }
    try {
      for (const text of texts) await api.sendText(openid, text);
    } catch (error) {
      logger.error({ err: error, key }, "wechat-oa: reply not sent");
    }
  }

  /** What to say to a message: the engine's replies for what it can read, a hint for the rest. */
  private async respond(message: InboundMessage): Promise<string[]> {
    switch (message.MsgType) {
      case "text":
        return this.turn(message, { text: message.Content ?? "" });
      case "image":
        return this.picture(message);
      case "voice": {
        // WeChat's own speech recognition, where the account has switched it on.
        const heard = message.Recognition?.trim();
        return heard ? this.turn(message, { text: heard }) : this.hint(message, "voice");
      }
      case "event":
        return this.event(message);
      default:
        // location, link, video, shortvideo, file…
        return this.hint(message, "unsupported");
    }
  }

  private async event(message: InboundMessage): Promise<string[]> {
    const event = message.Event?.toLowerCase();
    if (event === "subscribe") return this.turn(message, { text: "", opened: true });
    if (event === "unsubscribe") {
      // Nothing can be sent any more; agent messages will be refused by WeChat (and the agent told).
      this.options.logger.info(
        { openid: message.FromUserName },
        "wechat-oa: merchant unfollowed the account",
      );
      return [];
    }
    if (event === "click") {
      const key = message.EventKey?.trim() ?? "";
      if (isTopic(key) || key === "human_agent") return this.turn(message, { text: "", menuChoice: key });
      // A button this version does not know: the topics, as on following.
      this.options.logger.warn({ eventKey: key }, "wechat-oa: unknown menu key");
      return this.turn(message, { text: "", opened: true });
    }
    // SCAN, VIEW, LOCATION reports, mass-send and template receipts: nothing to answer.
    return [];
  }

  private async picture(message: InboundMessage): Promise<string[]> {
    const picture = await this.fetchPicture(message);
    return picture ? this.turn(message, { text: "", picture }) : this.hint(message, "pictureFailed");
  }

  /** The picture by its PicUrl (no token, no quota), else by MediaId through the media API. */
  private async fetchPicture(message: InboundMessage): Promise<Picture | undefined> {
    const { api, logger } = this.options;
    if (message.PicUrl && /^https?:\/\//.test(message.PicUrl)) {
      try {
        return await fetchPicture(message.PicUrl, MAX_PICTURE_BYTES);
      } catch (error) {
        logger.warn({ err: error }, "wechat-oa: picture not fetched from PicUrl");
      }
    }
    if (message.MediaId && api) {
      try {
        return await api.media(message.MediaId, MAX_PICTURE_BYTES);
      } catch (error) {
        logger.warn({ err: error }, "wechat-oa: picture not fetched from the media API");
      }
    }
    return undefined;
  }

  private async turn(message: InboundMessage, fields: Omit<Turn, "channel">): Promise<string[]> {
    const openid = message.FromUserName;
    const address: WechatOaAddress = { openid, lastMessageAt: new Date(this.now()).toISOString() };
    const result = await this.options.switchboard.handle({
      ...fields,
      conversationId: wechatOaConversationId(openid),
      channel: "wechat",
      address,
    });
    return renderReplies(result);
  }

  private async hint(
    message: InboundMessage,
    key: "voice" | "pictureFailed" | "unsupported",
  ): Promise<string[]> {
    return [t(await this.localeOf(message.FromUserName), `wechat.officialAccount.${key}`)];
  }

  /** The language the merchant's conversation is in, for words said outside a turn. */
  private async localeOf(openid: string): Promise<Locale> {
    const conversation = await this.options.switchboard.engine.store
      .getConversation(wechatOaConversationId(openid))
      .catch(() => undefined);
    return conversation?.locale ?? DEFAULT_LOCALE;
  }
}

function passive(texts: string[] | undefined): Answer {
  return texts && texts.length > 0 ? { passive: texts.join("\n\n") } : "success";
}

/** `work`'s value if it settles within `ms`; undefined if not (it goes on regardless). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
