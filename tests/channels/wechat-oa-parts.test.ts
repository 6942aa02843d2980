/**
 * The Official Account channel's parts on their own: the access-token cache against a clock, the token and
 * the record of seen messages shared through a real Redis, the settings, and a picture's bytes reaching
 * the engine's Turn.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WechatApi } from "../../src/channels/wechat-oa/api.js";
import { WechatOaChannel } from "../../src/channels/wechat-oa/channel.js";
import { wechatOaConfig } from "../../src/channels/wechat-oa/config.js";
import { SeenMessages } from "../../src/channels/wechat-oa/dedupe.js";
import { AccessTokens } from "../../src/channels/wechat-oa/token.js";
import { MemoryTtlStore, RedisTtlStore } from "../../src/channels/wechat-oa/ttl-store.js";
import type { Turn, TurnResult } from "../../src/engine/engine.js";
import type { Switchboard } from "../../src/switchboard.js";
import { engineFor } from "../support/conversation.js";
import { type RedisServer, startRedis } from "../support/redis.js";
import {
  STAND_IN_CREDENTIALS,
  startWechatApi,
  TINY_PNG,
  type WechatApiStandIn,
} from "../support/wechat-oa.js";

const HOUR = 3600_000;

/** A token issuer that counts its calls; each token lives `lifeMs`. */
function issuer(lifeMs = 2 * HOUR) {
  let count = 0;
  return {
    get count() {
      return count;
    },
    issue: async () => {
      count += 1;
      return { token: `t${count}`, expiresInMs: lifeMs };
    },
  };
}

describe("the access token cache", () => {
  it("fetches once, reuses the token, and fetches again five minutes before it expires", async () => {
    let now = 0;
    const clock = () => now;
    const wechat = issuer();
    const tokens = new AccessTokens(wechat.issue, new MemoryTtlStore(clock), { key: "token", now: clock });
    expect(await tokens.get()).toBe("t1");
    now = 2 * HOUR - 5 * 60_000 - 1;
    expect(await tokens.get()).toBe("t1");
    expect(wechat.count).toBe(1);
    now += 1;
    expect(await tokens.get()).toBe("t2");
    expect(wechat.count).toBe(2);
  });

  it("fetches once for callers asking at the same time", async () => {
    const wechat = issuer();
    const tokens = new AccessTokens(wechat.issue, new MemoryTtlStore(), { key: "token" });
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(["t1", "t1", "t1"]);
    expect(wechat.count).toBe(1);
  });

  it("drops a token WeChat refused, and only that one", async () => {
    const wechat = issuer();
    const tokens = new AccessTokens(wechat.issue, new MemoryTtlStore(), { key: "token" });
    await tokens.get();
    await tokens.invalidate("some-older-token");
    expect(await tokens.get()).toBe("t1");
    await tokens.invalidate("t1");
    expect(await tokens.get()).toBe("t2");
  });
});

describe("shared through Redis (several processes)", () => {
  let redisServer: RedisServer;
  const clients: Redis[] = [];
  const client = () => {
    const redis = new Redis(redisServer.url);
    clients.push(redis);
    return redis;
  };
  beforeAll(async () => {
    redisServer = await startRedis();
  });
  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await redisServer?.stop();
  });

  it("two processes use one access token: the second waits for the first's fetch", async () => {
    const wechat = issuer();
    const slowIssue = async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return wechat.issue();
    };
    const a = new AccessTokens(slowIssue, new RedisTtlStore(client(), "test-a:"), { key: "token" });
    const b = new AccessTokens(slowIssue, new RedisTtlStore(client(), "test-a:"), { key: "token" });
    expect(await Promise.all([a.get(), b.get()])).toEqual(["t1", "t1"]);
    expect(wechat.count).toBe(1);
    // Refused by WeChat in one process: the other fetches no second token of its own for it.
    await a.invalidate("t1");
    const c = new AccessTokens(slowIssue, new RedisTtlStore(client(), "test-a:"), { key: "token" });
    expect(await c.get()).toBe("t2");
  });

  it("a message claimed by one process is a retry to another, which gets the passive reply", async () => {
    const first = new SeenMessages(new RedisTtlStore(client(), "test-b:"));
    const second = new SeenMessages(new RedisTtlStore(client(), "test-b:"));
    expect(await first.claim("msg:1")).toBe(true);
    expect(await second.claim("msg:1")).toBe(false);
    const waiting = second.passiveReply("msg:1", 2000);
    await first.answered("msg:1", ["您好"]);
    expect(await waiting).toEqual(["您好"]);
  });

  it("a retry whose first post went to the customer-service API gets no passive reply", async () => {
    const seen = new SeenMessages(new RedisTtlStore(client(), "test-c:"));
    await seen.claim("msg:2");
    await seen.sent("msg:2");
    expect(await seen.passiveReply("msg:2", 1000)).toBeUndefined();
  });
});

