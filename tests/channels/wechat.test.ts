/**
 * The WeChat channel with a real Wechaty on wechaty-puppet-mock: merchants write to the bot as contacts
 * and in rooms, and read what the bot (and the agent behind it) writes back.
 */
import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import { FileBox } from "file-box";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type payloads, types, type Wechaty, WechatyBuilder } from "wechaty";
import { mock, PuppetMock } from "wechaty-puppet-mock";
import { WechatChannel } from "../../src/channels/wechat.js";
import type { HandoffRecord } from "../../src/domain/handoff.js";
import type { PictureReader } from "../../src/engine/pictures.js";
import { list, t } from "../../src/i18n.js";
import { MemoryStore } from "../../src/store/memory.js";
import { Switchboard } from "../../src/switchboard.js";
import { engineFor, readerOf } from "../support/conversation.js";

/** What the bot writes into one chat, in order: `next(n)` waits for the next n messages (or fails). */
interface Inbox {
  next(count?: number, timeoutMs?: number): Promise<string[]>;
}

function inbox(chat: mock.ContactMock | mock.RoomMock, bot: mock.ContactMock): Inbox {
  const texts: string[] = [];
  let read = 0;
  let arrived = () => {};
  // The mock's contacts and rooms are EventEmitters, but their typed-emitter typings don't resolve under
  // NodeNext (a CommonJS default export), so TypeScript sees no `on`.
  (chat as unknown as EventEmitter).on("message", (message: mock.MessageMock) => {
    if (message.payload.talkerId !== bot.id) return;
    texts.push(message.text() ?? "");
    arrived();
  });
  return {
    next(count = 1, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const got = JSON.stringify(texts.slice(read));
          reject(new Error(`waited for ${count} message(s) from the bot, got ${got}`));
        }, timeoutMs);
        arrived = () => {
          if (texts.length - read < count) return;
          clearTimeout(timer);
          arrived = () => {};
          read += count;
          resolve(texts.slice(read - count, read));
        };
        arrived();
      });
    },
  };
}

interface World {
  bot: Wechaty;
  mocker: mock.Mocker;
  switchboard: Switchboard;
  channel: WechatChannel;
  store: MemoryStore;
  me: mock.ContactMock;
  merchant: mock.ContactMock;
  /** What the merchant reads in their one-to-one chat with the bot. */
  chat: Inbox;
  says(text: string): void;
}

async function startWorld(pictures?: PictureReader): Promise<World> {
  const mocker = new mock.Mocker();
  const bot = WechatyBuilder.build({
    puppet: new PuppetMock({ mocker }),
    name: `posdesk-test-${randomUUID()}`,
  });
  const store = new MemoryStore();
  const switchboard = new Switchboard(engineFor(store, pictures));
  const channel = new WechatChannel(switchboard, { logger: pino({ level: "silent" }) });
  channel.attach(bot);
  switchboard.register(channel);
  await bot.start();
  const me = mocker.createContact({ name: "posdesk" });
  const merchant = mocker.createContact({ name: "商户A" });
  const loggedIn = new Promise((resolve) => bot.once("login", resolve));
  mocker.login(me);
  await loggedIn;
  return {
    bot,
    mocker,
    switchboard,
    channel,
    store,
    me,
    merchant,
    chat: inbox(merchant, me),
    says: (text) => merchant.say(text).to(me),
  };
}

/** A message the mock cannot say by itself (an old one, a picture), straight from the merchant's phone. */
function sendRaw(world: World, payload: Partial<payloads.Message>): void {
  const message = world.mocker.MessageMock.create({
    id: randomUUID(),
    talkerId: world.merchant.id,
    listenerId: world.me.id,
    timestamp: Date.now(),
    type: types.Message.Text,
    ...payload,
  } as payloads.Message);
  world.mocker.puppet.emit("message", { messageId: message.id });
}

async function handedOver(world: World): Promise<HandoffRecord> {
  world.says("此卡无法交易");
  await world.chat.next();
  world.says("转人工");
  await world.chat.next();
  const [handoff] = await world.store.listHandoffs({ status: "active" });
  if (!handoff) throw new Error("no handoff in the store");
  return handoff;
}

