/** Composition of the core: the model, the store and the engine, as every entry point uses them. */
import { FLOWS } from "../flows/index.js";
import { LiveHub, RedisHub } from "./channels/hub.js";
import { Locale } from "./domain/intents.js";
import { ConversationEngine } from "./engine/engine.js";
import type { PictureReader } from "./engine/pictures.js";
import { IncidentGate } from "./incidents/gate.js";
import { type IncidentSettings, incidentSettings } from "./incidents/settings.js";
import type { Logger } from "./logger.js";
import { loadNlu } from "./nlu/model.js";
import { openStore } from "./store/index.js";
import { RedisStore } from "./store/redis.js";
import type { Store } from "./store/store.js";
import { OcrPictureReader } from "./vision/reader.js";
import type { WebhookMetrics } from "./webhooks/dispatcher.js";
import { type WebhookConfig, Webhooks, webhookQueueFor } from "./webhooks/index.js";

export interface Posdesk {
  engine: ConversationEngine;
  store: Store;
  /** Live events: in this process, or across processes when the store is Redis. */
  hub: LiveHub;
  /** Webhooks, when configured: events queued beside the conversations and sent in the background. */
  webhooks?: Webhooks;
  /** Incidents as turns meet them: counting, and confirmed incidents told first (src/incidents/). */
  incidents: IncidentGate;
  close(): Promise<void>;
}

/** Where the store is shared by processes, each reads the open incidents again this often (ms). */
const INCIDENT_REFRESH_MS = 5000;

export interface PosdeskOptions {
  store?: string | Store;
  logger?: Logger;
  /**
   * Pictures of the screen or slip: `true` reads them with OCR (a worker thread, started on the first
   * picture); a reader of one's own; absent, a picture gets a hint to describe it in words.
   */
  pictures?: boolean | PictureReader;
  /** Webhooks (`parseWebhookConfig`): their queue lives in the store; sending starts at once. */
  webhooks?: WebhookConfig;
  metrics?: WebhookMetrics;
  /** When a topic becomes a suspected incident (default: from `POSDESK_INCIDENT_*`). */
  incidents?: IncidentSettings;
  /** The clock of turns and incidents (tests move it). */
  now?: () => Date;
}

export async function createPosdesk(options: PosdeskOptions = {}): Promise<Posdesk> {
  const store = typeof options.store === "object" ? options.store : await openStore(options.store);
  const pictures =
    options.pictures === true
      ? new OcrPictureReader(options.logger ? { logger: options.logger } : {})
      : options.pictures || undefined;
  const { nlu } = loadNlu();
  const agentLocale = Locale.catch("zh-CN").parse(process.env.POSDESK_AGENT_LOCALE ?? "zh-CN");
  const hub = store instanceof RedisStore ? await RedisHub.connect(store.redis) : new LiveHub();
  const incidents = new IncidentGate({
    store: store.incidents,
    settings: options.incidents ?? incidentSettings(process.env),
    publish: (event) => hub.publishDesk(event),
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // Every process's turns see an incident confirmed or closed anywhere: its event, and now and then a read.
  const refresh = () =>
    incidents.refresh().catch((error: unknown) => options.logger?.warn({ err: error }, "incidents not read"));
  await refresh();
  const stopListening = hub.subscribeDesk((event) => {
    if (event.type.startsWith("incident.") && event.type !== "incident.updated") void refresh();
  });
  const timer = store instanceof RedisStore ? setInterval(refresh, INCIDENT_REFRESH_MS).unref() : undefined;
  const engine = new ConversationEngine({
    nlu,
    store,
    flows: FLOWS,
    agentLocale,
    hooks: incidents,
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(pictures ? { pictures } : {}),
  });
  const webhooks = options.webhooks
    ? new Webhooks({
        config: options.webhooks,
        queue: webhookQueueFor(store),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.metrics ? { metrics: options.metrics } : {}),
      })
    : undefined;
  webhooks?.start();
  return {
    engine,
    store,
    hub,
    ...(webhooks ? { webhooks } : {}),
    incidents,
    close: async () => {
      clearInterval(timer);
      stopListening();
      await incidents.close();
      // Requests in flight finish and are recorded while the store is still open.
      await webhooks?.close();
      if (pictures instanceof OcrPictureReader) await pictures.close();
      await hub.close();
      await store.close();
    },
  };
}
