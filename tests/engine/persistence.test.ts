import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { PAGE_SIZE, SqliteStore } from "../../src/store/sqlite.js";
import { engineFor, talk } from "../support/conversation.js";

describe("a conversation in the SQLite file", () => {
  const dirs: string[] = [];
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), "posdesk-"));
    dirs.push(dir);
    return join(dir, "posdesk.db");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("continues in the same flow state after the process restarts", async () => {
    const file = tempDb();
    const first = new SqliteStore(file);
    const before = talk({ engine: engineFor(first) });
    await before.say("此卡无法交易");
    await before.say("没有代码");
    await first.close();

    const second = new SqliteStore(file);
    const after = talk({ engine: engineFor(second), id: before.id ?? "" });
    const turn = await after.say("都不行");
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("confirmFixed");
    expect(turn.turn).toBe(3);
    await second.close();
  });

  it("keeps open handoffs and their transcripts across a restart", async () => {
    const file = tempDb();
    const first = new SqliteStore(file);
    const turn = await talk({ engine: engineFor(first) }).say("帮我转人工");
    await first.close();

    const second = new SqliteStore(file);
    const open = await second.listHandoffs({ status: "active" });
    expect(open.map((h) => h.summary.id)).toEqual([turn.handoff?.id]);
    expect(await second.transcript(turn.conversationId)).toHaveLength(2);
    await second.close();
  });

  it("keeps the rating question pending, then the rating and its comment, across restarts", async () => {
    const file = tempDb();
    const first = new SqliteStore(file);
    const before = talk({ engine: engineFor(first) });
    await before.say("刷卡提示51");
    expect((await before.say("解决了")).replyKeys).toContain("engine.rating.askAfterFlow");
    await first.close();

    const second = new SqliteStore(file);
    const during = talk({ engine: engineFor(second), id: before.id ?? "" });
    expect((await during.say("满意")).replyKeys).toEqual(["engine.rating.comment"]);
    await second.close();

    const third = new SqliteStore(file);
    const after = talk({ engine: engineFor(third), id: before.id ?? "" });
    await after.say("步骤很清楚");
    await third.close();

    const fourth = new SqliteStore(file);
    const ratings = await fourth.ratings();
    expect(ratings).toMatchObject([
      { conversationId: before.id, score: 4, comment: "步骤很清楚", after: "flow" },
    ]);
    expect((await fourth.getConversation(before.id ?? ""))?.lastRating).toEqual(ratings[0]);
    await fourth.close();
  });

  const pageSize = (file: string) => {
    const db = new Database(file, { readonly: true });
    const size = db.pragma("page_size", { simple: true });
    db.close();
    return size;
  };

  it("makes a new file with 2 KB pages", async () => {
    const file = tempDb();
    await new SqliteStore(file).close();
    expect(PAGE_SIZE).toBe(2048);
    expect(pageSize(file)).toBe(PAGE_SIZE);
  });

  it("opens a file made with SQLite's 4 KB pages as it is, conversations and all", async () => {
    const file = tempDb();
    const older = new Database(file);
    older.pragma("page_size = 4096");
    older.pragma("journal_mode = WAL");
    older.close();
    const first = new SqliteStore(file);
    const before = talk({ engine: engineFor(first) });
    await before.say("此卡无法交易");
    await first.close();

    const second = new SqliteStore(file);
    const turn = await talk({ engine: engineFor(second), id: before.id ?? "" }).say("没有代码");
    expect(turn.turn).toBe(2);
    expect(turn.flow).toBe("card_declined");
    await second.close();
    expect(pageSize(file)).toBe(4096);
  });

  it("gives every one of many conversations talking at once its own replies and its whole transcript", async () => {
    const file = tempDb();
    const store = new SqliteStore(file);
    const engine = engineFor(store);
    const script = ["此卡无法交易", "05", "好了"];
    const chats = Array.from({ length: 12 }, () => talk({ engine }));
    const results = await Promise.all(
      chats.map(async (chat) => {
        const turns = [];
        for (const text of script) turns.push(await chat.say(text));
        return turns;
      }),
    );
    // The turns that were ready together were committed together.
    expect(store.turnCommits.turns).toBe(36);
    expect(store.turnCommits.commits).toBeLessThan(36);
    for (const [i, turns] of results.entries()) {
      expect(turns.map((t) => t.turn)).toEqual([1, 2, 3]);
      expect(turns.map((t) => t.state)).toEqual(["askResponseCode", "confirmFixed", null]);
      const transcript = await store.transcript(chats[i]?.id ?? "");
      expect(transcript.filter((e) => e.from === "merchant").map((e) => e.text)).toEqual(script);
      expect(transcript.filter((e) => e.from === "bot").map((e) => e.text)).toEqual(
        turns.flatMap((t) => t.replies),
      );
    }
    await store.close();
  });
});
