/**
 * `POST /api/chat`, the request a server answers most by far, served by node:http itself in front of Express.
 * Express gives every request its own request and response prototypes and walks its router; under the paced
 * load of 1,000 conversations that was about a fifth of the server's CPU and most of its tail. Measured in
 * alternating rounds of the same paced client on one machine, the server before and after this route:
 * 15.4 against 12.0 s of CPU, later-turn p99 18.1–18.9 against 4.7–7.5 ms, first-turn p99 56.6–64.7 against
 * 8.8–13.4 ms. Everything the route had from Express it still has, run in the same order: the security
 * headers, the widget's CORS headers, the rate limits (express-rate-limit, given what it reads of Express:
 * see `expressFields`), the body reader, and errors answered as JSON by the same function as every route's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type express from "express";
import proxyaddr from "proxy-addr";
import type { Step, WithBody } from "./json-body.js";

export interface PlainRoute {
  /** Whether this route answers `req`: its method, and its path as Express matches it (any case, one trailing slash). */
  handles(req: IncomingMessage): boolean;
  serve(req: IncomingMessage, res: ServerResponse): void;
}

export interface PlainRouteOptions {
  method: string;
  path: string;
  /** The middleware the route runs first, in order, as Express would. */
  steps: readonly Step[];
  /** The route's own work, once every step called `next()`. */
  handle: (req: WithBody, res: ServerResponse) => Promise<void>;
  /** Answers an error from a step or from `handle`. */
  fail: (error: unknown, res: ServerResponse) => void;
}

export function plainRoute(options: PlainRouteOptions): PlainRoute {
  const { method, steps, handle, fail } = options;
  const path = options.path.toLowerCase();
  return {
    handles(req) {
      if (req.method !== method || !req.url) return false;
      const query = req.url.indexOf("?");
      let p = query < 0 ? req.url : req.url.slice(0, query);
      if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
      return p.length === path.length && p.toLowerCase() === path;
    },
    serve(req, res) {
      let index = 0;
      const failed = (error: unknown) => fail(error, res);
      const next = (error?: unknown): void => {
        if (error) {
          failed(error);
          return;
        }
        const step = steps[index++];
        if (!step) {
          handle(req, res).catch(failed);
          return;
        }
        try {
          step(req, res, next);
        } catch (thrown) {
          failed(thrown);
        }
      };
      next();
    },
  };
}

/**
 * What express-rate-limit uses of Express beside node's own request and response: the request's `ip`, by
 * the app's `trust proxy` setting as Express works it out; its `app`, whose settings the limiter's start-up
 * checks read; and the response's `append`, for its `RateLimit` headers (Express's semantics: a header
 * already set gets the value added). Set before the limiters run.
 */
export function expressFields(app: express.Express): Step {
  const trust = app.get("trust proxy fn") as Parameters<typeof proxyaddr>[1];
  return (req, res, next) => {
    Object.assign(req, { ip: proxyaddr(req, trust), app });
    Object.assign(res, { append });
    next();
  };
}

/** Express's `res.append`: a header already set gets the value added. */
function append(this: ServerResponse, name: string, value: string | string[]): ServerResponse {
  const values = [this.getHeader(name) ?? [], value].flat().map(String);
  this.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  return this;
}
