/**
 * The WeChat channel over Wechaty: a merchant's text (from a contact, or from a room when the bot is
 * mentioned) becomes a Turn for the switchboard; the replies, the quick replies as numbered options, and
 * agents' messages go back to the same chat. A new contact is accepted and greeted first.
 */
import type { Contact, Friendship, Message, Room, Wechaty } from "wechaty";
import { types } from "wechaty";
import { z } from "zod";
import type { Locale } from "../domain/intents.js";
import type { Picture } from "../engine/pictures.js";
import { t } from "../i18n.js";
import type { Logger } from "../logger.js";
import type { Switchboard } from "../switchboard.js";
import type { ChannelAdapter, Delivery } from "./channel.js";
import { renderReplies } from "./wechat-replies.js";

export { renderReplies };

/** What `deliver` needs to reach the merchant again, stored with the conversation. */
export const WechatAddress = z.object({
  contactId: z.string().min(1),
  roomId: z.string().min(1).optional(),
});
export type WechatAddress = z.infer<typeof WechatAddress>;

export interface WechatChannelOptions {
  logger: Logger;
  /** Older messages are ignored: puppets replay history after a restart, and nobody wants old answers. */
  maxAgeSeconds?: number;
  /**
   * The language of the hint for non-text messages, and of a new contact's welcome: said before the bot
   * knows the merchant's language.
   */
  locale?: Locale;
}

const DEFAULT_MAX_AGE_SECONDS = 120;
/**
 * A contact welcomed this recently is not welcomed again: a puppet may confirm a friendship the bot has
 * just accepted (and greeted), and one welcome is enough.
 */
const REWELCOME_AFTER_MS = 10 * 60_000;

/**
 * What a merchant sends on purpose and may expect an answer to, but the bot cannot read (pictures it
 * can). System notes, recalls, transfers and red envelopes get no hint: answering them would be noise.
 */
const HINTED_TYPES: ReadonlySet<types.Message> = new Set([
  types.Message.Attachment,
  types.Message.Audio,
  types.Message.ChatHistory,
  types.Message.Contact,
  types.Message.Emoticon,
  types.Message.Location,
  types.Message.MiniProgram,
  types.Message.Url,
  types.Message.Video,
]);

/** `wechat:<contactId>` for a one-to-one chat; `wechat:<roomId>:<contactId>`: each member of a room apart. */
export function wechatConversationId(address: WechatAddress): string {
  return address.roomId ? `wechat:${address.roomId}:${address.contactId}` : `wechat:${address.contactId}`;
}

