/**
 * The WAL checkpointer (src/store/checkpointer.ts) against a real SQLite file written without a pause: the
 * log starts over once it holds more than `restartBytes`, instead of growing with every commit, and stopping
 * the checkpointer leaves it empty.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "../../src/store/checkpointer.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { conversationRecord } from "../support/records.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function busyFile() {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-checkpointer-"));
  dirs.push(dir);
  const path = join(dir, "busy.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO rows (data) VALUES (?)");
  const walBytes = () => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  return { path, db, walBytes, write: () => insert.run("x".repeat(3000)) };
}

/** `commits` commits, a few at a time with a breath between (a busy server's turns). */
async function write(file: ReturnType<typeof busyFile>, commits: number): Promise<void> {
  for (let done = 0; done < commits; done += 20) {
    for (let i = 0; i < 20; i++) file.write();
    await sleep(1);
  }
}

describe("the WAL checkpointer", () => {
  it("starts the log over under writes that never pause, instead of letting it grow with every commit", async () => {
    const file = busyFile();
    const checkpointer = startCheckpointer(file.path, { intervalMs: 20, restartBytes: 2 * 2 ** 20 });
    const commits = 20_000;
    await write(file, commits);
    // Every commit wrote at least a page of 4 KB to the log (80 MB in all); the file stayed a small part of it.
    expect(file.walBytes()).toBeLessThan(20 * 2 ** 20);
    expect(file.db.prepare("SELECT count(*) AS n FROM rows").get()).toEqual({ n: commits });
    await checkpointer.stop();
    file.db.close();
  });

  it("leaves the log empty when it stops, every row in the database file", async () => {
    const file = busyFile();
    const checkpointer = startCheckpointer(file.path, { intervalMs: 20 });
    const commits = 2_000;
    await write(file, commits);
    await checkpointer.stop();
    expect(file.walBytes()).toBe(0);
    file.db.close();
    const reopened = new Database(file.path, { readonly: true });
    expect(reopened.prepare("SELECT count(*) AS n FROM rows").get()).toEqual({ n: commits });
    reopened.close();
  });
});

describe("the WAL checkpointer beside posdesk's store", () => {
  /** Turns of `conversations` conversations at once, `rounds` times over (a busy server's group commits). */
  async function busyTurns(store: SqliteStore, conversations: number, rounds: number): Promise<void> {
    const at = "2026-12-01T10:00:00.000Z";
    for (let round = 1; round <= rounds; round++) {
      await Promise.all(
        Array.from({ length: conversations }, (_, i) =>
          store.saveTurn({
            conversation: conversationRecord(`c-${i}`, at, {
              turn: round,
              facts: { note: "x".repeat(1500) },
            }),
            transcript: [{ from: "merchant", text: `turn ${round}`, at }],
          }),
        ),
      );
    }
  }

  it("has the store hold its commits so that the log is copied whole and started over by the store's own commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-checkpointer-"));
    dirs.push(dir);
    const path = join(dir, "store.db");
    const store = new SqliteStore(path, { checkpointer: { intervalMs: 10, restartBytes: 2 * 2 ** 20 } });
    await busyTurns(store, 20, 1500);
    const { holds, restarts } = store.checkpoints;
    expect(holds).toBeGreaterThan(0);
    expect(restarts).toBeLessThan(holds);
    // 30,000 turns of over 2 KB each went through the log; the file stayed a small part of that.
    expect(statSync(`${path}-wal`).size).toBeLessThan(20 * 2 ** 20);
    expect((await store.getConversation("c-19"))?.turn).toBe(1500);
    expect(await store.transcript("c-0")).toHaveLength(1500);
    await store.close();
  });
});
