/**
 * The WeChat Official Account channel end to end: a real posdesk server, posts signed (and in safe mode
 * encrypted) as WeChat's servers make them, and a stand-in of WeChat's API recording what posdesk sends.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffSummary } from "../../src/domain/handoff.js";
import { t } from "../../src/i18n.js";
import { startTestServer, type TestServer } from "../support/server.js";
import {
  type Fields,
  nextMsgId,
  type PostOptions,
  STAND_IN_CREDENTIALS,
  startWechatApi,
  TINY_PNG,
  testAccount,
  type WechatApiStandIn,
} from "../support/wechat-oa.js";

const BUDGET_MS = 1000;
const account = testAccount();

let api: WechatApiStandIn;
let server: TestServer;
beforeAll(async () => {
  api = await startWechatApi();
  server = await startTestServer({
    WECHAT_OA_TOKEN: account.keys.token,
    WECHAT_OA_APPID: account.keys.appId,
    WECHAT_OA_SECRET: STAND_IN_CREDENTIALS.secret,
    WECHAT_OA_AES_KEY: account.keys.aesKey,
    WECHAT_API_BASE: api.base,
    WECHAT_OA_REPLY_BUDGET_MS: String(BUDGET_MS),
    // These tests are about fetching and delivering; reading the picture is wechat-oa-picture.test.ts's.
    POSDESK_PICTURES: "off",
  });
});
afterAll(async () => {
  await server?.stop();
  await api?.close();
});

/** A merchant who follows the account, writing in `mode`; `says` answers with the passive reply's text. */
function merchant(mode: "plain" | "safe" = "plain") {
  const openid = `o-${randomUUID()}`;
  const conversationId = `wechat-oa:${openid}`;
  const fieldsOf = (fields: Fields): Fields => ({
    ToUserName: "gh_posdesk",
    FromUserName: openid,
    CreateTime: Math.floor(Date.now() / 1000),
    ...fields,
  });
  const post = (fields: Fields, options: PostOptions = {}) => {
    const { path, body } = account.post(fieldsOf(fields), { mode, ...options });
    return server.call(path, { method: "POST", body, headers: { "Content-Type": "text/xml" } });
  };
  /** The passive reply's text, or "success". */
  const answer = async (response: Response) => {
    expect(response.status).toBe(200);
    const body = await response.text();
    if (body === "success") return body;
    expect(response.headers.get("content-type")).toContain("xml");
    const reply = account.read(body, mode);
    expect(reply).toMatchObject({ ToUserName: openid, FromUserName: "gh_posdesk", MsgType: "text" });
    return reply.Content ?? "";
  };
  return {
    openid,
    conversationId,
    post,
    answer,
    async says(text: string) {
      return answer(await post({ MsgType: "text", Content: text, MsgId: nextMsgId() }));
    },
    async event(event: string, key?: string) {
      return answer(await post({ MsgType: "event", Event: event, ...(key ? { EventKey: key } : {}) }));
    },
  };
}

async function openHandoff(openid: string): Promise<HandoffSummary> {
  const response = await server.call("/api/handoffs", { agent: true });
  const handoffs = (await response.json()) as HandoffSummary[];
  const handoff = handoffs.find((h) => h.conversationId === `wechat-oa:${openid}`);
  if (!handoff) throw new Error(`no handoff for ${openid}`);
  return handoff;
}

async function merchantTurns(conversationId: string): Promise<number> {
  const transcript = await server.switchboard.engine.store.transcript(conversationId);
  return transcript.filter((entry) => entry.from === "merchant").length;
}

describe("WeChat's server check (GET /wechat/oa)", () => {
  it("answers echostr when the signature is made with the account's token", async () => {
    const response = await server.call(account.check("5021948237651"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("5021948237651");
  });

  it("refuses a signature made with another token, or none", async () => {
    const forged = await server.call(account.check("123", "not-the-token"));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: "signature does not match" });
    expect((await server.call("/wechat/oa?echostr=123")).status).toBe(401);
  });
});