/** The page that shows a login QR code for Wechaty's `scan` value. */
export function qrcodeUrl(qrcode: string): string {
  return `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
}

/** Where a text goes: a contact, or a room with the merchant mentioned. */
interface Target {
  contact: Contact;
  room?: Room;
}

export class WechatChannel implements ChannelAdapter {
  readonly channel = "wechat" as const;
  private bot: Wechaty | undefined;
  private readonly logger: Logger;
  private readonly maxAgeSeconds: number;
  private readonly locale: Locale;
  /** Contact id → when they were last welcomed. */
  private readonly welcomed = new Map<string, number>();

  constructor(
    private readonly switchboard: Pick<Switchboard, "handle">,
    options: WechatChannelOptions,
  ) {
    this.logger = options.logger;
    this.maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    this.locale = options.locale ?? "zh-CN";
  }

  /** Wires the bot's events to this channel; `deliver` sends through this bot from now on. */
  attach(bot: Wechaty): void {
    this.bot = bot;
    bot.on("scan", this.onScan);
    bot.on("login", this.onLogin);
    bot.on("logout", this.onLogout);
    bot.on("error", this.onError);
    bot.on("message", this.onMessage);
    bot.on("friendship", this.onFriendship);
  }

  async deliver(delivery: Delivery): Promise<void> {
    const { conversation } = delivery;
    const address = WechatAddress.safeParse(conversation.address);
    if (!address.success) throw new Error(`conversation ${conversation.id} has no WeChat address`);
    const target = await this.find(address.data);
    const prefix = delivery.from === "agent" ? t(conversation.locale, "wechat.agentPrefix") : "";
    const options = delivery.options ?? [];
    await this.send(
      target,
      renderReplies({ replies: [`${prefix}${delivery.text}`], options, locale: conversation.locale }),
    );
  }

  private readonly onScan = (qrcode: string, status: types.ScanStatus): void => {
    this.logger.info({ status: types.ScanStatus[status], url: qrcodeUrl(qrcode) }, "wechat: scan to log in");
  };

  private readonly onLogin = (user: Contact): void => {
    this.logger.info({ user: user.name() }, "wechat: logged in");
  };

  private readonly onLogout = (user: Contact, reason?: string): void => {
    this.logger.warn({ user: user.name(), reason }, "wechat: logged out");
  };

  private readonly onError = (error: Error): void => {
    this.logger.error({ err: error }, "wechat: puppet error");
  };

  private readonly onMessage = async (message: Message): Promise<void> => {
    try {
      await this.receive(message);
    } catch (error) {
      this.logger.error({ err: error, messageId: message.id }, "wechat: message not handled");
    }
  };

  private readonly onFriendship = async (friendship: Friendship): Promise<void> => {
    try {
      await this.befriend(friendship);
    } catch (error) {
      this.logger.error({ err: error, friendshipId: friendship.id }, "wechat: friendship not handled");
    }
  };

  /** A request is accepted, and the new contact welcomed once the friendship holds (accepted or confirmed). */
  private async befriend(friendship: Friendship): Promise<void> {
    const type = friendship.type();
    if (type === types.Friendship.Receive) {
      await friendship.accept();
      await this.welcome(friendship.contact());
    } else if (type === types.Friendship.Confirm) {
      await this.welcome(friendship.contact());
    }
  }

  /** The bot speaks first: the welcome with the common topics numbered, as an opened turn. */
  private async welcome(contact: Contact): Promise<void> {
    const now = Date.now();
    for (const [id, at] of this.welcomed) if (now - at >= REWELCOME_AFTER_MS) this.welcomed.delete(id);
    if (this.welcomed.has(contact.id)) return;
    this.welcomed.set(contact.id, now);
    const address: WechatAddress = { contactId: contact.id };
    const result = await this.switchboard
      .handle({
        conversationId: wechatConversationId(address),
        text: "",
        opened: true,
        channel: "wechat",
        address,
        localeHint: this.locale,
      })
      .catch((error: unknown) => {
        // Not welcomed after all: a confirmation that follows may try again.
        this.welcomed.delete(contact.id);
        throw error;
      });
    await this.send({ contact }, renderReplies(result));
  }

  private async receive(message: Message): Promise<void> {
    if (message.self()) return;
    if (message.age() > this.maxAgeSeconds) {
      this.logger.debug({ messageId: message.id, age: message.age() }, "wechat: old message ignored");
      return;
    }
    const talker = message.talker();
    if (talker.type() === types.Contact.Official) return;
    const room = message.room();
    // In a group the bot speaks only when spoken to; mentionSelf() is false for anything but text.
    if (room && !(await message.mentionSelf())) return;
    const target: Target = room ? { contact: talker, room } : { contact: talker };
    const isPicture = message.type() === types.Message.Image;
    if (message.type() !== types.Message.Text && !isPicture) {
      if (HINTED_TYPES.has(message.type())) await this.send(target, [t(this.locale, "wechat.nonText")]);
      return;
    }
    const text = isPicture ? "" : room ? await message.mentionText() : message.text();
    const picture = isPicture ? await this.pictureOf(message) : undefined;
    const address: WechatAddress = room
      ? { contactId: talker.id, roomId: room.id }
      : { contactId: talker.id };
    const conversationId = wechatConversationId(address);
    const result = await this.switchboard
      .handle({ conversationId, text, channel: "wechat", address, ...(picture ? { picture } : {}) })
      .catch((error: unknown) => {
        this.logger.error({ err: error, conversationId }, "wechat: turn failed");
        return undefined;
      });
    await this.send(target, result ? renderReplies(result) : [t(this.locale, "wechat.unavailable")]);
  }

  /** A picture message's bytes; one the puppet cannot give is a problem the engine answers as any other. */
  private async pictureOf(message: Message): Promise<Picture> {
    try {
      const box = await message.toFileBox();
      return { bytes: await box.toBuffer(), mime: box.mediaType };
    } catch (error) {
      this.logger.warn({ err: error, messageId: message.id }, "wechat: picture not downloaded");
      return { bytes: new Uint8Array(), problem: "unreadable" };
    }
  }

  /** Texts in order; in a room the first one mentions the merchant, so they see it among the others. */
  private async send(target: Target, texts: string[]): Promise<void> {
    for (const [i, text] of texts.entries()) {
      if (!target.room) await target.contact.say(text);
      else if (i === 0) await target.room.say(text, target.contact);
      else await target.room.say(text);
    }
  }

  private async find(address: WechatAddress): Promise<Target> {
    if (!this.bot) throw new Error("the WeChat channel is not attached to a bot");
    const contact = await this.bot.Contact.find({ id: address.contactId });
    if (!contact) throw new Error(`WeChat contact ${address.contactId} not found`);
    if (!address.roomId) return { contact };
    const room = await this.bot.Room.find({ id: address.roomId });
    if (!room) throw new Error(`WeChat room ${address.roomId} not found`);
    return { contact, room };
  }
}
