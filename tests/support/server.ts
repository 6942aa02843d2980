/** A real posdesk server on 127.0.0.1 and a free port, over a temporary SQLite file; stopped after use. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { type RunningServer, startServer } from "../../src/server.js";

export interface TestServer extends RunningServer {
  dir: string;
  /** fetch against the server; `agent: true` adds the agent token. */
  call(path: string, init?: RequestInit & { agent?: boolean; json?: unknown }): Promise<Response>;
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
  return {
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
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
