/**
 * Helmet's security headers, worked out once: helmet builds them on every response (the content security
 * policy string included), and with posdesk's options they never depend on the request. Helmet is run once
 * against a response that only records what it is told, and every response then gets the same headers in one
 * call — a tenth of a chat turn's HTTP cost before (`--only load --profile`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";

/** The headers helmet sets with `options`, as one list (names as helmet writes them). */
export function helmetHeaders(options: HelmetOptions): Map<string, string> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name, String(value));
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
    getHeader(name: string) {
      return headers.get(name);
    },
  };
  let called = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    called = true;
  });
  // A helmet that answered later (an asynchronous directive) would not be recorded here: refuse to start.
  if (!called) throw new Error("helmet did not finish synchronously: its headers cannot be worked out once");
  return headers;
}

/** Sets `headers` (from `helmetHeaders`) on every response: plain node:http, for Express and the chat route. */
export function securityHeaders(
  headers: ReadonlyMap<string, string>,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (_req, res, next) => {
    res.setHeaders(headers as Map<string, string>);
    next();
  };
}
