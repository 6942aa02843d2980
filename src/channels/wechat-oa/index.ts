/**
 * The WeChat Official Account channel put together from the environment: the API client (with the access
 * token shared through Redis when the store is Redis), the record of messages seen, the channel registered
 * on the switchboard, and the `/wechat/oa` routes. Off (undefined) without `WECHAT_OA_TOKEN`.
 */

import type { Router } from "express";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import type { Switchboard } from "../../switchboard.js";
import { WechatApi } from "./api.js";
import { WechatOaChannel } from "./channel.js";
import { wechatOaConfig } from "./config.js";
import { SeenMessages } from "./dedupe.js";
import { wechatOaRouter } from "./http.js";
import { MemoryTtlStore, RedisTtlStore } from "./ttl-store.js";

export interface WechatOa {
  channel: WechatOaChannel;
  router: Router;
}

export function createWechatOa(options: {
  switchboard: Switchboard;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** The store's Redis connection, when the store is Redis: tokens and seen messages are shared there. */
  redis?: Redis;
}): WechatOa | undefined {
  const config = wechatOaConfig(options.env);
  if (!config) return undefined;
  const shared = options.redis ? new RedisTtlStore(options.redis) : new MemoryTtlStore();
  const { appId, secret } = config;
  const api = appId && secret ? new WechatApi({ base: config.apiBase, appId, secret, shared }) : undefined;
  if (!api)
    options.logger.warn(
      "wechat-oa: no WECHAT_OA_SECRET: passive replies only, agents cannot reach merchants",
    );
  const channel = new WechatOaChannel({
    switchboard: options.switchboard,
    api,
    seen: new SeenMessages(shared),
    logger: options.logger,
    replyBudgetMs: config.replyBudgetMs,
  });
  options.switchboard.register(channel);
  return { channel, router: wechatOaRouter({ config, channel }) };
}

export { WECHAT_OA_PATH } from "./http.js";
