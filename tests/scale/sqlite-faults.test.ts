/** Faults on the default store: SIGTERM finishes what is in flight; SIGKILL never corrupts the SQLite file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess } from "../support/process.js";

const dir = mkdtempSync(join(tmpdir(), "posdesk-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a posdesk process on a SQLite file", () => {
  it("finishes the turns in flight on SIGTERM, exits cleanly, and resumes after a restart", async () => {
    const store = join(dir, "term.db");
    const server = await startServerProcess({ POSDESK_STORE: store, POSDESK_RATE_PER_ADDRESS: "0" });
    const first = await server.chat("此卡无法交易");
    const id = String(first.body.conversationId);
    // Fifty turns sent at once: when the first answer is back, the rest are on the wire or being served.
    const turns = [
      server.chat("没有代码", id),
      ...Array.from({ length: 49 }, (_, i) => server.chat(`第${i}台 打印机卡纸`)),
    ];
    await Promise.race(turns);
    const exit = server.kill("SIGTERM");
    const answered = await Promise.all(turns);
    expect(answered.map((t) => t.status)).toEqual(Array(50).fill(200));
    expect(await exit).toBe(0);

    const again = await startServerProcess({ POSDESK_STORE: store });
    const next = await again.chat("都不行", id);
    expect(next.body).toMatchObject({ flow: "card_declined", state: "confirmFixed" });
    await again.kill();
  });

  it("killed with SIGKILL under load, leaves an intact file and every conversation and handoff resumable", async () => {
    const store = join(dir, "kill.db");
    const server = await startServerProcess({ POSDESK_STORE: store, POSDESK_RATE_PER_ADDRESS: "0" });
    const started = await server.chat("此卡无法交易");
    const id = String(started.body.conversationId);
    const escalated = await server.chat("转人工");
    const handoffId = (escalated.body.handoff as { id: string }).id;
    const load = Array.from({ length: 200 }, (_, i) =>
      server.chat(`第${i}次 通讯失败`).catch(() => undefined),
    );
    await new Promise((done) => setTimeout(done, 30));
    await server.kill("SIGKILL");
    await Promise.all(load);

    const db = new Database(store, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();

    const again = await startServerProcess({ POSDESK_STORE: store });
    expect((await again.chat("没有代码", id)).body).toMatchObject({ state: "askScope" });
    const open = (await (await again.agent("/api/handoffs")).json()) as { id: string }[];
    expect(open.map((h) => h.id)).toContain(handoffId);
    await again.kill();
  });
});
