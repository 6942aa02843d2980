/**
 * Incidents with two servers sharing one real Redis: merchants spread over both are counted together, an
 * incident confirmed on one is told first by the other, and the hook fires once, where the agent acted.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/i18n.js";
import type { IncidentHookEvent, IncidentView } from "../../src/incidents/desk.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { type RedisServer, startRedis } from "../support/redis.js";

let redis: RedisServer;
let a: RunningServer;
let b: RunningServer;
const hooked = { a: [] as IncidentHookEvent[], b: [] as IncidentHookEvent[] };

const start = (store: string) =>
  startServer({
    port: 0,
    host: "127.0.0.1",
    store,
    env: {
      AGENT_TOKEN: "test-agent-token",
      POSDESK_SHUTDOWN_GRACE_MS: "0",
      POSDESK_RATE_PER_ADDRESS: "0",
      POSDESK_INCIDENT_MIN_CONVERSATIONS: "10",
    },
    logger: pino({ level: "silent" }),
  });

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([start(redis.url), start(redis.url)]);
  for (const [name, server] of [
    ["a", a],
    ["b", b],
  ] as const) {
    server.incidents.on("incident.confirmed", (event) => hooked[name].push(event));
    server.incidents.on("incident.closed", (event) => hooked[name].push(event));
  }
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

async function chat(server: RunningServer, text: string, conversationId?: string) {
  const response = await fetch(`${server.url}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text, ...(conversationId ? { conversationId } : {}) }),
  });
  return (await response.json()) as { conversationId: string; replies: string[]; options: string[] };
}

async function agent<T>(server: RunningServer, path: string, json?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { Authorization: "Bearer test-agent-token", "Content-Type": "application/json" },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function lastTexts(server: RunningServer, id: string, n: number): Promise<string[]> {
  const history = (await (await fetch(`${server.url}/api/chat/${id}/history`)).json()) as {
    messages: { text: string }[];
  };
  return history.messages.slice(-n).map((m) => m.text);
}

const message = "部分地区运营商网络故障，预计一小时内恢复";
const notice = t("zh-CN", "incident.notice", { topic: t("zh-CN", "topics.network_failure"), message });

describe("two servers sharing Redis", () => {
  let onA: string[] = [];
  let onB: string[] = [];
  let incident: IncidentView;

  it("count merchants spread over both together: one suspected incident, seen by both", async () => {
    onA = await Promise.all(
      Array.from({ length: 6 }, async () => (await chat(a, "POS机一直显示通讯失败")).conversationId),
    );
    onB = await Promise.all(
      Array.from({ length: 6 }, async () => (await chat(b, "POS机一直显示通讯失败")).conversationId),
    );
    for (const server of [a, b]) {
      await expect
        .poll(async () =>
          (await agent<IncidentView[]>(server, "/api/incidents")).map((i) => [i.topic, i.count]),
        )
        .toEqual([["network_failure", 12]]);
    }
    [incident] = (await agent<IncidentView[]>(b, "/api/incidents")) as [IncidentView];
    expect(incident.conversations.map((c) => c.id).sort()).toEqual([...onA, ...onB].sort());
  });

  it("tell an incident confirmed on one first on the other, and its open conversations wherever they are", async () => {
    const confirmed = await agent<IncidentView & { notified: number }>(
      a,
      `/api/incidents/${incident.id}/confirm`,
      {
        message,
      },
    );
    expect(confirmed).toMatchObject({ status: "confirmed", notified: 12 });
    expect(await lastTexts(b, onB[0] as string, 2)).toEqual([notice, t("zh-CN", "incident.ask")]);
    await expect.poll(async () => (await chat(b, "POS机通讯失败了")).replies[0]).toBe(notice);
  });

  it("call the hook once, on the server where the agent acted", () => {
    expect(hooked.a).toEqual([expect.objectContaining({ id: incident.id, message, count: 12 })]);
    expect(hooked.b).toEqual([]);
  });

  it("tell the linked merchants on one server that it is over when it is closed on the other", async () => {
    const linked = onA[0] as string;
    await chat(a, "是的，一样", linked);
    await agent(b, `/api/incidents/${incident.id}/close`, {});
    const over = t("zh-CN", "incident.over", { topic: t("zh-CN", "topics.network_failure") });
    expect(await lastTexts(a, linked, 1)).toEqual([over]);
    expect(hooked.b).toEqual([expect.objectContaining({ id: incident.id, closedAt: expect.any(String) })]);
    await expect.poll(async () => (await chat(a, "POS机通讯失败了")).replies[0]).not.toBe(notice);
  });
});