describe("a troubleshooting conversation", () => {
  it("in plain mode: the refused card is walked through and handed to a person", async () => {
    const m = merchant("plain");
    const first = await m.says("刷卡提示05");
    expect(first).toContain("05");
    expect(first).toMatch(/1\. 解决了\n2\. 还是不行\n回复 1 \/ 2 选择$/);
    const second = await m.says("还是不行");
    expect(second).toContain(t("zh-CN", "engine.handoff.unresolved"));
    const handoff = await openHandoff(m.openid);
    expect(handoff).toMatchObject({
      conversationId: m.conversationId,
      channel: "wechat",
      intent: "card_declined",
      reason: "unresolved",
      facts: { responseCode: "05" },
    });
  });

  it("in safe mode: posts are decrypted, replies sealed, and '1' picks the first option", async () => {
    const m = merchant("safe");
    const first = await m.says("此卡无法交易");
    expect(first).toContain(t("zh-CN", "card_declined.askCode"));
    expect(first).toContain("1. 屏幕没有显示代码");
    const second = await m.says("1");
    expect(second).toContain(t("zh-CN", "card_declined.askScope").slice(0, 8));
    const conversation = await server.switchboard.engine.store.getConversation(m.conversationId);
    expect(conversation).toMatchObject({ channel: "wechat", flow: { id: "card_declined" } });
    expect(await m.says("转人工")).toContain(t("zh-CN", "engine.handoff.requested"));
    expect(await openHandoff(m.openid)).toMatchObject({ channel: "wechat", reason: "requested" });
  });

  it("answers an English merchant in English", async () => {
    const m = merchant("safe");
    expect(await m.says("my card was declined with code 51")).toMatch(/Reply 1 \/ 2 to choose$/);
  });
});

describe("requests WeChat did not make", () => {
  const text = () => ({ MsgType: "text", Content: "你好", MsgId: nextMsgId() });

  it("refuses a post signed with another token, plain or encrypted (401)", async () => {
    const plain = await merchant("plain").post(text(), { token: "forged" });
    expect(plain.status).toBe(401);
    const safe = await merchant("safe").post(text(), { token: "forged" });
    expect(safe.status).toBe(401);
    expect(await safe.json()).toEqual({ error: "msg_signature does not match" });
  });

  it("refuses a message sealed for another appid (401)", async () => {
    const response = await merchant("safe").post(text(), { appId: "wx-someone-else" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "the message is not for this account's appid" });
  });

  it.each([
    ["malformed XML", "<xml><Content>hi</xml>"],
    ["not XML at all", "hello"],
    ["a message without a sender", "<xml><MsgType>text</MsgType></xml>"],
    ["a DTD", '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'],
  ])("answers 400 to %s, plain or encrypted", async (_name, rawXml) => {
    for (const mode of ["plain", "safe"] as const) {
      const response = await merchant(mode).post(text(), { rawXml });
      expect(response.status).toBe(400);
      expect(await response.json()).toHaveProperty("error");
    }
  });

  it("answers 413 to a body over 64 kB, as every route does", async () => {
    const response = await merchant("plain").post({ ...text(), Content: "好".repeat(30_000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "request body too large" });
  });

  it("answers 400 to an encrypted post whose ciphertext is not one, though signed", async () => {
    const response = await merchant("safe").post(text(), {
      encrypt: Buffer.from("not encrypted").toString("base64"),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "the message cannot be decrypted" });
  });
});

describe("WeChat's retries and its 5 seconds", () => {
  it("a message posted twice is one turn, and the retry gets the same reply", async () => {
    const m = merchant("safe");
    const message = { MsgType: "text", Content: "此卡无法交易", MsgId: nextMsgId() };
    const first = await m.answer(await m.post(message));
    const retry = await m.answer(await m.post(message));
    expect(retry).toBe(first);
    expect(await merchantTurns(m.conversationId)).toBe(1);
  });

  it("a slow turn answers `success`, then its replies come through the customer-service API", async () => {
    const m = merchant("plain");
    const started = Date.now();
    const response = await m.post({
      MsgType: "image",
      PicUrl: api.pictureUrl(BUDGET_MS + 600),
      MediaId: "m1",
      MsgId: nextMsgId(),
    });
    expect(await m.answer(response)).toBe("success");
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 500);
    const [sent] = await api.sentTo(m.openid);
    expect(sent?.content).toBe(t("zh-CN", "engine.picture.unreadable"));
  });

  it("a retry that comes while the first post is still running answers `success`; one reply goes out", async () => {
    const m = merchant("plain");
    const message = {
      MsgType: "image",
      PicUrl: api.pictureUrl(BUDGET_MS + 600),
      MediaId: "m2",
      MsgId: nextMsgId(),
    };
    const first = m.post(message);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const retry = m.post(message);
    expect(await m.answer(await first)).toBe("success");
    expect(await m.answer(await retry)).toBe("success");
    await api.sentTo(m.openid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.sent.filter((s) => s.touser === m.openid)).toHaveLength(1);
    expect(await merchantTurns(m.conversationId)).toBe(1);
  });

  it("an event posted twice (same sender and time) is one welcome", async () => {
    const m = merchant("plain");
    const event = { MsgType: "event", Event: "subscribe", CreateTime: 1_700_000_000 };
    const first = await m.answer(await m.post(event));
    expect(await m.answer(await m.post(event))).toBe(first);
    const transcript = await server.switchboard.engine.store.transcript(m.conversationId);
    expect(transcript.filter((e) => e.text.startsWith(t("zh-CN", "engine.welcome")))).toHaveLength(1);
  });
});

