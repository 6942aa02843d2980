/**
 * A merchant who pauses between messages keeps their connection: the server does not close an idle
 * keep-alive connection after Node's default five seconds, when the next message may already be on its way.
 */
import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** POST /api/chat on `agent`: the status, and whether the request went out on a connection used before. */
function post(agent: Agent, body: object): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/api/chat`,
      { agent, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.once("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    req.once("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("an idle connection", () => {
  it("is still open for a message sent six seconds after the last", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let closed = false;
    const first = await post(agent, { text: "此卡无法交易" });
    for (const sockets of Object.values(agent.freeSockets))
      for (const socket of sockets ?? []) socket.once("close", () => (closed = true));
    await sleep(6000);
    expect(closed).toBe(false);
    const second = await post(agent, { text: "51" });
    expect(first).toEqual({ status: 200, reused: false });
    expect(second).toEqual({ status: 200, reused: true });
    agent.destroy();
  }, 15_000);
});
