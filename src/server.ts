/**
 * The composition root of `npm start`: store, model, engine, switchboard, channels and the HTTP server on
 * PORT (3978). SIGTERM / SIGINT stop taking requests, let those in flight finish, and close the store. With
 * POSDESK_WORKERS above 1 (Redis store only) this process starts that many of itself instead (cluster.ts).
 */
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { createPosdesk } from "./app.js";
import { createBotFramework } from "./channels/botframework.js";
import { WebChannel } from "./channels/web.js";
import { createWechatOa } from "./channels/wechat-oa/index.js";
import { clusterProblem, RELOAD_MODEL, runPrimary, workerCount } from "./cluster.js";
import { heapGrowthPercent, useHeapGrowth } from "./heap.js";
import { createHttpApp, DEFAULT_RATE_LIMITS } from "./http/app.js";
import { resolveAgentToken } from "./http/auth.js";
import { parseWidgetOrigins } from "./http/cors.js";
import { IncidentDesk } from "./incidents/desk.js";
import { incidentSettings } from "./incidents/settings.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { watchModel } from "./model-reload.js";
import { loadTrainingSet } from "./nlu/training.js";
import { INTENTS_DIR, intentsDir } from "./paths.js";
import { DEFAULT_STORE } from "./store/index.js";
import { RedisStore } from "./store/redis.js";
import { Switchboard } from "./switchboard.js";
import { parseWebhookConfig, type Webhooks } from "./webhooks/index.js";

/** How long a stopping server keeps reading requests already sent on open connections. */
const DRAIN_MS = 300;

export interface ServerOptions {
  port?: number;
  host?: string;
  store?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** The clock of turns and incidents (tests move it). */
  now?: () => Date;
}

export interface RunningServer {
  url: string;
  agentToken: string;
  switchboard: Switchboard;
  /** Webhooks, when `POSDESK_WEBHOOK_URLS` is set. */
  webhooks?: Webhooks;
  /** Incidents; `incidents.on("incident.confirmed" | "incident.closed", …)` is the hook for webhooks. */
  incidents: IncidentDesk;
  close(): Promise<void>;
}

/**
 * The agent console's token: AGENT_TOKEN, or the one kept beside the store (made and saved the first time,
 * and printed once).
 */
function agentToken(env: NodeJS.ProcessEnv, storeLocation: string): string {
  const tokenFile = /^[a-z]+:/.test(storeLocation)
    ? join("data", "agent-token")
    : join(dirname(resolve(storeLocation)), "agent-token");
  const { token, generated } = resolveAgentToken(env, tokenFile);
  if (generated)
    process.stderr.write(
      `posdesk: AGENT_TOKEN was not set; generated one for the agent console (saved in ${tokenFile}):\n  ${token}\n`,
    );
  return token;
}

