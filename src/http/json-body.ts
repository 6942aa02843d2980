/**
 * The chat route's body reader: plain UTF-8 JSON, read in one pass and parsed once. body-parser does the
 * same with content negotiation, charset decoding and inflation around it — most of what a chat turn cost
 * over HTTP beside the turn itself (`npm run bench -- --only load --profile DIR`). Anything but plain JSON
 * (another charset, a compressed body) still goes to body-parser, and errors are body-parser's own: 413
 * `entity.too.large`, 400 `entity.parse.failed`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A request once a body reader has been: its parsed body. */
export type WithBody = IncomingMessage & { body?: unknown };
/** Connect-style middleware on plain node:http objects (Express's own run on them too). */
export type Step = (req: WithBody, res: ServerResponse, next: (error?: unknown) => void) => void;

/** `application/json` or `application/<x>+json`, with no charset or UTF-8. */
const PLAIN_JSON = /^application\/(?:[\w.-]+\+)?json\s*(?:;\s*charset="?utf-?8"?\s*)?$/i;
const FIRST_CHAR = /^[\s\uFEFF]*(.)/;

function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

export interface LeanJsonOptions {
  /** Largest body read, in bytes. */
  limit: number;
  /** Throws to refuse a body once read (e.g. a large one without a picture), as body-parser's `verify`. */
  verify?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
  /** body-parser, for what this reader leaves to it. */
  fallback: Step;
}

export function leanJsonBody(options: LeanJsonOptions): Step {
  const { limit, verify, fallback } = options;
  return (req, res, next) => {
    const type = req.headers["content-type"];
    const encoding = req.headers["content-encoding"];
    if (type === undefined || !PLAIN_JSON.test(type) || (encoding !== undefined && encoding !== "identity")) {
      fallback(req, res, next);
      return;
    }
    const tooLarge = () => bodyError(413, "entity.too.large", "request body too large");
    if (Number(req.headers["content-length"]) > limit) {
      req.resume();
      next(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      next(error);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) finish(tooLarge());
      else chunks.push(chunk);
    });
    req.once("error", finish);
    req.once("end", () => {
      if (done) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      try {
        verify?.(req, res, body);
        req.body = parseStrict(body.toString("utf8"));
      } catch (error) {
        finish(error);
        return;
      }
      finish();
    });
  };
}

/** An object or array, as body-parser's `strict` mode accepts (an empty body is `{}`). */
function parseStrict(text: string): unknown {
  if (text.length === 0) return {};
  const first = FIRST_CHAR.exec(text)?.[1];
  if (first !== "{" && first !== "[") throw bodyError(400, "entity.parse.failed", "malformed JSON body");
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw bodyError(400, "entity.parse.failed", "malformed JSON body");
  }
}

/** A JSON answer, written at once (Express's `res.json` also negotiates ETags and freshness it never uses here). */
export function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}
