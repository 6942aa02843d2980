import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Activity,
  ActivityEx,
  ActivityTypes,
  type ConversationReference,
  TestAdapter,
  type Transcript,
  type TurnContext,
} from "botbuilder";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BotFrameworkChannel,
  createBotFramework,
  localeOf,
  onTurnError,
  PosdeskBot,
} from "../../src/channels/botframework.js";
import { HandoffSummary } from "../../src/domain/handoff.js";
import type { Locale } from "../../src/domain/intents.js";
import type { PictureReader } from "../../src/engine/pictures.js";
import { list, t } from "../../src/i18n.js";
import { Switchboard } from "../../src/switchboard.js";
import { engineFor, readerOf } from "../support/conversation.js";

/**
 * TestAdapter has no proactive sends (its continueConversationAsync throws NotImplemented). This one runs
 * the logic on a turn context for the reference, as CloudAdapter does, so what it sends lands in activeQueue.
 */
class ProactiveTestAdapter extends TestAdapter {
  override async continueConversationAsync(
    _botAppIdOrClaims: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: string | ((context: TurnContext) => Promise<void>),
    maybeLogic?: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const logic = typeof logicOrAudience === "function" ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error("no logic to continue the conversation with");
    await this.runMiddleware(this.createContext(ActivityEx.getContinuationActivity(reference)), logic);
  }
}