describe("events", () => {
  it("a new follower is welcomed with the common topics, numbered", async () => {
    const welcome = await merchant("safe").event("subscribe", "qrscene_shop42");
    expect(welcome).toContain(t("zh-CN", "engine.welcome"));
    expect(welcome).toContain(`1. ${t("zh-CN", "topics.card_declined")}`);
    expect(welcome).toMatch(/回复 1 \/ 2 \/ 3 \/ 4 \/ 5 选择$/);
  });

  it("an unfollow gets nothing back", async () => {
    const m = merchant("plain");
    expect(await m.event("unsubscribe")).toBe("success");
    expect(await server.switchboard.engine.store.getConversation(m.conversationId)).toBeUndefined();
  });

  it("a menu button whose key is a topic starts that topic's flow", async () => {
    const m = merchant("safe");
    expect(await m.event("CLICK", "card_declined")).toContain(t("zh-CN", "card_declined.askCode"));
    const conversation = await server.switchboard.engine.store.getConversation(m.conversationId);
    expect(conversation?.flow?.id).toBe("card_declined");
    const [said] = await server.switchboard.engine.store.transcript(m.conversationId);
    expect(said).toMatchObject({ from: "merchant", text: t("zh-CN", "topics.card_declined") });
  });

  it("a menu button mid-flow puts the flow aside for the new topic", async () => {
    const m = merchant("plain");
    await m.says("此卡无法交易");
    const switched = await m.event("CLICK", "printer_problem");
    expect(switched).toContain(t("zh-CN", "topics.printer_problem"));
    const conversation = await server.switchboard.engine.store.getConversation(m.conversationId);
    expect(conversation?.flow?.id).toBe("printer_problem");
    expect(conversation?.suspended?.[0]?.flow.id).toBe("card_declined");
  });

  it("the `human_agent` button hands over; an unknown key shows the topics", async () => {
    const m = merchant("plain");
    expect(await m.event("CLICK", "human_agent")).toContain(t("zh-CN", "engine.handoff.requested"));
    expect(await openHandoff(m.openid)).toMatchObject({ reason: "requested", intent: "none" });
    expect(await merchant("plain").event("CLICK", "V1001_TODAY_MUSIC")).toContain(
      t("zh-CN", "engine.welcome"),
    );
  });

  it("a link menu button (VIEW) or a scan gets nothing back", async () => {
    expect(await merchant("plain").event("VIEW", "https://example.com/")).toBe("success");
    expect(await merchant("plain").event("SCAN", "42")).toBe("success");
  });
});

describe("voice, pictures and the rest", () => {
  it("a voice message is read from WeChat's recognition", async () => {
    const m = merchant("safe");
    const reply = await m.answer(
      await m.post({
        MsgType: "voice",
        MediaId: "v1",
        Format: "amr",
        Recognition: "此卡无法交易。",
        MsgId: nextMsgId(),
      }),
    );
    expect(reply).toContain(t("zh-CN", "card_declined.askCode"));
  });

  it("a voice message without recognition gets a hint to type or send a photo", async () => {
    const m = merchant("plain");
    const reply = await m.answer(
      await m.post({ MsgType: "voice", MediaId: "v2", Format: "amr", MsgId: nextMsgId() }),
    );
    expect(reply).toBe(t("zh-CN", "wechat.officialAccount.voice"));
  });

  it("a picture is fetched and read by the engine (no reader here: the engine's own hint)", async () => {
    const m = merchant("safe");
    const reply = await m.answer(
      await m.post({ MsgType: "image", PicUrl: api.pictureUrl(), MediaId: "p1", MsgId: nextMsgId() }),
    );
    expect(reply).toBe(t("zh-CN", "engine.picture.unreadable"));
  });

  it("a picture WeChat's PicUrl will not give is fetched by MediaId through the media API", async () => {
    const m = merchant("plain");
    api.media.set("media-png", TINY_PNG);
    const reply = await m.answer(
      await m.post({
        MsgType: "image",
        PicUrl: `${api.base}/gone.png`,
        MediaId: "media-png",
        MsgId: nextMsgId(),
      }),
    );
    expect(reply).toBe(t("zh-CN", "engine.picture.unreadable"));
    expect(api.mediaFetched).toContain("media-png");
  });

  it("a picture that cannot be fetched at all gets a hint", async () => {
    const m = merchant("plain");
    const reply = await m.answer(
      await m.post({
        MsgType: "image",
        PicUrl: `${api.base}/gone.png`,
        MediaId: "no-such-media",
        MsgId: nextMsgId(),
      }),
    );
    expect(reply).toBe(t("zh-CN", "wechat.officialAccount.pictureFailed"));
  });

  it.each(["location", "link", "video", "shortvideo", "file"])(
    "a %s message gets a polite hint",
    async (type) => {
      const m = merchant("plain");
      const reply = await m.answer(
        await m.post({ MsgType: type, MsgId: nextMsgId(), Title: "x", Url: "https://a.b/" }),
      );
      expect(reply).toBe(t("zh-CN", "wechat.officialAccount.unsupported"));
    },
  );

  it("a hint is in the merchant's language once the conversation has one", async () => {
    const m = merchant("plain");
    await m.says("my card was declined");
    const reply = await m.answer(
      await m.post({ MsgType: "voice", MediaId: "v3", Format: "amr", MsgId: nextMsgId() }),
    );
    expect(reply).toBe(t("en", "wechat.officialAccount.voice"));
  });
});