/** Someone new on WeChat and what the bot writes to them; `friendship(type)` is what their phone does. */
function newcomer(world: World) {
  const contact = world.mocker.createContact({ name: "商户B" });
  return {
    contact,
    chat: inbox(contact, world.me),
    conversationId: `wechat:${contact.id}`,
    says: (text: string) => contact.say(text).to(world.me),
    /** A friendship event about this contact, as the puppet reports it: Receive (a request), Confirm… */
    async friendship(type: types.Friendship): Promise<string> {
      const id = randomUUID();
      const payload = { id, contactId: contact.id, hello: "你好", timestamp: Date.now(), ticket: id, type };
      await world.mocker.puppet.friendshipPayload(id, payload as payloads.Friendship);
      world.mocker.puppet.emit("friendship", { friendshipId: id });
      return id;
    },
  };
}

/** The welcome as WeChat shows it: the text, then the common topics (engine.menuTopics) numbered. */
function welcomeText(): string {
  const topics = list("zh-CN", "engine.menuTopics");
  const menu = topics.map((topic, i) => `${i + 1}. ${t("zh-CN", `topics.${topic}`)}`);
  const numbers = topics.map((_, i) => i + 1).join(" / ");
  return [t("zh-CN", "engine.welcome"), ...menu, `回复 ${numbers} 选择`].join("\n");
}

let world: World;

beforeEach(async () => {
  world = await startWorld();
});

afterEach(async () => {
  await world.bot.stop();
});

describe("a merchant writing to the bot on WeChat", () => {
  it("gets the follow-up question with its quick replies numbered in the same message", async () => {
    world.says("此卡无法交易");
    const [reply] = await world.chat.next();
    expect(reply).toContain("返回码");
    expect(reply).toMatch(/\n1\. 屏幕没有显示代码\n回复 1 选择$/);
  });

  it("reads the numbered options in English when writing in English", async () => {
    world.says("my card was declined");
    const [reply] = await world.chat.next();
    expect(reply).toMatch(/\n1\. No code on screen\nReply 1 to choose$/);
  });

  it("answers a question by the option's number and gets the next step", async () => {
    world.says("此卡无法交易");
    await world.chat.next();
    world.says("1");
    const [reply] = await world.chat.next();
    expect(reply).toContain("所有卡都刷不了");
    expect(reply).toMatch(/\n1\. 只有这张卡\n2\. 所有卡都不行\n回复 1 \/ 2 选择$/);
  });

  it("asks for a person and is told an agent is coming, with the handoff in the store", async () => {
    world.says("此卡无法交易");
    await world.chat.next();
    world.says("转人工");
    const [reply] = await world.chat.next();
    expect(reply).toContain("转接人工客服");
    const handoffs = await world.store.listHandoffs({ status: "active" });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]?.summary).toMatchObject({
      channel: "wechat",
      conversationId: `wechat:${world.merchant.id}`,
      intent: "card_declined",
      reason: "requested",
    });
  });

  it("reads the agent's reply in the same chat, marked as from the agent", async () => {
    const handoff = await handedOver(world);
    await world.switchboard.reply(handoff.summary.id, "您好，我是客服");
    expect(await world.chat.next()).toEqual(["【人工客服】您好，我是客服"]);
  });

  it("reads the reply of an agent working in another process, through the shared hub", async () => {
    const handoff = await handedOver(world);
    world.switchboard.serveDeliveries(world.channel);
    // The agent console's switchboard (npm start) has no WeChat adapter: it publishes the delivery.
    const desk = new Switchboard(world.switchboard.engine, world.switchboard.hub);
    await desk.reply(handoff.summary.id, "您好，我是客服");
    expect(await world.chat.next()).toEqual(["【人工客服】您好，我是客服"]);
  });

  it("is told by the bot, without the agent's mark, when the agent closes the chat, and asked to rate it by number", async () => {
    const handoff = await handedOver(world);
    await world.switchboard.close(handoff.summary.id, "card_declined");
    expect(await world.chat.next()).toEqual([
      [
        t("zh-CN", "engine.rating.askAfterHandoff"),
        "1. 非常不满意",
        "2. 不满意",
        "3. 一般",
        "4. 满意",
        "5. 非常满意",
        "回复 1 / 2 / 3 / 4 / 5 选择",
      ].join("\n"),
    ]);
    world.says("4");
    expect(await world.chat.next()).toEqual([
      [t("zh-CN", "engine.rating.comment"), "1. 跳过", "回复 1 选择"].join("\n"),
    ]);
  });

  it("reads a message the bot sends outside a turn (an incident's notice) with its quick replies numbered", async () => {
    world.says("POS机一直显示通讯失败");
    await world.chat.next();
    const conversation = await world.store.getConversation(`wechat:${world.merchant.id}`);
    if (!conversation) throw new Error("no conversation");
    await world.switchboard.announce(conversation, "您遇到的是同一个问题吗？", [
      "是的，一样",
      "不是，不一样",
    ]);
    expect(await world.chat.next()).toEqual([
      "您遇到的是同一个问题吗？\n1. 是的，一样\n2. 不是，不一样\n回复 1 / 2 选择",
    ]);
  });

  it("gets a hint to write in words or send a photo when sending a voice message", async () => {
    sendRaw(world, { type: types.Message.Audio });
    const [reply] = await world.chat.next();
    expect(reply).toBe(t("zh-CN", "wechat.nonText"));
    expect(await world.store.getConversation(`wechat:${world.merchant.id}`)).toBeUndefined();
  });

  it("is told the picture could not be opened when the puppet cannot give it", async () => {
    sendRaw(world, { type: types.Message.Image });
    const [reply] = await world.chat.next();
    expect(reply).toBe(t("zh-CN", "engine.picture.unreadable"));
  });
});

