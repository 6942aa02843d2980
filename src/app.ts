/** Composition of the core: the model, the store and the engine, as every entry point uses them. */
import { FLOWS } from "../flows/index.js";
import { LiveHub, RedisHub } from "./channels/hub.js";
import { Locale } from "./domain/intents.js";
import { ConversationEngine } from "./engine/engine.js";
import type { PictureReader } from "./engine/pictures.js";
import type { Logger } from "./logger.js";
import { loadNlu } from "./nlu/model.js";
import { openStore } from "./store/index.js";
import { RedisStore } from "./store/redis.js";
import type { Store } from "./store/store.js";
import { OcrPictureReader } from "./vision/reader.js";

export interface Posdesk {
  engine: ConversationEngine;
  store: Store;
  /** Live events: in this process, or across processes when the store is Redis. */
  hub: LiveHub;
  close(): Promise<void>;
}

export interface PosdeskOptions {
  store?: string | Store;
  logger?: Logger;
  /**
   * Pictures of the screen or slip: `true` reads them with OCR (a worker thread, started on the first
   * picture); a reader of one's own; absent, a picture gets a hint to describe it in words.
   */
  pictures?: boolean | PictureReader;
}

export async function createPosdesk(options: PosdeskOptions = {}): Promise<Posdesk> {
  const store = typeof options.store === "object" ? options.store : await openStore(options.store);
  const pictures =
    options.pictures === true
      ? new OcrPictureReader(options.logger ? { logger: options.logger } : {})
      : options.pictures || undefined;
  const { nlu } = loadNlu();
  const agentLocale = Locale.catch("zh-CN").parse(process.env.POSDESK_AGENT_LOCALE ?? "zh-CN");
  const engine = new ConversationEngine({
    nlu,
    store,
    flows: FLOWS,
    agentLocale,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(pictures ? { pictures } : {}),
  });
  const hub = store instanceof RedisStore ? await RedisHub.connect(store.redis) : new LiveHub();
  return {
    engine,
    store,
    hub,
    close: async () => {
      if (pictures instanceof OcrPictureReader) await pictures.close();
      await hub.close();
      await store.close();
    },
  };
}
