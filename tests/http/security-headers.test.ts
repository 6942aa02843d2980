import type { AddressInfo } from "node:net";
import express from "express";
import helmet, { type HelmetOptions } from "helmet";
import { describe, expect, it } from "vitest";
import { helmetHeaders, securityHeaders } from "../../src/http/security-headers.js";

/** The headers a response gets from `middleware`, on a real server. */
async function headersFrom(middleware: express.RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use(middleware);
  app.get("/", (_req, res) => {
    res.end("ok");
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    for (const name of ["date", "connection", "keep-alive", "content-length", "x-powered-by"])
      delete headers[name];
    return headers;
  } finally {
    server.close();
  }
}

describe("security headers worked out once", () => {
  it.each<[string, HelmetOptions]>([
    ["helmet's defaults", {}],
    [
      "posdesk's options",
      {
        contentSecurityPolicy: {
          directives: { "script-src": ["'self'"], "img-src": ["'self'", "data:", "blob:"] },
        },
        crossOriginResourcePolicy: { policy: "cross-origin" },
      },
    ],
  ])("are the headers helmet sends, with %s", async (_what, options) => {
    const expected = await headersFrom(helmet(options));
    expect(Object.keys(expected).length).toBeGreaterThan(8);
    expect(await headersFrom(securityHeaders(helmetHeaders(options)))).toEqual(expected);
  });
});