/** A merchant on a Bot Framework test channel, the bot over the real engine and an in-memory store. */
function botFrameworkChat(options: { pictures?: PictureReader } = {}) {
  const switchboard = new Switchboard(engineFor(undefined, options.pictures));
  const bot = new PosdeskBot(switchboard);
  const adapter = new ProactiveTestAdapter(async (context) => bot.run(context));
  switchboard.register(new BotFrameworkChannel(adapter));
  return { switchboard, adapter };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

/** A stand-in for a channel's attachment service on 127.0.0.1. */
async function pictureService(answer: (res: import("node:http").ServerResponse) => void) {
  const server = createServer((_req, res) => answer(res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function titlesOf(activity: Partial<Activity>): (string | undefined)[] {
  return activity.suggestedActions?.actions.map((action) => action.title) ?? [];
}

describe("the Bot Framework bot", () => {
  it("asks a merchant whose card is refused for the code, with the quick replies as suggested actions", async () => {
    const { adapter } = botFrameworkChat();
    await adapter.send("此卡无法交易").assertReply((reply) => {
      expect(reply.type).toBe(ActivityTypes.Message);
      expect(reply.text).toContain("返回码");
      expect(titlesOf(reply)).toEqual(["屏幕没有显示代码"]);
      expect(reply.suggestedActions?.actions[0]).toMatchObject({ type: "imBack", value: "屏幕没有显示代码" });
    });
  });

  it("moves the flow on when the merchant taps a suggested action", async () => {
    const { adapter } = botFrameworkChat();
    let tapped = "";
    await adapter.send("此卡无法交易").assertReply((reply) => {
      tapped = String(reply.suggestedActions?.actions[0]?.value);
    });
    await adapter.send(tapped).assertReply((reply) => {
      expect(reply.text).toContain("所有卡");
      expect(titlesOf(reply)).toEqual(["只有这张卡", "所有卡都不行"]);
    });
  });

  it("answers in English to a merchant who writes English", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send("card declined code 05")
      .assertReply((reply) => expect(reply.text).toContain("do not honour"))
      .assertReply((reply) => expect(titlesOf(reply)).toEqual(["Yes, solved", "Still not working"]));
  });

  it("answers in the language the merchant writes in, whatever the client's interface language", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send({ type: ActivityTypes.Message, text: "此卡无法交易", locale: "en-US" })
      .assertReply((reply) => expect(reply.text).toContain("返回码"));
  });

  it("asks for words or a photo when the merchant sends only a file it cannot read", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send({
        type: ActivityTypes.Message,
        attachments: [{ contentType: "application/pdf", contentUrl: "https://example.com/slip.pdf" }],
      })
      .assertReply((reply) => expect(reply.text).toBe(t("zh-CN", "botframework.textOnly")));
  });

  it("reads a picture sent inline, and answers from what it shows", async () => {
    const reader = readerOf("交易失败\n应答码：51\n余额不足");
    const { adapter } = botFrameworkChat({ pictures: reader });
    await adapter
      .send({
        type: ActivityTypes.Message,
        attachments: [
          { contentType: "image/png", contentUrl: `data:image/png;base64,${PNG.toString("base64")}` },
        ],
      })
      .assertReply((reply) => expect(reply.text).toBe("我看到图片上写着：交易失败 / 应答码：51 / 余额不足"))
      .assertReply((reply) => expect(reply.text).toContain("余额不足"));
    expect(Buffer.from(reader.seen[0] ?? []).equals(PNG)).toBe(true);
  });

  it("fetches a picture from the channel's own service, with the text sent beside it", async () => {
    const reader = readerOf("DECLINED\nRC:05");
    const { adapter, switchboard } = botFrameworkChat({ pictures: reader });
    const service = await pictureService((res) => res.end(PNG));
    try {
      await adapter
        .send({
          type: ActivityTypes.Message,
          text: "this card",
          serviceUrl: service.url,
          attachments: [
            { contentType: "image/*", contentUrl: `${service.url}/v3/attachments/1/views/original` },
          ],
        })
        .assertReply((reply) => expect(reply.text).toContain("DECLINED / RC:05"));
    } finally {
      service.close();
    }
    expect(Buffer.from(reader.seen[0] ?? []).equals(PNG)).toBe(true);
    const [said] = await switchboard.engine.store.transcript("botframework:Convo1");
    expect(said).toMatchObject({
      from: "merchant",
      text: "DECLINED\nRC:05\nthis card",
      picture: expect.any(String),
    });
  });

  it("does not fetch a picture from anywhere else while activities are not authenticated", async () => {
    const reader = readerOf("交易失败");
    const { adapter } = botFrameworkChat({ pictures: reader });
    let fetched = false;
    const elsewhere = await pictureService((res) => {
      fetched = true;
      res.end(PNG);
    });
    try {
      await adapter
        .send({
          type: ActivityTypes.Message,
          attachments: [{ contentType: "image/png", contentUrl: `${elsewhere.url}/screen.png` }],
        })
        .assertReply((reply) => expect(reply.text).toBe(t("zh-CN", "engine.picture.unreadable")));
    } finally {
      elsewhere.close();
    }
    expect(fetched).toBe(false);
    expect(reader.seen).toHaveLength(0);
  });

  it("stops fetching a picture past 5 MB, and says it is too large", async () => {
    const reader = readerOf("交易失败");
    const { adapter } = botFrameworkChat({ pictures: reader });
    const service = await pictureService((res) => {
      res.write(Buffer.alloc(3 * 2 ** 20));
      res.end(Buffer.alloc(3 * 2 ** 20));
    });
    try {
      await adapter
        .send({
          type: ActivityTypes.Message,
          serviceUrl: service.url,
          attachments: [{ contentType: "image/jpeg", contentUrl: `${service.url}/big.jpg` }],
        })
        .assertReply((reply) => expect(reply.text).toBe(t("zh-CN", "engine.picture.too_large")));
    } finally {
      service.close();
    }
    expect(reader.seen).toHaveLength(0);
  });

  it("apologises without details when a turn fails", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    const logged: string[] = [];
    adapter.onTurnError = onTurnError(pino({}, { write: (line: string) => logged.push(line) }));
    vi.spyOn(switchboard, "handle").mockRejectedValue(new Error("store unavailable"));
    await adapter.send("此卡无法交易").assertReply((reply) => {
      expect(reply.text).toContain("抱歉");
      expect(reply.text).not.toContain("store unavailable");
    });
    expect(logged.join()).toContain("store unavailable");
  });
});

/** A conversationUpdate: these members joined (TestAdapter's bot is "bot", its merchant "user1"). */
function joined(ids: string[], locale?: string): Partial<Activity> {
  return {
    type: ActivityTypes.ConversationUpdate,
    membersAdded: ids.map((id) => ({ id, name: id })),
    ...(locale ? { locale } : {}),
  };
}

/** The common topics (engine.menuTopics) as the merchant reads them. */
const menuLabels = (locale: Locale) =>
  list(locale, "engine.menuTopics").map((topic) => t(locale, `topics.${topic}`));

