/** A real posdesk server on 127.0.0.1 and a free port, over a temporary SQLite file; stopped after use. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { type RunningServer, startServer } from "../../src/server.js";

/** posdesk's answer to a web chat message (`POST /api/chat`); an error's body has `error` instead. */
export interface ChatBody {
  conversationId: string;
  replies: string[];
  options: string[];
  handoff: { id: string } | null;
  [field: string]: unknown;
}

export interface TestServer extends RunningServer {
  dir: string;
  /** fetch against the server; `agent: true` adds the agent token. */
  call(path: string, init?: RequestInit & { agent?: boolean; json?: unknown }): Promise<Response>;
  /** A merchant's message in the web chat, in a new conversation unless `conversationId` is given. */
  chat(text: string, conversationId?: string): Promise<{ status: number; body: ChatBody }>;
  /** A merchant's conversation said turn by turn in the web chat: the id of the handoff it ended in. */
  handoffAfter(...texts: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `port` and `dir` start it again where a stopped one was (stop it with `close()`, which keeps `dir`): the
 * same address and the same SQLite file, as a restarted server would be. `now` is its clock.
 */
export async function startTestServer(
  env: NodeJS.ProcessEnv = {},
  at: { port?: number; dir?: string; now?: () => Date } = {},
): Promise<TestServer> {
  const dir = at.dir ?? mkdtempSync(join(tmpdir(), "posdesk-http-"));
  const server = await startServer({
    port: at.port ?? 0,
    host: "127.0.0.1",
    store: join(dir, "posdesk.db"),
    env: { AGENT_TOKEN: "test-agent-token", POSDESK_SHUTDOWN_GRACE_MS: "0", ...env },
    logger: pino({ level: "silent" }),
    ...(at.now ? { now: at.now } : {}),
  });
  const running: TestServer = {
    ...server,
    dir,
    call(path, init = {}) {
      const { agent, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (agent) headers.set("Authorization", `Bearer ${server.agentToken}`);
      if (json !== undefined) headers.set("Content-Type", "application/json");
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async chat(text, conversationId) {
      const response = await running.call("/api/chat", {
        method: "POST",
        json: { text, ...(conversationId ? { conversationId } : {}) },
      });
      return { status: response.status, body: (await response.json()) as ChatBody };
    },
    async handoffAfter(...texts) {
      let conversationId: string | undefined;
      let handoff: { id: string } | null = null;
      for (const text of texts) {
        const { body } = await running.chat(text, conversationId);
        conversationId = body.conversationId;
        handoff = body.handoff ?? handoff;
      }
      if (!handoff) throw new Error(`no handoff after ${JSON.stringify(texts)}`);
      return handoff.id;
    },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return running;
}
