/**
 * Incidents through the HTTP API, as merchants and the support lead meet them: many merchants raising one
 * topic in a short time make a suspected incident; an agent confirms it with a message, which merchants
 * raising the topic are told first (and those troubleshooting it now, at once); closing it tells the
 * merchants who were told that it is over. The server's clock is the test's, so windows take no time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationEvent } from "../../src/channels/hub.js";
import { t } from "../../src/i18n.js";
import type { IncidentHookEvent, IncidentView } from "../../src/incidents/desk.js";
import { startTestServer, type TestServer } from "../support/server.js";

const START = Date.parse("2026-12-01T09:00:00.000Z");
let clock = START;
const now = () => new Date(clock);
const minutes = (n: number) => {
  clock += n * 60_000;
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(
    { POSDESK_RATE_PER_ADDRESS: "0", POSDESK_RATE_PER_CONVERSATION: "0" },
    { now },
  );
});
afterAll(async () => {
  await server.stop();
});

interface ChatBody {
  conversationId: string;
  replies: string[];
  options: string[];
  intent: string;
  flow: string | null;
  state: string | null;
  handoff: { id: string; intent: string } | null;
}

async function chat(text: string, conversationId?: string): Promise<ChatBody> {
  const response = await server.call("/api/chat", {
    method: "POST",
    json: { text, ...(conversationId ? { conversationId } : {}) },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ChatBody;
}

/** A merchant who says each line in turn; the conversation's id. */
async function merchant(...lines: string[]): Promise<string> {
  let id: string | undefined;
  for (const line of lines) id = (await chat(line, id)).conversationId;
  return id as string;
}

/** `count` merchants saying `lines`, a few at a time. */
async function merchants(count: number, ...lines: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, () => merchant(...lines));
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

async function incidents(query = ""): Promise<IncidentView[]> {
  const response = await server.call(`/api/incidents${query}`, { agent: true });
  expect(response.status).toBe(200);
  return (await response.json()) as IncidentView[];
}

const on = async (topic: string) => (await incidents()).find((i) => i.topic === topic);

async function confirm(id: string, message: string) {
  const response = await server.call(`/api/incidents/${id}/confirm`, {
    method: "POST",
    agent: true,
    json: { message },
  });
  return { status: response.status, body: (await response.json()) as IncidentView & { notified: number } };
}

async function close(id: string) {
  const response = await server.call(`/api/incidents/${id}/close`, { method: "POST", agent: true });
  return { status: response.status, body: (await response.json()) as IncidentView & { notified: number } };
}

async function history(
  id: string,
): Promise<{ messages: { from: string; text: string }[]; options: string[] }> {
  return (await (await server.call(`/api/chat/${id}/history`)).json()) as {
    messages: { from: string; text: string }[];
    options: string[];
  };
}

