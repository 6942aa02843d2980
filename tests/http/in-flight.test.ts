import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inFlightCounter } from "../../src/http/in-flight.js";

const counter = { count: 0 };
const inFlight = inFlightCounter(counter);
/** Responses the test ends itself, by path. */
const held = new Map<string, ServerResponse>();
const server = createServer((req, res) => {
  inFlight.enter(res);
  if (req.url === "/stream") {
    inFlight.leave(res);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write("retry: 2000\n\n");
  }
  held.set(req.url ?? "", res);
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Waits until the server holds the response for `path`. */
async function reached(path: string): Promise<ServerResponse> {
  for (;;) {
    const res = held.get(path);
    if (res) return res;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("requests in flight, for a graceful stop", () => {
  it("counts a request until its answer is sent", async () => {
    const answer = fetch(`${base}/slow`);
    const res = await reached("/slow");
    expect(counter.count).toBe(1);
    res.end("done");
    await (await answer).text();
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.count).toBe(0);
  });

  it("does not count an event stream once it is open, nor again when it closes", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${base}/stream`, { signal: controller.signal });
    await stream.body?.getReader().read();
    expect(counter.count).toBe(0);
    const res = await reached("/stream");
    const closed = new Promise((resolve) => res.once("close", resolve));
    controller.abort();
    await closed;
    expect(counter.count).toBe(0);
  });

  it("counts a request whose client went away until its connection closed", async () => {
    const controller = new AbortController();
    const answer = fetch(`${base}/dropped`, { signal: controller.signal }).catch(() => undefined);
    const res = await reached("/dropped");
    expect(counter.count).toBe(1);
    const closed = new Promise((resolve) => res.once("close", resolve));
    controller.abort();
    await answer;
    await closed;
    expect(counter.count).toBe(0);
  });
});
