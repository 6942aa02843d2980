import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../src/paths.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";

// The running server (the built one, a child process) learns a new phrasing without a restart: an agent
// closes the handoff, `posdesk learn --accept` adds the phrase, the server sees the file change and retrains.
const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const NEW_PHRASING = "the gizmo spews zigzag gibberish";

const dir = mkdtempSync(join(tmpdir(), "posdesk-reload-"));
const env = {
  POSDESK_STORE: join(dir, "posdesk.db"),
  POSDESK_INTENTS_DIR: join(dir, "intents"),
  POSDESK_CACHE_DIR: join(dir, "cache"),
  POSDESK_RATE_PER_ADDRESS: "0",
};
let server: ServerProcess;
beforeAll(async () => {
  cpSync(join(ROOT, "intents"), env.POSDESK_INTENTS_DIR, { recursive: true });
  server = await startServerProcess(env);
});
afterAll(async () => {
  await server.kill();
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronously: a test blocked in spawnSync misses the server closing idle keep-alive sockets.
async function learn(args: string[]) {
  const run = await promisify(execFile)(process.execPath, [BIN, "learn", "--json", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  expect(run.stderr).toBe("");
  return run.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; text: string; decision?: string });
}

async function intentOf(text: string): Promise<unknown> {
  return (await server.chat(text)).body.intent;
}

describe("a running server and new training phrases", () => {
  it("classifies an accepted phrase correctly without a restart", async () => {
    const first = await server.chat(NEW_PHRASING);
    expect(first.body.intent).not.toBe("printer_problem");
    const conversationId = String(first.body.conversationId);
    await server.chat("2", conversationId);
    const asked = await server.chat("I want to talk to a person", conversationId);
    const handoffId = (asked.body.handoff as { id: string }).id;
    const closed = await server.agent(`/api/handoffs/${handoffId}/close`, { resolution: "printer_problem" });
    expect(closed.status).toBe(200);

    const candidate = (await learn([])).find((c) => c.text === NEW_PHRASING);
    expect(candidate).toBeDefined();
    expect(await learn(["--accept", candidate?.id ?? ""])).toMatchObject([{ decision: "accepted" }]);

    const deadline = Date.now() + 20_000;
    while ((await intentOf(NEW_PHRASING)) !== "printer_problem" && Date.now() < deadline) await sleep(200);
    expect(await intentOf(NEW_PHRASING)).toBe("printer_problem");
  });

  it("retrains on request through the agent API, and only for agents", async () => {
    const anonymous = await fetch(`${server.url}/api/admin/reload-model`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect((await server.agent("/api/admin/reload-model", {})).status).toBe(200);
    const again = await server.agent("/api/admin/reload-model", {});
    expect(await again.json()).toMatchObject({ changed: false, fingerprint: expect.any(String) });
  });
});