describe("a photo of the terminal's screen on WeChat", () => {
  it("is read, and answered from what it shows", async () => {
    await world.bot.stop();
    const reader = readerOf("交易失败\n应答码：51\n余额不足");
    world = await startWorld(reader);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
    world.merchant.say(FileBox.fromBase64(png.toString("base64"), "screen.png")).to(world.me);
    const [seen, advice] = await world.chat.next(2);
    expect(seen).toBe("我看到图片上写着：交易失败 / 应答码：51 / 余额不足");
    expect(advice).toContain("余额不足");
    expect(Buffer.from(reader.seen[0] ?? []).equals(png)).toBe(true);
    const [said] = await world.store.transcript(`wechat:${world.merchant.id}`);
    expect(said).toMatchObject({ from: "merchant", intent: "card_declined", picture: expect.any(String) });
  });
});

describe("messages the bot leaves alone", () => {
  it("ignores its own messages", async () => {
    world.me.say("此卡无法交易").to(world.merchant);
    expect(await world.chat.next()).toEqual(["此卡无法交易"]);
    world.says("你好");
    const [reply] = await world.chat.next();
    expect(reply).toContain("POS 终端服务助手");
    expect(await world.store.getConversation(`wechat:${world.me.id}`)).toBeUndefined();
    const transcript = await world.store.transcript(`wechat:${world.merchant.id}`);
    expect(transcript.filter((entry) => entry.from === "merchant").map((entry) => entry.text)).toEqual([
      "你好",
    ]);
  });

  it("ignores messages older than two minutes, as replayed after a restart", async () => {
    sendRaw(world, { text: "此卡无法交易", timestamp: Date.now() - 10 * 60_000 });
    world.says("你好");
    const [reply] = await world.chat.next();
    expect(reply).toContain("POS 终端服务助手");
    const transcript = await world.store.transcript(`wechat:${world.merchant.id}`);
    expect(transcript.filter((entry) => entry.from === "merchant").map((entry) => entry.text)).toEqual([
      "你好",
    ]);
  });

  it("ignores official accounts", async () => {
    const official = world.mocker.createContact({ name: "某公众号", type: types.Contact.Official });
    official.say("此卡无法交易").to(world.me);
    world.says("你好");
    await world.chat.next();
    expect(await world.store.getConversation(`wechat:${official.id}`)).toBeUndefined();
  });
});

