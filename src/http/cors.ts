/**
 * Cross-origin access for the merchant-facing routes, so the widget works on an acquirer's own site: the
 * origins of `POSDESK_WIDGET_ORIGINS`, or any origin (`*`). Never with credentials: the widget sends no
 * cookies, and a conversation is reached by its unguessable id alone. Agent routes never get these headers:
 * the console is served by posdesk itself, so no other origin has any business reading them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Any origin, or exactly these (each `scheme://host[:port]`, as a browser sends `Origin`). */
export type WidgetOrigins = "*" | ReadonlySet<string>;

/** Every merchant-facing route starts with one of these; agent routes (`/agent`, `/api/handoffs`, `/api/admin`) do not. */
export const WIDGET_PATHS = ["/widget.js", "/api/ui", "/api/chat"];

/** What the widget sends: JSON posts and plain GETs (the event stream included). */
const ALLOWED_METHODS = "GET, POST";
const ALLOWED_HEADERS = "Content-Type";
/** Chromium caps a cached preflight at two hours; longer would only be ignored. */
const PREFLIGHT_MAX_AGE_S = 7200;

/**
 * `POSDESK_WIDGET_ORIGINS`: comma-separated origins, `*` (the default) for any. A value that is not a bare
 * origin (a path, a typo) stops the server at start rather than silently refusing every merchant.
 */
export function parseWidgetOrigins(value: string | undefined): WidgetOrigins {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0 || items.includes("*")) return "*";
  return new Set(items.map(toOrigin));
}

function toOrigin(item: string): string {
  let url: URL | undefined;
  try {
    url = new URL(item);
  } catch {
    url = undefined;
  }
  const bare = url && /^https?:$/.test(url.protocol) && url.pathname === "/" && !url.search && !url.hash;
  if (!url || !bare || url.username || url.password)
    throw new Error(
      `POSDESK_WIDGET_ORIGINS: "${item}" is not an origin such as https://shop.example.com (scheme, host and port only)`,
    );
  // As the browser writes it: lower-case host, no default port, no trailing slash.
  return url.origin;
}

/**
 * Adds the CORS headers when the request's origin is allowed, and answers every preflight itself (204):
 * an origin that is not allowed gets no CORS headers at all, so the browser refuses it. The server never
 * refuses the request on its own account: CORS guards what a page may read, not who may call. Plain
 * node:http, for Express's widget routes and for the chat route served before Express (chat-route.ts).
 */
export function widgetCors(
  origins: WidgetOrigins,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const allows = (origin: string) => origins === "*" || origins.has(origin);
  return (req, res, next) => {
    // The answer depends on the origin when a list decides it: caches must keep one per origin.
    if (origins !== "*") varyByOrigin(res);
    const origin = req.headers.origin;
    const preflight = req.method === "OPTIONS";
    if (origin !== undefined && allows(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origins === "*" ? "*" : origin);
      if (preflight) {
        res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
        res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_S));
      }
    }
    if (preflight) {
      res.statusCode = 204;
      res.setHeader("Content-Length", "0");
      res.end();
      return;
    }
    next();
  };
}

function varyByOrigin(res: ServerResponse): void {
  const vary = res.getHeader("Vary");
  if (vary === undefined) res.setHeader("Vary", "Origin");
  else if (!/(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(String(vary))) res.setHeader("Vary", `${vary}, Origin`);
}
