/**
 * A real-format card number sent through the web API and the CLI, into a SQLite file and a Redis
 * keyspace: afterwards only the masked form may appear in the file, the keyspace, the logs and every API
 * response.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../support/process.js";
import { type RedisServer, startRedis } from "../support/redis.js";

const PANS = ["6222021234567894", "4111 1111 1111 1111", "4111-1111-1111-1111"];
const RAW = /6222021234567894|4111[ -]?1111[ -]?1111[ -]?1111/;
const MASKED = ["622202******7894", "411111******1111"];
const CLI = join(import.meta.dirname, "../../dist/src/cli.js");

let redis: RedisServer;
let sqliteServer: ServerProcess;
let redisServer: ServerProcess;
const dir = mkdtempSync(join(tmpdir(), "posdesk-pan-"));
const dbFile = join(dir, "posdesk.db");
const responses: string[] = [];

async function record(response: Response): Promise<string> {
  const text = await response.text();
  responses.push(text);
  return text;
}

async function conversationWithPans(server: ServerProcess): Promise<void> {
  let id: string | undefined;
  for (const text of [`卡号${PANS[0]}刷卡提示05`, `card ${PANS[1]} declined`, `转人工 卡号是 ${PANS[2]}`]) {
    const response = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, ...(id ? { conversationId: id } : {}) }),
    });
    id = (JSON.parse(await record(response)) as { conversationId: string }).conversationId;
  }
  const list = JSON.parse(await record(await server.agent("/api/handoffs"))) as { id: string }[];
  for (const handoff of list) {
    await record(await server.agent(`/api/handoffs/${handoff.id}`));
    await record(
      await server.agent(`/api/handoffs/${handoff.id}/messages`, { text: `请核对卡号 ${PANS[0]}` }),
    );
    await record(await server.agent(`/api/handoffs/${handoff.id}`));
  }
  await record(await fetch(`${server.url}/api/chat/${id}/history`));
}

beforeAll(async () => {
  redis = await startRedis();
  sqliteServer = await startServerProcess({ POSDESK_STORE: dbFile, LOG_LEVEL: "info" });
  redisServer = await startServerProcess({ POSDESK_STORE: redis.url, LOG_LEVEL: "info" });
  await conversationWithPans(sqliteServer);
  await conversationWithPans(redisServer);
  const cli = spawnSync(process.execPath, [CLI, "chat", "--json", "--store", dbFile], {
    input: `刷卡提示51 卡号${PANS[0]}\n`,
    encoding: "utf8",
    env: { ...process.env, LOG_LEVEL: "info" },
  });
  responses.push(cli.stdout, cli.stderr);
  const classify = spawnSync(process.execPath, [CLI, "classify", "--json"], {
    input: `${PANS[1]} refused\n`,
    encoding: "utf8",
  });
  responses.push(classify.stdout);
});

afterAll(async () => {
  await Promise.all([sqliteServer?.kill(), redisServer?.kill()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("card numbers", () => {
  it("appear only masked in every API and CLI response", () => {
    const all = responses.join("\n");
    expect(all).not.toMatch(RAW);
    for (const masked of MASKED) expect(all).toContain(masked);
  });

  it("appear only masked in the SQLite file and its write-ahead log", () => {
    const files = readdirSync(dir).filter((f) => f.startsWith("posdesk.db"));
    const bytes = files.map((f) => readFileSync(join(dir, f)).toString("latin1")).join("");
    expect(files.length).toBeGreaterThan(0);
    expect(bytes).not.toMatch(RAW);
    expect(Buffer.from(bytes, "latin1").toString("utf8")).toContain(MASKED[0]);
  });

  it("appear only masked in the Redis keyspace", async () => {
    const client = new Redis(redis.url);
    const keys = await client.keys("*");
    const values: string[] = [];
    for (const key of keys) {
      const type = await client.type(key);
      if (type === "string") values.push((await client.get(key)) ?? "");
      else if (type === "list") values.push(...(await client.lrange(key, 0, -1)));
      else if (type === "zset") values.push(...(await client.zrange(key, 0, -1)));
      else if (type === "set") values.push(...(await client.smembers(key)));
      else if (type === "hash") values.push(JSON.stringify(await client.hgetall(key)));
    }
    client.disconnect();
    const dump = values.join("\n");
    expect(dump).not.toMatch(RAW);
    expect(dump).toContain(MASKED[0]);
  });

  it("appear only masked in the logs", () => {
    const logs = sqliteServer.output() + redisServer.output();
    expect(logs).toContain('"msg":"turn"');
    expect(logs).not.toMatch(RAW);
  });
});