describe("a merchant in a WeChat group with the bot", () => {
  function groupWorld() {
    const room = world.mocker.createRoom({ topic: "商户群", memberIdList: [world.me.id, world.merchant.id] });
    return { room, group: inbox(room, world.me), conversationId: `wechat:${room.id}:${world.merchant.id}` };
  }

  it("is answered only when the message mentions the bot, without the mention in the text", async () => {
    const { room, group, conversationId } = groupWorld();
    world.merchant.say("此卡无法交易").to(room);
    world.merchant.say("@posdesk 你好", [world.me]).to(room);
    const [reply] = await group.next();
    expect(reply).toContain("POS 终端服务助手");
    const transcript = await world.store.transcript(conversationId);
    expect(transcript.filter((entry) => entry.from === "merchant").map((entry) => entry.text)).toEqual([
      "你好",
    ]);
  });

  it("is mentioned in the bot's answer, in a conversation apart from their one-to-one chat", async () => {
    const { room, group, conversationId } = groupWorld();
    world.merchant.say("@posdesk 此卡无法交易", [world.me]).to(room);
    const [reply] = await group.next();
    expect(reply).toMatch(/^@商户A\s/);
    expect(reply).toContain("返回码");
    expect((await world.store.getConversation(conversationId))?.flow?.id).toBe("card_declined");
    expect(await world.store.getConversation(`wechat:${world.merchant.id}`)).toBeUndefined();
  });

  it("reads the agent's reply in the group, addressed to them", async () => {
    const { room, group } = groupWorld();
    world.merchant.say("@posdesk 转人工", [world.me]).to(room);
    await group.next();
    const [handoff] = await world.store.listHandoffs({ status: "active" });
    await world.switchboard.reply(handoff?.summary.id ?? "", "您好，我是客服");
    const [reply] = await group.next();
    expect(reply).toMatch(/^@商户A\s【人工客服】您好，我是客服$/);
  });
});

describe("someone who adds the bot as a WeChat friend", () => {
  it("is accepted and welcomed first, with the common topics numbered", async () => {
    const accept = vi.spyOn(world.mocker.puppet, "friendshipAccept");
    const merchant = newcomer(world);
    const friendshipId = await merchant.friendship(types.Friendship.Receive);
    expect(await merchant.chat.next()).toEqual([welcomeText()]);
    expect(accept).toHaveBeenCalledWith(friendshipId);
  });

  it("has the welcome in their conversation's transcript, and nothing from themselves", async () => {
    const merchant = newcomer(world);
    await merchant.friendship(types.Friendship.Receive);
    await merchant.chat.next();
    const transcript = await world.store.transcript(merchant.conversationId);
    expect(transcript.map((entry) => [entry.from, entry.text])).toEqual([
      ["bot", t("zh-CN", "engine.welcome")],
    ]);
    expect(await world.store.getConversation(merchant.conversationId)).toMatchObject({
      channel: "wechat",
      turn: 0,
      address: { contactId: merchant.contact.id },
    });
  });

  it("picks a topic by its number and gets that topic's first question", async () => {
    const merchant = newcomer(world);
    await merchant.friendship(types.Friendship.Receive);
    await merchant.chat.next();
    merchant.says("1");
    const [reply] = await merchant.chat.next();
    expect(reply).toContain("返回码");
    expect((await world.store.getConversation(merchant.conversationId))?.flow?.id).toBe("card_declined");
  });

  it("is welcomed once, when the puppet also confirms the friendship the bot accepted", async () => {
    const merchant = newcomer(world);
    await merchant.friendship(types.Friendship.Receive);
    await merchant.chat.next();
    await merchant.friendship(types.Friendship.Confirm);
    merchant.says("此卡无法交易");
    const [reply] = await merchant.chat.next();
    expect(reply).toContain("返回码");
    const transcript = await world.store.transcript(merchant.conversationId);
    expect(transcript.filter((entry) => entry.text === t("zh-CN", "engine.welcome"))).toHaveLength(1);
  });

  it("is welcomed when the friendship is confirmed without a request to accept (the owner accepted it)", async () => {
    const accept = vi.spyOn(world.mocker.puppet, "friendshipAccept");
    const merchant = newcomer(world);
    await merchant.friendship(types.Friendship.Confirm);
    expect(await merchant.chat.next()).toEqual([welcomeText()]);
    expect(accept).not.toHaveBeenCalled();
  });
});