/** The conversation's live events (the widget's stream), collected until `stop`. */
async function listen(id: string): Promise<{ events: ConversationEvent[]; stop(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/chat/${id}/events`, { signal: controller.signal });
  const events: ConversationEvent[] = [];
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    while (reader) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const data = buffer
          .slice(0, end)
          .split("\n")
          .find((line) => line.startsWith("data: "));
        buffer = buffer.slice(end + 2);
        if (data) events.push(JSON.parse(data.slice(6)) as ConversationEvent);
      }
    }
  })();
  return { events, stop: () => controller.abort() };
}

const NOTICE_MESSAGE = "华东地区运营商线路故障，预计 15:00 前恢复";
const notice = (topic = "network_failure") =>
  t("zh-CN", "incident.notice", { topic: t("zh-CN", `topics.${topic}`), message: NOTICE_MESSAGE });
const over = (topic = "network_failure") =>
  t("zh-CN", "incident.over", { topic: t("zh-CN", `topics.${topic}`) });
const SAME_OR_NOT = ["是的，一样", "不是，不一样"];

describe("detecting a suspected incident", () => {
  it("makes none of fewer merchants than the threshold (19 of 20)", async () => {
    await merchants(19, "打印机不出小票");
    expect(await on("printer_problem")).toBeUndefined();
  });

  it("makes none of merchants spread over more than the window (one a minute, 15 in any window)", async () => {
    for (let i = 0; i < 25; i += 1) {
      await merchant("机器开不了机");
      minutes(1);
    }
    expect(await on("terminal_dead")).toBeUndefined();
  });

  it("counts a merchant who raises the topic twice once", async () => {
    for (let i = 0; i < 19; i += 1) await merchant("钱没到账", "算了", "钱没到账");
    expect(await on("settlement_delay")).toBeUndefined();
  });

  it("makes one of 200 merchants raising a network failure within the window, with the facts most share", async () => {
    minutes(60);
    // 140 on 4G whose terminals show 96, 60 on Wi-Fi who gave no code: the window holds them all.
    const sim = await merchants(140, "网络连接超时 返回码96", "4G");
    minutes(5);
    const wifi = await merchants(60, "POS机一直显示通讯失败", "不是", "wifi");
    const found = (await incidents()).filter((i) => i.topic === "network_failure");
    expect(found).toHaveLength(1);
    const [incident] = found as [IncidentView];
    expect(incident).toMatchObject({ status: "suspected", count: 200, linked: 0, message: null });
    expect(incident.conversations.map((c) => c.id).sort()).toEqual([...sim, ...wifi].sort());
    expect(incident.sharedFacts).toEqual({
      connection: { value: "sim", count: 140 },
      midSale: { value: true, count: 140 },
      responseCode: { value: "96", count: 140 },
    });
    expect(incident.conversations.find((c) => c.id === wifi[0])).toMatchObject({
      state: "raised",
      channel: "web",
      withAgent: false,
      facts: { connection: "wifi", midSale: false },
    });
  });
});

describe("a confirmed incident", () => {
  let incident: IncidentView;
  let open: string[];
  let resolved: string;
  let withAgent: string;
  const hooked: IncidentHookEvent[] = [];

  beforeAll(async () => {
    incident = (await on("network_failure")) as IncidentView;
    open = incident.conversations.map((c) => c.id);
    // Before it is confirmed, one merchant fixes it and another asks for a person.
    resolved = await merchant("POS机一直显示通讯失败", "不是", "4G", "没信号", "解决了");
    withAgent = await merchant("POS机一直显示通讯失败", "转人工");
    server.incidents.on("incident.confirmed", (event) => hooked.push(event));
    server.incidents.on("incident.closed", (event) => hooked.push(event));
  });

  it("is confirmed by an agent with a message: merchants troubleshooting the topic now are told it at once", async () => {
    const events = await listen(open[0] as string);
    const { status, body } = await confirm(incident.id, NOTICE_MESSAGE);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "confirmed", message: NOTICE_MESSAGE, count: 202 });
    // The 200 who raised it and are still at a question of the flow; not the one who fixed it, nor the one
    // with a person.
    expect(body.notified).toBe(200);
    await expect.poll(() => events.events.length).toBeGreaterThanOrEqual(2);
    events.stop();
    expect(events.events).toEqual([
      expect.objectContaining({ type: "message", from: "bot", text: notice(), proactive: true }),
      expect.objectContaining({ text: t("zh-CN", "incident.ask"), options: SAME_OR_NOT }),
    ]);
    const told = await history(open[0] as string);
    expect(told.messages.slice(-2).map((m) => m.text)).toEqual([notice(), t("zh-CN", "incident.ask")]);
    expect(told.options).toEqual(SAME_OR_NOT);
    expect((await history(resolved)).messages.map((m) => m.text)).not.toContain(notice());
    expect((await history(withAgent)).messages.map((m) => m.text)).not.toContain(notice());
  });

  it("calls the hook with its id, topic, message, count and time", () => {
    expect(hooked).toEqual([
      {
        id: incident.id,
        topic: "network_failure",
        message: NOTICE_MESSAGE,
        count: 202,
        confirmedAt: new Date(clock).toISOString(),
      },
    ]);
  });

  it("tells a merchant who raises the topic its message first and asks whether theirs is the same", async () => {
    const turn = await chat("POS机通讯失败了");
    expect(turn.replies).toEqual([notice(), t("zh-CN", "incident.ask")]);
    expect(turn.options).toEqual(SAME_OR_NOT);
    expect(turn.flow).toBeNull();
  });

  it("links a merchant whose problem is the same, does not troubleshoot, and offers a person", async () => {
    const id = (await chat("POS机通讯失败了")).conversationId;
    const turn = await chat("是的，一样", id);
    expect(turn.replies).toEqual([t("zh-CN", "incident.linked"), t("zh-CN", "incident.offer")]);
    expect(turn.options).toEqual(["转人工", "不用了"]);
    expect(turn.flow).toBeNull();
    const member = (await on("network_failure"))?.conversations.find((c) => c.id === id);
    expect(member?.state).toBe("linked");
  });

  it("hands a linked merchant who wants a person over with the topic and what they said", async () => {
    const id = (await chat("网络连接超时 返回码96")).conversationId;
    await chat("一样的", id);
    const turn = await chat("转人工", id);
    expect(turn.handoff).toMatchObject({ intent: "network_failure", reason: "requested" });
    expect(turn.handoff).toMatchObject({ facts: { responseCode: "96" } });
  });

  it("troubleshoots as usual a merchant whose problem is not the same", async () => {
    const id = (await chat("POS机通讯失败了")).conversationId;
    const turn = await chat("不是", id);
    expect(turn.replies[0]).toBe(t("zh-CN", "incident.notSame"));
    expect(turn.flow).toBe("network_failure");
    expect(turn.state).toBe("askMidSale");
    const member = (await on("network_failure"))?.conversations.find((c) => c.id === id);
    expect(member?.state).toBe("declined");
  });

  it("takes a yes from a merchant told in the middle of the flow: linked, the flow ended", async () => {
    const turn = await chat("对，一样", open[0]);
    expect(turn.replies[0]).toBe(t("zh-CN", "incident.linked"));
    expect(turn.flow).toBeNull();
  });

  it("goes back to the flow's question for a merchant told in the middle of it who says no", async () => {
    const turn = await chat("不一样", open[1]);
    expect(turn.replies).toEqual([t("zh-CN", "incident.carryOn"), expect.stringContaining("信号")]);
    expect(turn.flow).toBe("network_failure");
    expect(turn.state).toBe("askSignal");
  });

  it("lets a merchant told in the middle of the flow simply answer the flow's question", async () => {
    const turn = await chat("没信号", open[2]);
    expect(turn.flow).toBe("network_failure");
    expect(turn.state).toBe("confirmFixed");
  });

  it("is listed with how many merchants said theirs is the same", async () => {
    const listed = await on("network_failure");
    // The 202, and the four merchants above who raised it since.
    expect(listed).toMatchObject({ status: "confirmed", count: 206, linked: 3, message: NOTICE_MESSAGE });
  });

  it("cannot be confirmed twice", async () => {
    expect((await confirm(incident.id, "again")).status).toBe(409);
  });

  it("tells, when closed, the merchants who were told of it that it is over, and not those who said no", async () => {
    const linked = open[0] as string;
    const declined = open[1] as string;
    const toldOnly = open[3] as string;
    const events = await listen(toldOnly);
    minutes(30);
    const { status, body } = await close(incident.id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "closed", closedAt: new Date(clock).toISOString() });
    expect(hooked.at(-1)).toMatchObject({
      id: incident.id,
      topic: "network_failure",
      closedAt: body.closedAt,
    });
    await expect.poll(() => events.events.some((e) => e.type === "message" && e.text === over())).toBe(true);
    events.stop();
    expect((await history(linked)).messages.at(-1)?.text).toBe(over());
    expect((await history(declined)).messages.map((m) => m.text)).not.toContain(over());
    // The question about it is dropped: a merchant who never answered is back at the flow's question.
    const back = await history(toldOnly);
    expect(back.messages.slice(-3).map((m) => m.text)).toEqual([
      over(),
      t("zh-CN", "incident.carryOn"),
      expect.stringContaining("信号"),
    ]);
    expect((await chat("没信号", toldOnly)).state).toBe("confirmFixed");
  });

  it("is no longer told once closed: the topic is troubleshot as usual", async () => {
    const turn = await chat("POS机通讯失败了");
    expect(turn.flow).toBe("network_failure");
    expect(await on("network_failure")).toBeUndefined();
    expect((await incidents("?all=1")).find((i) => i.id === incident.id)?.status).toBe("closed");
  });

  it("cannot be closed twice", async () => {
    expect((await close(incident.id)).status).toBe(409);
  });
});

describe("a suspected incident", () => {
  it("lapses when nobody raises its topic for a whole window, and can be dismissed by closing it", async () => {
    minutes(60);
    await merchants(20, "刷卡提示读卡失败");
    const suspected = await on("card_read_error");
    expect(suspected?.status).toBe("suspected");
    minutes(16);
    expect(await on("card_read_error")).toBeUndefined();
    expect((await incidents("?all=1")).find((i) => i.id === suspected?.id)?.status).toBe("lapsed");
    await merchants(20, "刷卡提示读卡失败");
    const again = await on("card_read_error");
    expect(again?.id).not.toBe(suspected?.id);
    expect(again?.count).toBe(20);
    const dismissed = await close(again?.id as string);
    expect(dismissed.body).toMatchObject({ status: "closed", notified: 0 });
  });
});

describe("the incident API", () => {
  it("needs the agent token", async () => {
    expect((await server.call("/api/incidents")).status).toBe(401);
    expect((await server.call("/api/incidents/x/close", { method: "POST" })).status).toBe(401);
  });

  it("answers 404 for an incident that does not exist", async () => {
    expect((await confirm("no-such-incident", "msg")).status).toBe(404);
    expect((await close("no-such-incident")).status).toBe(404);
    expect((await server.call("/api/incidents/no-such-incident", { agent: true })).status).toBe(404);
  });

  it("refuses a confirmation without a message", async () => {
    const response = await server.call("/api/incidents/x/confirm", { method: "POST", agent: true, json: {} });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining("message") });
  });
});

describe("incidents on a SQLite file", () => {
  it("survive a restart: a confirmed incident is still listed, and still told first", async () => {
    const env = { POSDESK_RATE_PER_ADDRESS: "0", POSDESK_INCIDENT_MIN_CONVERSATIONS: "5" };
    const first = await startTestServer(env, { now });
    const say = async (on: TestServer, text: string) =>
      (await (await on.call("/api/chat", { method: "POST", json: { text } })).json()) as ChatBody;
    for (let i = 0; i < 5; i += 1) await say(first, "钱没到账");
    const [suspected] = (await (
      await first.call("/api/incidents", { agent: true })
    ).json()) as IncidentView[];
    // A card number in the agent's message is masked in what is kept and what merchants are told.
    const message = "清算系统延迟，卡号 4111111111111111 的商户请留意，预计今晚到账";
    const masked = "清算系统延迟，卡号 411111******1111 的商户请留意，预计今晚到账";
    await first.call(`/api/incidents/${suspected?.id}/confirm`, {
      method: "POST",
      agent: true,
      json: { message },
    });
    await first.close();

    const again = await startTestServer(env, { dir: first.dir, now });
    try {
      const [kept] = (await (await again.call("/api/incidents", { agent: true })).json()) as IncidentView[];
      expect(kept).toMatchObject({ id: suspected?.id, status: "confirmed", count: 5, message: masked });
      const turn = await say(again, "钱没到账");
      expect(turn.replies[0]).toBe(
        t("zh-CN", "incident.notice", { topic: t("zh-CN", "topics.settlement_delay"), message: masked }),
      );
      expect(turn.options).toEqual(SAME_OR_NOT);
    } finally {
      await again.stop();
    }
  });
});

describe("incident thresholds", () => {
  it("stop the server at start when they are not numbers", async () => {
    await expect(startTestServer({ POSDESK_INCIDENT_MIN_CONVERSATIONS: "many" })).rejects.toThrow(
      /POSDESK_INCIDENT_MIN_CONVERSATIONS/,
    );
    await expect(startTestServer({ POSDESK_INCIDENT_WINDOW_MINUTES: "0" })).rejects.toThrow(
      /POSDESK_INCIDENT_WINDOW_MINUTES/,
    );
  });
});
