/**
 * `npm start` on every core: POSDESK_WORKERS server processes behind one port, over one real Redis. Each
 * request here comes on a connection of its own, as merchants' do, so the primary hands them round the workers.
 */
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../support/process.js";
import { type RedisServer, startRedis } from "../support/redis.js";

let redis: RedisServer;
let server: ServerProcess;

beforeAll(async () => {
  redis = await startRedis();
  server = await startServerProcess({
    POSDESK_STORE: redis.url,
    POSDESK_WORKERS: "2",
    POSDESK_PICTURES: "off",
  });
});

afterAll(async () => {
  await server?.kill();
  await redis?.stop();
});

/** One request on a new connection (no keep-alive), its JSON answer. */
function once(method: "GET" | "POST", path: string, body?: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, agent: false, headers: body ? { "Content-Type": "application/json" } : {} },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve(JSON.parse(text) as Record<string, unknown>));
      },
    );
    req.on("error", reject);
    // A connection handed to a worker as it dies is never answered: given up on, not waited for.
    req.setTimeout(2000, () => req.destroy(new Error("no answer")));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** The worker processes answering, asked on new connections until `count` distinct ones have (or 20 s). */
async function workersAnswering(
  count: number,
  exclude: ReadonlySet<number> = new Set(),
): Promise<Set<number>> {
  const seen = new Set<number>();
  const deadline = Date.now() + 20_000;
  while (seen.size < count && Date.now() < deadline) {
    try {
      const pid = Number((await once("GET", "/healthz")).pid);
      if (!exclude.has(pid)) seen.add(pid);
    } catch {
      // a worker starting or stopping
    }
    await sleep(20);
  }
  return seen;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("POSDESK_WORKERS=2 over Redis", () => {
  it("answers on one port from two worker processes, neither of them the one started", async () => {
    const pids = await workersAnswering(2);
    expect(pids.size).toBe(2);
    expect(pids.has(server.child.pid ?? -1)).toBe(false);
  });

  it("carries a conversation on whichever worker takes each turn", async () => {
    const first = await once("POST", "/api/chat", { text: "此卡无法交易" });
    const conversationId = first.conversationId;
    const second = await once("POST", "/api/chat", { conversationId, text: "没有代码" });
    const third = await once("POST", "/api/chat", { conversationId, text: "都不行" });
    expect([first.state, second.state, third.state]).toEqual(["askResponseCode", "askScope", "confirmFixed"]);
  });

  it("starts another worker when one dies", async () => {
    const before = await workersAnswering(2);
    const [victim] = [...before];
    process.kill(victim as number, "SIGKILL");
    const others = await workersAnswering(2, new Set([victim as number]));
    expect(others.size).toBe(2);
    expect((await once("POST", "/api/chat", { text: "POS机不能用了" })).replies).not.toHaveLength(0);
  });

  it("stops every worker, then itself, on SIGTERM", async () => {
    const pids = await workersAnswering(2);
    expect(await server.kill("SIGTERM")).toBe(0);
    await expect.poll(() => [...pids].filter(alive), { timeout: 5000 }).toEqual([]);
  });
});

describe("POSDESK_WORKERS that cannot be", () => {
  it("refuses several workers on a SQLite file, which belongs to one process", async () => {
    await expect(startServerProcess({ POSDESK_WORKERS: "2", POSDESK_STORE: ":memory:" })).rejects.toThrow(
      /needs the Redis store/,
    );
  });

  it("refuses a count that is not one", async () => {
    await expect(startServerProcess({ POSDESK_WORKERS: "many", POSDESK_STORE: redis.url })).rejects.toThrow(
      /POSDESK_WORKERS must be a whole number/,
    );
  });
});
