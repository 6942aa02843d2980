/**
 * Deliveries outlive the process: what was queued (or was failing) when posdesk stopped is sent when it
 * starts again on the same SQLite file, under the same delivery ids.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/sqlite.js";
import { webhookQueueFor } from "../../src/webhooks/index.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { closeAll, eventually, incidentConfirmed, SECRET, webhooksFor } from "../support/webhooks.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await closeAll();
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver(SECRET);
  cleanup.push(() => r.close());
  return r;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-webhooks-restart-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("after a restart on the same SQLite file", () => {
  it("events queued but not yet sent are delivered", async () => {
    const r = await receiver();
    const path = join(tempDir(), "posdesk.db");

    const before = new SqliteStore(path);
    const stopped = webhooksFor([r.url], {}, { queue: webhookQueueFor(before), start: false });
    await stopped.publish(incidentConfirmed("incident-a"));
    await stopped.publish(incidentConfirmed("incident-b"));
    await stopped.close();
    await before.close();
    expect(r.requests).toHaveLength(0);

    const after = new SqliteStore(path);
    cleanup.push(() => after.close());
    const restarted = webhooksFor([r.url], {}, { queue: webhookQueueFor(after) });
    await r.deliveredCount(2);
    expect(r.delivered.map((d) => d.payload.data.id)).toEqual(["incident-a", "incident-b"]);
    expect(r.delivered.every((d) => d.verified)).toBe(true);
    await eventually(async () => expect(await restarted.pending()).toBe(0));
  });

  it("a delivery that was failing when the server stopped is sent by the next server, same delivery id", async () => {
    const r = await receiver();
    r.answer(() => 503);
    const dir = tempDir();
    const env = {
      POSDESK_WEBHOOK_URLS: r.url,
      POSDESK_WEBHOOK_SECRET: SECRET,
      POSDESK_WEBHOOK_MAX_ATTEMPTS: "100",
      POSDESK_WEBHOOK_RETRY_MS: "20",
    };
    let server: TestServer | undefined = await startTestServer(env, { dir });
    cleanup.push(() => server?.close());
    const conversationId = `c-${randomUUID()}`;
    const response = await server.call("/api/chat", {
      method: "POST",
      json: { text: "转人工", conversationId },
    });
    const { handoff } = (await response.json()) as { handoff: { id: string } };
    await r.requestCount(1);
    await server.close();
    server = undefined;
    const failed = r.requests.length;

    r.answer(() => 200);
    server = await startTestServer(env, { dir });
    await r.deliveredCount(1);
    const [delivered] = r.delivered;
    expect(delivered?.payload).toMatchObject({
      type: "handoff.opened",
      data: { handoffId: handoff.id, conversationId },
    });
    expect(delivered?.delivery).toBe(r.requests[0]?.delivery);
    expect(r.requests.length).toBeGreaterThan(failed);
    const running = server;
    await eventually(async () => expect(await running.webhooks?.pending()).toBe(0));
  });
});
