/**
 * The composition root of `npm start`: store, model, engine, switchboard, channels and the HTTP server on
 * PORT (3978). SIGTERM / SIGINT stop taking requests, let those in flight finish, and close the store.
 */
import type { Server } from "node:http";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createPosdesk } from "./app.js";
import { createBotFramework } from "./channels/botframework.js";
import { WebChannel } from "./channels/web.js";
import { createHttpApp } from "./http/app.js";
import { resolveAgentToken } from "./http/auth.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { DEFAULT_STORE } from "./store/index.js";
import { Switchboard } from "./switchboard.js";

export interface ServerOptions {
  port?: number;
  host?: string;
  store?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  agentToken: string;
  switchboard: Switchboard;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const storeLocation = options.store ?? env.POSDESK_STORE ?? DEFAULT_STORE;
  const posdesk = await createPosdesk({ store: storeLocation, logger });
  const metrics = new Metrics();
  const switchboard = new Switchboard(posdesk.engine, posdesk.hub, metrics);
  switchboard.register(new WebChannel());
  const botFramework = createBotFramework(switchboard, env, logger);

  const tokenFile = /^[a-z]+:/.test(storeLocation)
    ? join("data", "agent-token")
    : join(dirname(resolve(storeLocation)), "agent-token");
  const { token, generated } = resolveAgentToken(env, tokenFile);
  if (generated)
    process.stderr.write(
      `posdesk: AGENT_TOKEN was not set; generated one for the agent console (saved in ${tokenFile}):\n  ${token}\n`,
    );

  const app = createHttpApp({ switchboard, agentToken: token, metrics, logger, botFramework });
  const port = options.port ?? Number(env.PORT ?? 3978);
  const host = options.host ?? env.HOST ?? "0.0.0.0";
  const server: Server = await new Promise((ready) => {
    const s = app.listen(port, host, () => ready(s));
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${actualPort}`;
  logger.info({ url, store: storeLocation.replace(/\/\/.*@/, "//***@") }, "posdesk listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        // Event streams never end by themselves: close idle and streaming sockets once requests are answered.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await posdesk.close();
    })();
    return closing;
  };
  return { url, agentToken: token, switchboard, close };
}

async function main(): Promise<void> {
  const logger = createLogger();
  const server = await startServer({ logger });
  process.stdout.write(
    `posdesk on ${server.url}  (web chat: /  agent console: /agent  Bot Framework: /api/messages)\n`,
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      void server.close().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`posdesk: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
