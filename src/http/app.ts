/**
 * The HTTP face of posdesk (Express 5): the web widget and its chat API and live stream, the Bot Framework
 * endpoint, the WeChat Official Account endpoint, the agent console and its API, health and metrics. Bodies are validated with zod; every error
 * is JSON `{ error }` with a 4xx (or a bare 500), never a stack trace.
 */
import { readFileSync } from "node:fs";
import type { RequestListener, ServerResponse } from "node:http";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import type { Logger } from "pino";
import { z } from "zod";
import { type HandoffRecord, HandoffStatus } from "../domain/handoff.js";
import { IntentId, Locale } from "../domain/intents.js";
import { isoInstant, type Rating, ratingReport } from "../domain/rating.js";
import { EngineError, type Turn } from "../engine/engine.js";
import { quickReplies } from "../engine/reply.js";
import { named } from "../engine/summary.js";
import { section } from "../i18n.js";
import type { IncidentDesk } from "../incidents/desk.js";
import type { Metrics } from "../metrics.js";
import { ROOT } from "../paths.js";
import { isStoreUnavailable } from "../store/redis.js";
import type { Switchboard } from "../switchboard.js";
import type { Webhooks } from "../webhooks/index.js";
import { analyticsRoutes } from "./analytics.js";
import { requireAgent } from "./auth.js";
import { expressFields, plainRoute } from "./chat-route.js";
import { WIDGET_PATHS, type WidgetOrigins, widgetCors } from "./cors.js";
import { FlowMaps } from "./flowmaps.js";
import { inFlightCounter } from "./in-flight.js";
import { incidentRoutes } from "./incidents.js";
import { leanJsonBody, type Step, sendJson, type WithBody } from "./json-body.js";
import { helmetHeaders, securityHeaders } from "./security-headers.js";
import { openEventStream } from "./sse.js";

export interface HttpOptions {
  /** Retrains the model from the training phrases now (the server also does when they change). */
  reloadModel?: () => Promise<unknown>;
  switchboard: Switchboard;
  agentToken: string;
  metrics: Metrics;
  logger?: Logger;
  /** The Bot Framework endpoint, when the channel is set up. */
  botFramework?: { process(req: Request, res: Response): Promise<void> };
  /** WeChat Official Account routes (`/wechat/oa`), when the channel is configured. */
  wechatOa?: { router: express.Router };
  /** Largest accepted request body. */
  bodyLimit?: string;
  /** Largest body of `POST /api/chat` carrying an image (base64 of a 5 MB picture, and some room). */
  pictureBodyLimit?: string;
  /** Set `stopping` when the process is shutting down: readiness goes red. */
  lifecycle?: { stopping: boolean };
  /** Counts requests being answered (an event stream only until it opens), for a graceful stop. */
  inFlight?: { count: number };
  /** Express's `trust proxy` (hops or subnets), so rate limits see the merchant's address behind a balancer. */
  trustProxy?: string | number | boolean;
  /** Merchant turns allowed per minute from one address and into one conversation (0: no limit). */
  rateLimits?: { perAddress: number; perConversation: number };
  /** Origins whose pages may embed the widget (`POSDESK_WIDGET_ORIGINS`); any origin when absent. */
  widgetOrigins?: WidgetOrigins;
  /** Webhooks, when configured: their dead letters are shown to agents and can be sent again. */
  webhooks?: Pick<Webhooks, "deadLetters" | "redeliver">;
  /** The support lead's incidents (`/api/incidents…`, see incidents.ts). */
  incidents?: IncidentDesk;
}

export const DEFAULT_RATE_LIMITS = { perAddress: 120, perConversation: 30 };

function limiter(limit: number, key?: (req: Request) => string | undefined) {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    ...(key ? { keyGenerator: (req: Request) => key(req) ?? "", skip: (req: Request) => !key(req) } : {}),
    // Plain node:http: the chat route's responses are not Express's (chat-route.ts).
    handler: (_req, res) => {
      sendJson(res, { error: "too many messages; please wait a moment before sending more" }, 429);
    },
  });
}