describe("agents reaching the merchant", () => {
  async function handedOver() {
    const m = merchant("safe");
    await m.says("此卡无法交易");
    await m.says("转人工");
    return { m, handoff: await openHandoff(m.openid) };
  }
  const agentSays = (handoffId: string, text: string) =>
    server.call(`/api/handoffs/${handoffId}/messages`, { method: "POST", agent: true, json: { text } });

  it("an agent's reply goes through the customer-service API, marked as from a person", async () => {
    const { m, handoff } = await handedOver();
    expect((await agentSays(handoff.id, "您好，我是客服小王")).status).toBe(201);
    const [sent] = await api.sentTo(m.openid);
    expect(sent?.content).toBe(`${t("zh-CN", "wechat.agentPrefix")}您好，我是客服小王`);
  });

  it("over 48 hours after the merchant's last message nothing is sent, and the agent is told why", async () => {
    const { m, handoff } = await handedOver();
    const store = server.switchboard.engine.store;
    const conversation = await store.getConversation(m.conversationId);
    if (!conversation) throw new Error("no conversation");
    const lastMessageAt = new Date(Date.now() - 49 * 3600_000).toISOString();
    await store.saveConversation({ ...conversation, address: { openid: m.openid, lastMessageAt } });

    const refused = await agentSays(handoff.id, "还在吗？");
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/48 hours/);
    expect(api.sent.filter((s) => s.touser === m.openid)).toHaveLength(0);
    const transcript = await store.transcript(m.conversationId);
    expect(transcript.some((e) => e.from === "agent")).toBe(false);

    // The merchant writes again: the window is open again.
    await m.says("在的");
    expect((await agentSays(handoff.id, "好的，我们继续")).status).toBe(201);
    expect((await api.sentTo(m.openid))[0]?.content).toContain("好的，我们继续");
  });

  it("WeChat's own refusal reaches the agent as a clear error", async () => {
    const { handoff } = await handedOver();
    api.refuseSend = { errcode: 43004, errmsg: "require subscribe" };
    try {
      const refused = await agentSays(handoff.id, "您好");
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: string }).error).toMatch(/no longer follows/);
    } finally {
      api.refuseSend = undefined;
    }
  });

  it("closing the handoff sends the bot's note, asking for a rating by number", async () => {
    const { m, handoff } = await handedOver();
    const closed = await server.call(`/api/handoffs/${handoff.id}/close`, {
      method: "POST",
      agent: true,
      json: { resolution: "card_declined" },
    });
    expect(closed.status).toBe(200);
    const note = (await api.sentTo(m.openid))[0]?.content;
    expect(note).toContain(t("zh-CN", "engine.rating.askAfterHandoff"));
    expect(note).toContain("5. 非常满意");
  });
});

describe("the access token", () => {
  it("is fetched once and reused, fetched again before it expires, and again when WeChat voids it", async () => {
    const m = merchant("plain");
    await m.says("转人工");
    const handoff = await openHandoff(m.openid);
    const send = async (text: string) => {
      const response = await server.call(`/api/handoffs/${handoff.id}/messages`, {
        method: "POST",
        agent: true,
        json: { text },
      });
      expect(response.status).toBe(201);
    };
    await send("零");
    // WeChat voids the token (a fetch elsewhere): the refusal fetches a new one, and the message goes.
    api.voidTokens();
    api.expiresIn = 2;
    const issued = api.tokensIssued.length;
    const rejected = api.rejected;
    await send("一");
    expect(api.rejected).toBe(rejected + 1);
    expect(api.tokensIssued.length).toBe(issued + 1);
    // Cached: the next message uses the same token.
    await send("二");
    expect(api.tokensIssued.length).toBe(issued + 1);
    // A 2 s token is fetched anew after half its life, before WeChat would refuse it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    api.expiresIn = 7200;
    await send("三");
    expect(api.tokensIssued.length).toBe(issued + 2);
    expect(api.rejected).toBe(rejected + 1);
    const tokens = (await api.sentTo(m.openid, 4)).map((s) => s.accessToken);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(tokens[2]).toBe(tokens[1]);
    expect(tokens[3]).not.toBe(tokens[2]);
  });
});
