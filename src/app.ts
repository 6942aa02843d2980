/** Composition of the core: the model, the store and the engine, as every entry point uses them. */
import { FLOWS } from "../flows/index.js";
import { LiveHub, RedisHub } from "./channels/hub.js";
import { ConversationEngine } from "./engine/engine.js";
import type { Logger } from "./logger.js";
import { Locale } from "./nlu/intents.js";
import { loadNlu } from "./nlu/model.js";
import { openStore } from "./store/index.js";
import { RedisStore } from "./store/redis.js";
import type { Store } from "./store/store.js";

export interface Posdesk {
  engine: ConversationEngine;
  store: Store;
  /** Live events: in this process, or across processes when the store is Redis. */
  hub: LiveHub;
  close(): Promise<void>;
}

export async function createPosdesk(
  options: { store?: string | Store; logger?: Logger } = {},
): Promise<Posdesk> {
  const store = typeof options.store === "object" ? options.store : await openStore(options.store);
  const { nlu } = loadNlu();
  const agentLocale = Locale.catch("zh-CN").parse(process.env.POSDESK_AGENT_LOCALE ?? "zh-CN");
  const engine = new ConversationEngine({
    nlu,
    store,
    flows: FLOWS,
    agentLocale,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const hub = store instanceof RedisStore ? await RedisHub.connect(store.redis) : new LiveHub();
  return {
    engine,
    store,
    hub,
    close: async () => {
      await hub.close();
      await store.close();
    },
  };
}