const ChatRequest = z
  .object({
    conversationId: z.string().min(1).max(200).optional(),
    text: z.string().max(100_000).optional(),
    /** A picture of the screen or slip as a data URL; the reader checks what the bytes really are. */
    image: z
      .string()
      .regex(/^data:[\w.+-]+\/[\w.+-]+;base64,/, "must be a data URL (data:image/jpeg;base64,...)")
      .optional(),
    locale: Locale.optional(),
  })
  .refine((body) => body.text !== undefined || body.image !== undefined, {
    message: "text or image is required",
    path: ["text"],
  });

/** The picture in a data URL: its declared type and its bytes (decoded here, checked by the reader). */
function pictureOf(dataUrl: string): { bytes: Uint8Array; mime: string } {
  const comma = dataUrl.indexOf(",");
  const mime = dataUrl.slice(5, dataUrl.indexOf(";"));
  return { bytes: Buffer.from(dataUrl.slice(comma + 1), "base64"), mime };
}

/** "64kb", "7.5mb" as body-parser reads them (1 kb = 1024 bytes). */
function sizeInBytes(limit: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb)?\s*$/i.exec(limit);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2 }[(match?.[2] ?? "b").toLowerCase() as "b" | "kb" | "mb"];
  return match ? Math.floor(Number(match[1]) * unit) : 65_536;
}

/** A body larger than the small limit is let through only when it carries an image. */
function onlyPicturesLarge(smallLimit: number) {
  return (_req: unknown, _res: unknown, body: Buffer) => {
    if (body.length > smallLimit && !body.includes('"image"')) {
      throw Object.assign(new Error("request body too large"), { status: 413, type: "entity.too.large" });
    }
  };
}
/**
 * Opening a chat: no text. `locale` is the merchant's choice, as for a turn; `localeHint` the page's
 * language, which the welcome is in without holding against the language the merchant then writes in.
 */
const OpenRequest = z.object({
  conversationId: ChatRequest.shape.conversationId,
  locale: Locale.optional(),
  localeHint: Locale.optional(),
});
/** The least a Bot Framework activity needs before the adapter sees it (it answers 500 to malformed ones). */
const BotActivity = z
  .object({
    type: z.string().min(1),
    serviceUrl: z.string().min(1),
    channelId: z.string().min(1),
    conversation: z.looseObject({ id: z.string().min(1) }),
    from: z.looseObject({ id: z.string().min(1) }).optional(),
  })
  .loose();
const AgentMessage = z.object({ text: z.string().trim().min(1).max(4000) });
const CloseRequest = z.object({ resolution: IntentId, note: z.string().max(4000).optional() });
const ClaimRequest = z.object({ agent: z.string().trim().min(1).max(100).optional() });
/** `?status=`: which handoffs the queue lists; open and claimed ones (`active`) when absent. */
const HandoffsQuery = z.object({ status: z.union([HandoffStatus, z.enum(["active", "all"])]).optional() });
/** An ISO time, or a date (midnight UTC). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: "expected an ISO time (2026-05-01T08:00:00Z) or date (2026-05-01)",
});
const RatingsQuery = z
  .object({ from: Instant.optional(), to: Instant.optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: "from must not be after to",
    path: ["from"],
  });
/** The language an agent reads names in (`?locale=`); the summaries' language when not given. */
const LocaleQuery = z.object({ locale: Locale.optional() });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what = "request body"): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new HttpError(400, `invalid ${what}: ${where}${issue?.message ?? "malformed"}`);
}

const parseQuery = <T>(schema: z.ZodType<T>, query: unknown): T => parse(schema, query, "query");

const WEB_DIR = join(ROOT, "src", "web");
const asset = (file: string) => readFileSync(join(WEB_DIR, file), "utf8");

/**
 * A handoff as the agent API shows it: the contract's HandoffSummary, plus its status and, once the
 * merchant rated the agent's help, `rating`; with `lastRating`, the merchant's latest rating of any help.
 */
function view(record: HandoffRecord, lastRating?: Rating) {
  const { status, claimedBy, resolution, note, closedAt, rating } = record;
  return { ...record.summary, status, claimedBy, resolution, note, closedAt, rating, lastRating };
}

/**
 * The server's request listener: `POST /api/chat` on node:http itself (chat-route.ts), every other route
 * through Express.
 */
