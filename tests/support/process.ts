/** posdesk servers as real child processes (the built `dist/src/server.js`), on 127.0.0.1 and free ports. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./redis.js";

const SERVER = join(import.meta.dirname, "../../dist/src/server.js");
export const AGENT_TOKEN = "process-test-token";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  chat(text: string, conversationId?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  agent(path: string, json?: unknown): Promise<Response>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", AGENT_TOKEN, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await sleep(50);
  }
  return {
    url,
    child,
    output: () => output,
    async chat(text, conversationId) {
      const response = await fetch(`${url}/api/chat`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text, ...(conversationId ? { conversationId } : {}) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    agent(path, json) {
      return fetch(`${url}${path}`, {
        method: json === undefined ? "GET" : "POST",
        headers: { Authorization: `Bearer ${AGENT_TOKEN}`, "Content-Type": "application/json" },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      child.kill(signal);
      return exited;
    },
  };
}

/** Reads server-sent events from `url` until `match` accepts one (or the timeout). */
export async function waitForEvent<T>(
  url: string,
  match: (event: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal });
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no event stream");
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("event stream ended");
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (data) {
          const event = JSON.parse(data) as T;
          if (match(event)) return event;
        }
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