describe("the settings", () => {
  const base = { WECHAT_OA_TOKEN: "tok", WECHAT_OA_APPID: "wx1" };

  it("are off without a token, and take WeChat's API host by default", () => {
    expect(wechatOaConfig({ WECHAT_OA_APPID: "wx1" })).toBeUndefined();
    expect(wechatOaConfig(base)).toMatchObject({ apiBase: "https://api.weixin.qq.com", replyBudgetMs: 4000 });
  });

  it.each([
    [{ ...base, WECHAT_OA_AES_KEY: "too-short" }, /43 letters/],
    [{ WECHAT_OA_TOKEN: "tok", WECHAT_OA_AES_KEY: "a".repeat(43) }, /WECHAT_OA_APPID is needed/],
    [{ WECHAT_OA_TOKEN: "tok", WECHAT_OA_SECRET: "s" }, /WECHAT_OA_APPID is needed/],
    [{ ...base, WECHAT_OA_REPLY_BUDGET_MS: "6000" }, /WECHAT_OA_REPLY_BUDGET_MS/],
  ])("refuse what cannot work (%o)", (env, message) => {
    expect(() => wechatOaConfig(env)).toThrow(message);
  });
});

describe("pictures", () => {
  let api: WechatApiStandIn;
  beforeAll(async () => {
    api = await startWechatApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  /** The channel over a switchboard that records the Turns it is given. */
  function channelRecordingTurns() {
    const turns: Turn[] = [];
    const engine = engineFor();
    const switchboard = {
      engine,
      handle: async (turn: Turn): Promise<TurnResult> => {
        turns.push(turn);
        return engine.handle(turn);
      },
    } as unknown as Switchboard;
    const { appid: appId, secret } = STAND_IN_CREDENTIALS;
    const channel = new WechatOaChannel({
      switchboard,
      api: new WechatApi({ base: api.base, appId, secret, shared: new MemoryTtlStore() }),
      seen: new SeenMessages(new MemoryTtlStore()),
      logger: pino({ level: "silent" }),
      replyBudgetMs: 4000,
    });
    return { channel, turns };
  }
  const image = (fields: Record<string, string>) => ({
    ToUserName: "gh_posdesk",
    FromUserName: "o-picture",
    CreateTime: "1700000000",
    MsgType: "image",
    MsgId: String(Math.random()).slice(2),
    ...fields,
  });

  it("hands the engine the picture's bytes and type, from PicUrl", async () => {
    const { channel, turns } = channelRecordingTurns();
    await channel.receive(image({ PicUrl: api.pictureUrl(), MediaId: "unused" }));
    expect(turns[0]?.picture?.mime).toBe("image/png");
    expect(Buffer.from(turns[0]?.picture?.bytes ?? []).equals(TINY_PNG)).toBe(true);
    expect(turns[0]).toMatchObject({ conversationId: "wechat-oa:o-picture", channel: "wechat", text: "" });
  });

  it("or from the media API by MediaId", async () => {
    const { channel, turns } = channelRecordingTurns();
    api.media.set("media-1", TINY_PNG);
    await channel.receive(image({ MediaId: "media-1" }));
    expect(Buffer.from(turns[0]?.picture?.bytes ?? []).equals(TINY_PNG)).toBe(true);
  });

  it("refuses a picture over 5 MB without reading it all", async () => {
    const { channel, turns } = channelRecordingTurns();
    api.media.set("huge", Buffer.alloc(6 * 1024 * 1024));
    const answer = await channel.receive(image({ MediaId: "huge" }));
    expect(turns).toHaveLength(0);
    expect(answer).toMatchObject({ passive: expect.stringContaining("图片") });
  });
});