export function createHttpApp(options: HttpOptions): RequestListener {
  const { switchboard, metrics } = options;
  const { engine, hub } = switchboard;
  const app = express();
  const inFlight = inFlightCounter(options.inFlight);
  const agentOnly = requireAgent(options.agentToken);
  const flowMaps = new FlowMaps(engine.flows);
  const pages = {
    demo: asset("demo.html"),
    widget: asset("widget.js"),
    agent: asset("agent.html"),
    agentJs: asset("agent.js"),
  };

  app.disable("x-powered-by");
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  app.set("etag", false);
  const security = securityHeaders(
    helmetHeaders({
      contentSecurityPolicy: {
        // blob: for pictures: the widget's thumbnail of the merchant's photo, the console's kept copies.
        directives: {
          "script-src": ["'self'"],
          "connect-src": ["'self'"],
          "img-src": ["'self'", "data:", "blob:"],
        },
      },
      // The widget script is loaded by other sites' pages: a same-origin resource policy would block it.
      crossOriginResourcePolicy: { policy: "cross-origin" },
    }),
  );
  app.use(security);
  // Before the body parsers, so that their errors (malformed JSON, too large) reach a widget elsewhere too.
  const cors = widgetCors(options.widgetOrigins ?? "*");
  app.use(WIDGET_PATHS, cors);
  const jsonTypes = ["application/json", "application/*+json"];
  const smallJson = express.json({ limit: options.bodyLimit ?? "64kb", strict: true, type: jsonTypes });
  // Only a chat message with a picture may be large: its own parser, on its own route (see below).
  const pictureLimit = options.pictureBodyLimit ?? "7.5mb";
  const onlyPictures = onlyPicturesLarge(sizeInBytes(options.bodyLimit ?? "64kb"));
  const chatJson = leanJsonBody({
    limit: sizeInBytes(pictureLimit),
    verify: onlyPictures,
    fallback: express.json({
      limit: pictureLimit,
      strict: true,
      type: jsonTypes,
      verify: onlyPictures,
    }) as unknown as Step,
  });
  const limits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  const addressLimit = limits.perAddress > 0 ? [limiter(limits.perAddress)] : [];
  // Keyed by the body's conversation id: after the body is parsed.
  const conversationLimit =
    limits.perConversation > 0
      ? [
          limiter(limits.perConversation, (req) =>
            typeof req.body?.conversationId === "string" ? req.body.conversationId : undefined,
          ),
        ]
      : [];
  const chatLimits = [...addressLimit, ...conversationLimit];

  /**
   * A web conversation the merchant may use: the web channel's own, by its unguessable id. Ids of other
   * channels' conversations (a WeChat contact's, say) are refused as unknown, so nobody can read or write
   * into them from the web API.
   */
  const webConversation = async (id: string) => {
    const conversation = await engine.store.getConversation(id);
    if (conversation && conversation.channel !== "web") throw new HttpError(404, "no such conversation");
    return conversation;
  };

  /**
   * A web turn (a message, a picture, or the chat opened) as the widget reads it: the fields of a
   * `chat --json` turn, and for a picture what was seen on it.
   */
  const webTurn = async (turn: Omit<Turn, "channel">) => {
    // The engine refuses another channel's conversation as webConversation does, under the turn's lock.
    const result = await switchboard.handle({ ...turn, channel: "web", ownChannelOnly: true });
    const { conversationId, replies, options, intent, flow, handoff, locale, state, seen } = result;
    return {
      conversationId,
      replies,
      options,
      intent,
      flow,
      handoff,
      locale,
      state,
      ...(seen ? { seen } : {}),
    };
  };

  // A merchant's message, the most frequent request by far: not through Express (chat-route.ts), but
  // through the same headers, limits and body reader, in the same order.
  const asExpress = (step: express.RequestHandler) => step as unknown as Step;
  const chat = plainRoute({
    method: "POST",
    path: "/api/chat",
    steps: [
      security,
      cors,
      ...(chatLimits.length > 0 ? [expressFields(app)] : []),
      ...addressLimit.map(asExpress),
      chatJson,
      ...conversationLimit.map(asExpress),
    ],
    handle: async (req: WithBody, res) => {
      const { image, text, ...body } = parse(ChatRequest, req.body);
      sendJson(
        res,
        await webTurn({ ...body, text: text ?? "", ...(image ? { picture: pictureOf(image) } : {}) }),
      );
    },
    fail: (error, res) => answerError(error, res, options.logger),
  });

  app.use(smallJson);

  app.get("/", (_req, res) => {
    res.type("html").send(pages.demo);
  });
  app.get("/widget.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "no-cache").send(pages.widget);
  });
  app.get("/agent", (_req, res) => {
    res.type("html").send(pages.agent);
  });
  app.get("/agent.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "no-cache").send(pages.agentJs);
  });

  // The support lead's view: the analytics page, its chart library and words, and GET /api/analytics.
  app.use(analyticsRoutes({ store: engine.store, agentOnly }));

  /** The widget's and console's own words, from locales/ like everything else shown. */
  app.get("/api/ui/:locale", (req, res) => {
    const locale = parse(Locale, req.params.locale);
    res.json({ ...section(locale, "ui"), topics: section(locale, "topics") });
  });

  /**
   * The widget was opened with no conversation yet: the bot speaks first, a welcome with the common topics
   * as quick replies. Counted against the same limits as messages: each one may start a conversation.
   */
  app.post("/api/chat/open", ...chatLimits, async (req, res) => {
    const body = parse(OpenRequest, req.body ?? {});
    res.json(await webTurn({ ...body, text: "", opened: true }));
  });

  /** The conversation so far, for a widget that was reloaded. */
  app.get("/api/chat/:conversationId/history", async (req, res) => {
    const conversation = await webConversation(req.params.conversationId);
    if (!conversation) throw new HttpError(404, "no such conversation");
    const transcript = await engine.store.transcript(conversation.id);
    const options = conversation.question ? quickReplies(conversation.locale, conversation.question) : [];
    res.json({
      conversationId: conversation.id,
      locale: conversation.locale,
      messages: transcript,
      options: options.map((o) => o.label),
      withAgent: conversation.handoffId !== null,
    });
  });

  app.get("/api/chat/:conversationId/events", async (req, res) => {
    await webConversation(req.params.conversationId);
    inFlight.leave(res);
    openEventStream(req, res, (send) => hub.subscribeConversation(req.params.conversationId, send));
  });

  if (options.botFramework) {
    const botFramework = options.botFramework;
    app.post("/api/messages", (req, res) => {
      parse(BotActivity, req.body);
      return botFramework.process(req, res);
    });
  }

  if (options.wechatOa) app.use(options.wechatOa.router);
  /** A picture's redacted copy (card numbers painted over), for agents only; never cached. */
  app.get("/api/pictures/:id", agentOnly, async (req, res) => {
    const picture = await engine.store.getPicture(String(req.params.id));
    if (!picture) throw new HttpError(404, "no such picture");
    res
      .type(picture.mime)
      .set("Cache-Control", "private, no-store")
      .send(Buffer.from(picture.bytes.buffer, picture.bytes.byteOffset, picture.bytes.byteLength));
  });

  app.get("/api/handoffs", agentOnly, async (req, res) => {
    const { status = "active" } = parse(HandoffsQuery, req.query, "query");
    const handoffs = await engine.store.listHandoffs(status === "all" ? {} : { status });
    res.json(handoffs.map((h) => view(h)));
  });
  app.get("/api/handoffs/events", agentOnly, (req, res) => {
    inFlight.leave(res);
    openEventStream(req, res, (send) => hub.subscribeDesk(send));
  });
  /** The handoff, with its facts and steps named in the agent's language (`names`, an addition). */
  app.get("/api/handoffs/:id", agentOnly, async (req, res) => {
    const locale = parseQuery(LocaleQuery, req.query).locale ?? engine.agentLocale;
    const handoff = await engine.liveHandoff(String(req.params.id));
    const conversation = await engine.store.getConversation(handoff.summary.conversationId);
    res.json({ ...view(handoff, conversation?.lastRating), names: named(locale, handoff.summary) });
  });
  /**
   * The map of the handoff's flow, the states it passed through highlighted: JSON (`flow`, `statePath`,
   * `caption`, `mermaid`, `svg`), or the SVG alone for `Accept: image/svg+xml`.
   */
  app.get("/api/handoffs/:id/flowmap", agentOnly, async (req, res) => {
    const locale = parseQuery(LocaleQuery, req.query).locale ?? engine.agentLocale;
    const handoff = await engine.store.getHandoff(String(req.params.id));
    if (!handoff) throw new HttpError(404, "no such handoff");
    const map = flowMaps.of(handoff.summary, locale);
    if (!map) throw new HttpError(404, "this handoff has no flow map");
    if (req.accepts(["application/json", "image/svg+xml"]) === "image/svg+xml")
      res.type("image/svg+xml").set("Cache-Control", "private, no-store").send(map.svg);
    else res.json(map);
  });
  app.post("/api/handoffs/:id/claim", agentOnly, async (req, res) => {
    const body = parse(ClaimRequest, req.body ?? {});
    res.json(view(await switchboard.claim(String(req.params.id), body.agent ?? "agent")));
  });
  app.post("/api/handoffs/:id/messages", agentOnly, async (req, res) => {
    const body = parse(AgentMessage, req.body);
    await switchboard.reply(String(req.params.id), body.text);
    res.status(201).json({ ok: true });
  });
  app.post("/api/handoffs/:id/close", agentOnly, async (req, res) => {
    const body = parse(CloseRequest, req.body);
    res.json(view(await switchboard.close(String(req.params.id), body.resolution, body.note)));
  });

  /** Satisfaction ratings given in a period (`from` included, `to` excluded), with their count and mean. */
  app.get("/api/ratings", agentOnly, async (req, res) => {
    const { from, to } = parse(RatingsQuery, req.query, "query");
    const ratings = await engine.store.ratings({
      ...(from ? { from: isoInstant(from) } : {}),
      ...(to ? { to: isoInstant(to) } : {}),
    });
    res.json(ratingReport(ratings));
  });

  if (options.webhooks) {
    const webhooks = options.webhooks;
    /** Deliveries that failed every attempt, the most recent first, with the body they carried. */
    app.get("/api/webhooks/dead-letters", agentOnly, async (_req, res) => {
      res.json(
        (await webhooks.deadLetters()).map(({ body, ...letter }) => ({
          ...letter,
          payload: JSON.parse(body) as unknown,
        })),
      );
    });
    app.post("/api/webhooks/dead-letters/:id/retry", agentOnly, async (req, res) => {
      if (!(await webhooks.redeliver(String(req.params.id)))) throw new HttpError(404, "no such dead letter");
      res.status(202).json({ queued: true });
    });
  }

  if (options.incidents) app.use(incidentRoutes(options.incidents, agentOnly));

  if (options.reloadModel) {
    const reloadModel = options.reloadModel;
    app.post("/api/admin/reload-model", agentOnly, async (_req, res) => {
      res.json(await reloadModel());
    });
  }

  /** Liveness; `pid` tells apart the processes behind one port (POSDESK_WORKERS). */
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", pid: process.pid });
  });
  /** Readiness: the store answers. A load balancer stops sending turns here while it does not. */
  app.get("/readyz", async (_req, res) => {
    if (options.lifecycle?.stopping) res.status(503).json({ error: "shutting down" });
    else if (await engine.store.ready()) res.json({ status: "ready" });
    else res.status(503).json({ error: "store unavailable" });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    answerError(error, res, options.logger);
  });
  return (req, res) => {
    inFlight.enter(res);
    if (chat.handles(req)) chat.serve(req, res);
    else app(req, res);
  };
}

/** Every route's error answer: JSON `{ error }` with its status, a 5xx logged, never a stack trace. */
function answerError(error: unknown, res: ServerResponse, logger: Logger | undefined): void {
  const { status, message } = describe(error);
  if (status >= 500) logger?.error({ err: error }, "request failed");
  if (res.headersSent) return;
  if (status === 503) res.setHeader("Retry-After", "2");
  sendJson(res, { error: message }, status);
}

function describe(error: unknown): { status: number; message: string } {
  if (error instanceof HttpError || error instanceof EngineError)
    return { status: error.status, message: error.message };
  if (isStoreUnavailable(error)) return { status: 503, message: "storage is unavailable; try again shortly" };
  const e = error as { type?: string; status?: number; expose?: boolean; message?: string };
  // body-parser's own errors: malformed JSON, too large, wrong charset.
  if (e.type === "entity.parse.failed") return { status: 400, message: "malformed JSON body" };
  if (e.type === "entity.too.large") return { status: 413, message: "request body too large" };
  if (e.status && e.status >= 400 && e.status < 500 && e.expose)
    return { status: e.status, message: e.message ?? "bad request" };
  return { status: 500, message: "internal error" };
}