/** How long an idle keep-alive connection stays open (see `startServer`). */
export const KEEP_ALIVE_MS = 65_000;

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  // Checked before anything is opened: a mistyped origin stops the start, with nothing left to close.
  const widgetOrigins = parseWidgetOrigins(env.POSDESK_WIDGET_ORIGINS);
  const webhooks = parseWebhookConfig(env);
  const incidentThresholds = incidentSettings(env);
  const storeLocation = options.store ?? env.POSDESK_STORE ?? DEFAULT_STORE;
  const metrics = new Metrics();
  // Pictures are read by OCR unless POSDESK_PICTURES=off (a small host that cannot spare the memory).
  const posdesk = await createPosdesk({
    store: storeLocation,
    logger,
    pictures: env.POSDESK_PICTURES !== "off",
    ...(webhooks ? { webhooks, metrics } : {}),
    incidents: incidentThresholds,
    ...(options.now ? { now: options.now } : {}),
  });
  const switchboard = new Switchboard(posdesk.engine, posdesk.hub, metrics, posdesk.webhooks);
  switchboard.register(new WebChannel());
  const incidents = new IncidentDesk({
    gate: posdesk.incidents,
    switchboard,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  // An incident confirmed or closed here (each fires once, where the agent acted) reaches the webhooks.
  const sender = posdesk.webhooks;
  if (sender) {
    incidents.on("incident.confirmed", ({ id, topic, message, count, confirmedAt }) => {
      const data = { id, topic, message, count, confirmedAt: confirmedAt ?? new Date().toISOString() };
      void sender.publish({ type: "incident.confirmed", data });
    });
    incidents.on("incident.closed", ({ id, topic, message, count, closedAt }) => {
      const data = { id, topic, message, count, closedAt: closedAt ?? new Date().toISOString() };
      void sender.publish({ type: "incident.closed", data });
    });
  }
  const botFramework = createBotFramework(switchboard, env, logger);
  // The Official Account when WECHAT_OA_TOKEN is set; with Redis, its access token is shared by every process.
  const wechatOa = createWechatOa({
    switchboard,
    env,
    logger,
    ...(posdesk.store instanceof RedisStore ? { redis: posdesk.store.redis } : {}),
  });
  // WeChat in the same process when a puppet is configured, so the console's replies reach WeChat directly.
  // Wechaty (its gRPC and protobuf modules: 26 of the idle server's 71 MB of heap) is loaded only then.
  const wechat = env.WECHATY_PUPPET
    ? await (await import("./channels/wechat-main.js")).startWechat(switchboard, logger)
    : undefined;
  // New training phrases (`posdesk learn --accept`, an edited intents file) reach the model without a restart.
  const phrasesDir = intentsDir(env);
  const models = watchModel({
    engine: posdesk.engine,
    dir: phrasesDir,
    logger,
    ...(phrasesDir === INTENTS_DIR ? { fingerprint: loadTrainingSet(phrasesDir).fingerprint } : {}),
  });
  if (phrasesDir !== INTENTS_DIR) await models.reload();
  const reloadAsAsked = (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === RELOAD_MODEL) void models.reload();
  };
  if (cluster.isWorker) process.on("message", reloadAsAsked);

  const token = agentToken(env, storeLocation);

  const rateLimits = {
    perAddress: Number(env.POSDESK_RATE_PER_ADDRESS ?? DEFAULT_RATE_LIMITS.perAddress),
    perConversation: Number(env.POSDESK_RATE_PER_CONVERSATION ?? DEFAULT_RATE_LIMITS.perConversation),
  };
  const trustProxy = env.POSDESK_TRUST_PROXY;
  const inFlight = { count: 0 };
  const lifecycle = { stopping: false };
  const graceMs = Number(env.POSDESK_SHUTDOWN_GRACE_MS ?? 1000);
  const app = createHttpApp({
    inFlight,
    lifecycle,
    switchboard,
    agentToken: token,
    metrics,
    logger,
    botFramework,
    ...(wechatOa ? { wechatOa } : {}),
    ...(posdesk.webhooks ? { webhooks: posdesk.webhooks } : {}),
    rateLimits,
    widgetOrigins,
    incidents,
    reloadModel: async () => {
      const result = await models.reload();
      // Under POSDESK_WORKERS the other workers reload too (cluster.ts passes the message on).
      if (cluster.isWorker) process.send?.({ type: RELOAD_MODEL });
      return result;
    },
    ...(trustProxy ? { trustProxy: /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy } : {}),
  });
  const port = options.port ?? Number(env.PORT ?? 3978);
  const host = options.host ?? env.HOST ?? "0.0.0.0";
  const server: Server = await new Promise((ready) => {
    const s = createServer(app).listen(port, host, () => ready(s));
    // A merchant who pauses about five seconds (Node's default) would send the next message just as the
    // idle connection is closed: a reset, and a POST the browser may not retry. Idle connections stay open
    // longer than the usual load balancer's 60 s, so the balancer is the one that closes them.
    s.keepAliveTimeout = KEEP_ALIVE_MS;
    s.headersTimeout = KEEP_ALIVE_MS + 1000;
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${actualPort}`;
  logger.info({ url, store: storeLocation.replace(/\/\/.*@/, "//***@") }, "posdesk listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Readiness goes red first and the listener stays open for a grace period, so a load balancer
      // stops sending turns here before the door closes; then what is in flight is finished, and the
      // remaining connections (event streams never end by themselves) are closed.
      lifecycle.stopping = true;
      await sleep(graceMs);
      const closed = new Promise<void>((done) => server.close(() => done()));
      const deadline = Date.now() + 10_000;
      await sleep(DRAIN_MS);
      while (inFlight.count > 0 && Date.now() < deadline) await sleep(20);
      server.closeAllConnections();
      await closed;
      models.close();
      await wechat?.stop();
      await posdesk.close();
    })();
    return closing;
  };
  return {
    url,
    agentToken: token,
    switchboard,
    ...(posdesk.webhooks ? { webhooks: posdesk.webhooks } : {}),
    incidents,
    close,
  };
}

const ROUTES = "(web chat: /  agent console: /agent  Bot Framework: /api/messages)";

async function main(): Promise<void> {
  const logger = createLogger();
  // The process's own setting, before anything is allocated: each cluster worker runs main() too.
  useHeapGrowth(heapGrowthPercent(process.env));
  const workers = workerCount(process.env);
  if (workers > 1 && cluster.isPrimary) {
    const store = process.env.POSDESK_STORE ?? DEFAULT_STORE;
    const problem = clusterProblem(process.env, store);
    if (problem) throw new Error(problem);
    // One token for every worker (each would otherwise make its own when none is set).
    process.env.AGENT_TOKEN = agentToken(process.env, store);
    runPrimary(workers, logger, (url) => {
      process.stdout.write(`posdesk on ${url}, ${workers} workers  ${ROUTES}\n`);
    });
    return;
  }
  const server = await startServer({ logger });
  if (cluster.isPrimary) process.stdout.write(`posdesk on ${server.url}  ${ROUTES}\n`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      void server.close().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`posdesk: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