describe("a merchant joining a Bot Framework conversation", () => {
  it("is welcomed first, with the common topics as suggested actions", async () => {
    const { adapter } = botFrameworkChat();
    await adapter.send(joined(["user1"])).assertReply((reply) => {
      expect(reply.text).toBe(t("zh-CN", "engine.welcome"));
      expect(titlesOf(reply)).toEqual(menuLabels("zh-CN"));
      expect(reply.suggestedActions?.actions.every((action) => action.type === "imBack")).toBe(true);
    });
  });

  it("starts the flow of the topic the merchant taps", async () => {
    const { adapter } = botFrameworkChat();
    let tapped = "";
    await adapter.send(joined(["user1"])).assertReply((reply) => {
      tapped = String(reply.suggestedActions?.actions[0]?.value);
    });
    await adapter.send(tapped).assertReply((reply) => expect(reply.text).toContain("返回码"));
  });

  it("has the welcome in the conversation's transcript, and nothing from the merchant", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    await adapter.send(joined(["user1"])).assertReply(() => {});
    const transcript = await switchboard.engine.store.transcript("botframework:Convo1");
    expect(transcript.map((entry) => [entry.from, entry.text])).toEqual([
      ["bot", t("zh-CN", "engine.welcome")],
    ]);
  });

  it("is welcomed in the client's language, then answered in the language they write in", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send(joined(["user1"], "en-US"))
      .assertReply((reply) => {
        expect(reply.text).toBe(t("en", "engine.welcome"));
        expect(titlesOf(reply)).toEqual(menuLabels("en"));
      })
      .send("此卡无法交易")
      .assertReply((reply) => expect(reply.text).toContain("返回码"));
  });

  it("is welcomed once when several members join at once", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send(joined(["bot", "user1", "user2"]))
      .assertReply((reply) => expect(reply.text).toBe(t("zh-CN", "engine.welcome")))
      .assertNoReply("no second welcome", 300);
  });

  it("says nothing when only the bot joins", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    await adapter.send(joined(["bot"])).assertNoReply("no welcome", 300);
    expect(await switchboard.engine.store.getConversation("botframework:Convo1")).toBeUndefined();
  });
});

describe("a handoff on Bot Framework", () => {
  it("sends the handoff message, then a handoff.initiate event carrying the HandoffSummary", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send("转人工")
      .assertReply((reply) => expect(reply.text).toContain("转接人工客服"))
      .assertReply((event) => {
        expect(event.type).toBe(ActivityTypes.Event);
        expect(event.name).toBe("handoff.initiate");
        expect(HandoffSummary.parse(event.value)).toMatchObject({
          conversationId: "botframework:Convo1",
          channel: "botframework",
          reason: "requested",
        });
      });
  });

  it("attaches the conversation so far to the handoff event as a transcript of message activities", async () => {
    const { adapter } = botFrameworkChat();
    await adapter
      .send("此卡无法交易")
      .assertReply(() => {})
      .send("转人工")
      .assertReply(() => {})
      .assertReply((event) => {
        const attachment = event.attachments?.[0];
        expect(attachment).toMatchObject({ contentType: "application/json", name: "Transcript" });
        const transcript = attachment?.content as Transcript | undefined;
        expect(transcript?.activities.map((a) => [a.type, a.from.id, a.text.slice(0, 6)])).toEqual([
          ["message", "user1", "此卡无法交易"],
          ["message", "bot", "请看一下终端"],
          ["message", "user1", "转人工"],
          ["message", "bot", "好的，正在为"],
        ]);
      });
  });

  it("brings the agent's reply to the merchant's conversation proactively, marked as from the agent", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    let handoffId = "";
    await adapter
      .send("转人工")
      .assertReply(() => {})
      .assertReply((event) => {
        handoffId = HandoffSummary.parse(event.value).id;
      });
    await switchboard.reply(handoffId, "您好，我是客服小王。");
    expect(adapter.getNextReply()).toMatchObject({
      type: ActivityTypes.Message,
      text: "【人工客服】您好，我是客服小王。",
      conversation: { id: "Convo1" },
    });
  });

  it("brings the bot's message outside a turn (an incident's notice) with its quick replies as suggested actions", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    let conversationId = "";
    await adapter.send("POS机一直显示通讯失败").assertReply((event) => {
      conversationId = event.conversation?.id ?? "";
    });
    const conversation = await switchboard.engine.store.getConversation(`botframework:${conversationId}`);
    if (!conversation) throw new Error("no conversation");
    await switchboard.announce(conversation, "您遇到的是同一个问题吗？", ["是的，一样", "不是，不一样"]);
    const notice = adapter.getNextReply();
    expect(notice?.text).toBe("您遇到的是同一个问题吗？");
    expect(titlesOf(notice ?? {})).toEqual(["是的，一样", "不是，不一样"]);
  });

  it("tells the merchant when the agent closes the handoff, as the bot, asking for a rating with suggested actions", async () => {
    const { adapter, switchboard } = botFrameworkChat();
    let handoffId = "";
    await adapter
      .send("转人工")
      .assertReply(() => {})
      .assertReply((event) => {
        handoffId = HandoffSummary.parse(event.value).id;
      });
    await switchboard.close(handoffId, "card_declined");
    const note = adapter.getNextReply();
    expect(note?.text).toBe(t("zh-CN", "engine.rating.askAfterHandoff"));
    expect(note?.suggestedActions?.actions.map((a) => a.value)).toEqual([
      "非常不满意",
      "不满意",
      "一般",
      "满意",
      "非常满意",
    ]);
  });

  it("refuses an agent reply to a conversation it has no Bot Framework address for", async () => {
    const { switchboard } = botFrameworkChat();
    const turn = await switchboard.handle({ text: "转人工", channel: "botframework" });
    await expect(switchboard.reply(turn.handoff?.id ?? "", "您好")).rejects.toMatchObject({ status: 409 });
  });
});

describe("the language of an activity's locale", () => {
  it.each([
    ["zh-CN", "zh-CN"],
    ["zh-TW", "zh-CN"],
    ["zh", "zh-CN"],
    ["en-US", "en"],
    ["en", "en"],
    ["fr-FR", undefined],
    [undefined, undefined],
  ])("%s is %s", (activityLocale, locale) => {
    expect(localeOf(activityLocale)).toBe(locale);
  });
});

/** A stand-in for the Bot Framework connector service (what the Emulator runs): records what the bot posts. */
async function connectorStub() {
  const posted: { path: string; activity: Partial<Activity> }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    posted.push({ path: req.url ?? "", activity: JSON.parse(body) });
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ id: `sent-${posted.length}` }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { serviceUrl: `http://127.0.0.1:${port}`, posted, close: () => server.close() };
}

/** What Express hands to `process`: the parsed body, and a response that records what was written. */
function post(activity: Partial<Activity>) {
  const req = { method: "POST", headers: {}, body: activity };
  const res = {
    socket: null,
    statusCode: 0,
    status(code: number) {
      res.statusCode = code;
    },
    header() {},
    send() {},
    end() {},
  };
  return { req, res };
}

describe("createBotFramework", () => {
  let stub: Awaited<ReturnType<typeof connectorStub>> | undefined;
  afterEach(() => stub?.close());

  function emulatorMessage(serviceUrl: string, text: string): Partial<Activity> {
    return {
      type: ActivityTypes.Message,
      id: "m1",
      channelId: "emulator",
      serviceUrl,
      conversation: { id: "emu-1", isGroup: false, conversationType: "personal", name: "emu" },
      from: { id: "merchant-1", name: "Merchant" },
      recipient: { id: "posdesk", name: "posdesk" },
      text,
    };
  }

  it("answers an Emulator message posted to /api/messages without credentials", async () => {
    stub = await connectorStub();
    const botFramework = createBotFramework(new Switchboard(engineFor()), {}, pino({ level: "silent" }));
    const { req, res } = post(emulatorMessage(stub.serviceUrl, "此卡无法交易"));
    await botFramework.process(req, res);
    expect(res.statusCode).toBe(200);
    expect(stub.posted).toHaveLength(1);
    expect(stub.posted[0]?.path).toBe("/v3/conversations/emu-1/activities/m1");
    expect(stub.posted[0]?.activity.text).toContain("返回码");
  });

  it("registers its channel on the switchboard, so an agent's reply reaches the Emulator conversation", async () => {
    stub = await connectorStub();
    const switchboard = new Switchboard(engineFor());
    const botFramework = createBotFramework(switchboard, {}, pino({ level: "silent" }));
    const { req, res } = post(emulatorMessage(stub.serviceUrl, "转人工"));
    await botFramework.process(req, res);
    const handoff = stub.posted.find((p) => p.activity.name === "handoff.initiate")?.activity.value;
    await switchboard.reply(HandoffSummary.parse(handoff).id, "您好，我是客服小王。");
    const delivered = stub.posted.at(-1);
    expect(delivered?.path).toMatch(/^\/v3\/conversations\/emu-1\/activities/);
    expect(delivered?.activity.text).toBe("【人工客服】您好，我是客服小王。");
  });
});
