import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { IntentId } from "../../src/domain/intents.js";
import {
  type Candidate,
  findCandidates,
  isBareAnswer,
  pendingCandidates,
  recordDecisions,
} from "../../src/engine/learning.js";
import { loadNlu } from "../../src/nlu/model.js";
import { addPhrases } from "../../src/nlu/phrases.js";
import { IntentFile, loadTrainingSet } from "../../src/nlu/training.js";
import { ROOT } from "../../src/paths.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { type Chat, engineFor, nlu, talk } from "../support/conversation.js";

/** Words the model has never seen: before learning it cannot tell what this is. */
const NEW_PHRASING = "the gizmo spews zigzag gibberish";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-learn-"));
  dirs.push(dir);
  return dir;
}
/** A copy of the repository's training phrases, to change without touching `intents/`. */
function intentsCopy(): string {
  const dir = join(tempDir(), "intents");
  cpSync(join(ROOT, "intents"), dir, { recursive: true });
  return dir;
}

/** The merchant writes in words the bot does not know, gets nowhere, and asks for a person. */
async function misunderstoodThenHandedOver(chat: Chat = talk()): Promise<string> {
  await chat.say(NEW_PHRASING);
  await chat.say("2");
  const asked = await chat.say("I want to talk to a person");
  const handoffId = asked.handoff?.id;
  if (!handoffId) throw new Error("no handoff");
  return handoffId;
}

async function candidatesAfter(chat: Chat, handoffId: string, resolution: IntentId): Promise<Candidate[]> {
  await chat.engine.closeHandoff(handoffId, resolution, "the printer");
  return pendingCandidates(chat.engine.store);
}

describe("learning candidates from closed handoffs", () => {
  it("records what each merchant message was classified as", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    const transcript = await chat.engine.store.transcript(chat.id ?? "");
    expect(transcript[0]).toMatchObject({ from: "merchant", text: "此卡无法交易", intent: "card_declined" });
    expect(transcript.filter((e) => e.from === "bot").every((e) => e.intent === undefined)).toBe(true);
  });

  it("makes a message the bot got wrong a candidate, labelled with the agent's resolution", async () => {
    const chat = talk();
    const handoffId = await misunderstoodThenHandedOver(chat);
    expect(await pendingCandidates(chat.engine.store)).toEqual([]);

    const candidates = await candidatesAfter(chat, handoffId, "printer_problem");
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      text: NEW_PHRASING,
      locale: "en",
      resolution: "printer_problem",
      handoffId,
      conversationId: chat.id,
    });
    expect(candidates[0]?.predicted).not.toBe("printer_problem");
    expect(candidates[0]?.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it("leaves out bare answers: quick replies, codes, yes and no", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("没有代码");
    await chat.say("2");
    const unresolved = await chat.say("还是不行啊");
    const candidates = await candidatesAfter(chat, unresolved.handoff?.id ?? "", "signin_key_error");
    expect(candidates.map((c) => [c.text, c.predicted])).toEqual([["此卡无法交易", "card_declined"]]);
  });

  it.each([
    ["a quick-reply number", "2"],
    ["a yes", "好了"],
    ["a no with a particle", "还是不行啊"],
    ["an English no", "still not working"],
    ["a code alone", "A0"],
    ["a code with its label", "提示05"],
    ["a quick-reply label", "屏幕没有显示代码"],
    ["two characters", "不行"],
    ["a don't-know", "我也不太清楚啊"],
    ["a cancel", "算了，不弄了"],
    ["small talk", "are you a bot?"],
  ])("treats %s as a bare answer", (_what, text) => {
    expect(isBareAnswer(text)).toBe(true);
  });

  it.each([
    ["a description", "收银小票上全是乱码"],
    ["money missing, with a no-word inside", "钱没到账"],
    ["an English description", NEW_PHRASING],
  ])("treats %s as worth learning", (_what, text) => {
    expect(isBareAnswer(text)).toBe(false);
  });

  it("does not offer a candidate again once decided", async () => {
    const chat = talk();
    const candidates = await candidatesAfter(
      chat,
      await misunderstoodThenHandedOver(chat),
      "printer_problem",
    );
    await recordDecisions(chat.engine.store, candidates, "rejected");
    expect(await pendingCandidates(chat.engine.store)).toEqual([]);
  });

  it("offers the same message once, even from two handoffs", async () => {
    const engine = engineFor();
    for (const _ of [1, 2]) {
      const chat = talk({ engine });
      await candidatesAfter(chat, await misunderstoodThenHandedOver(chat), "printer_problem");
    }
    expect(await pendingCandidates(engine.store)).toHaveLength(1);
  });

  it("does not learn from handoffs closed as a request for a person, or still open", async () => {
    const chat = talk();
    const handoffId = await misunderstoodThenHandedOver(chat);
    const open = await chat.engine.store.listHandoffs();
    expect(findCandidates(open)).toEqual([]);
    expect(await candidatesAfter(chat, handoffId, "human_agent")).toEqual([]);
  });

  it("counts only what was said since the conversation's previous handoff", async () => {
    const chat = talk();
    const first = await misunderstoodThenHandedOver(chat);
    await chat.engine.closeHandoff(first, "none");
    await chat.say("收银机屏幕上出来一串奇怪的字母");
    const second = await chat.say("转人工");
    const candidates = await candidatesAfter(chat, second.handoff?.id ?? "", "software_update");
    expect(candidates.map((c) => c.text)).not.toContain(NEW_PHRASING);
  });

  it("tells two handoffs of one conversation apart even when they were opened in the same millisecond", async () => {
    const chat = talk();
    const first = await misunderstoodThenHandedOver(chat);
    await chat.engine.closeHandoff(first, "none");
    await chat.say("收银机屏幕上出来一串奇怪的字母");
    const second = await chat.say("转人工");
    await chat.engine.closeHandoff(second.handoff?.id ?? "", "software_update");
    const [older, newer] = await Promise.all([
      chat.engine.store.getHandoff(first),
      chat.engine.store.getHandoff(second.handoff?.id ?? ""),
    ]);
    if (!older || !newer) throw new Error("handoffs missing");
    const sameInstant = "2026-11-25T10:00:00.000Z";
    const tied = [older, newer].map((h) => ({
      ...h,
      closedAt: sameInstant,
      summary: { ...h.summary, createdAt: sameInstant },
    }));
    const texts = (records: typeof tied) =>
      findCandidates(records)
        .filter((c) => c.resolution === "software_update")
        .map((c) => c.text);
    expect(texts(tied)).not.toContain(NEW_PHRASING);
    expect(texts([...tied].reverse())).not.toContain(NEW_PHRASING);
  });
});

describe("accepting a candidate", () => {
  it("adds it to the resolution's phrases, and the retrained model understands it", async () => {
    const dir = intentsCopy();
    expect(nlu.understand(NEW_PHRASING).intent).not.toBe("printer_problem");

    const result = addPhrases(dir, "en", "printer_problem", [NEW_PHRASING]);
    expect(result.added).toEqual([NEW_PHRASING]);
    const file = IntentFile.parse(parse(readFileSync(join(dir, "en", "printer_problem.yaml"), "utf8")));
    expect(file.phrases.at(-1)).toBe(NEW_PHRASING);

    const retrained = loadNlu({ cache: false, set: loadTrainingSet(dir) }).nlu;
    expect(retrained.understand(NEW_PHRASING).intent).toBe("printer_problem");
  });

  it("adds nothing twice after normalisation, nor a message of the held-out test set", () => {
    const dir = intentsCopy();
    addPhrases(dir, "en", "printer_problem", [NEW_PHRASING]);
    const heldOut = readFileSync(join(dir, "testset.jsonl"), "utf8").split("\n")[0] ?? "";
    const again = addPhrases(dir, "zh-CN", "card_declined", [(JSON.parse(heldOut) as { text: string }).text]);
    expect(again.skipped.map((s) => s.reason)).toEqual(["in test set"]);
    const twice = addPhrases(dir, "en", "printer_problem", ["The GIZMO spews zigzag gibberish!"]);
    expect(twice).toMatchObject({ added: [], skipped: [{ reason: "duplicate" }] });
  });

  it("never writes a card number into the phrases", () => {
    const dir = intentsCopy();
    const result = addPhrases(dir, "en", "card_declined", [
      "card 4111 1111 1111 1111 keeps bouncing back",
      "card 622202******7894 bounced twice today",
    ]);
    expect(result.added).toEqual(["card keeps bouncing back", "card bounced twice today"]);
    const written = readFileSync(join(dir, "en", "card_declined.yaml"), "utf8");
    expect(written).not.toMatch(/4111|622202/);
  });
});

describe("posdesk learn (the built CLI)", () => {
  const BIN = join(import.meta.dirname, "../../dist/src/cli.js");

  function learn(args: string[], env: Record<string, string>) {
    const run = spawnSync(process.execPath, [BIN, "learn", ...args], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    const json = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { ...run, json };
  }

  it("lists candidates as JSON lines, accepts one into the intents folder, and forgets it", async () => {
    const dir = tempDir();
    const storeFile = join(dir, "posdesk.db");
    const store = new SqliteStore(storeFile);
    const chat = talk({ engine: engineFor(store) });
    await chat.engine.closeHandoff(await misunderstoodThenHandedOver(chat), "printer_problem");
    await store.close();
    const env = { POSDESK_STORE: storeFile, POSDESK_INTENTS_DIR: intentsCopy() };

    const listed = learn(["--json"], env);
    expect(listed.status).toBe(0);
    expect(listed.json).toEqual([
      expect.objectContaining({ text: NEW_PHRASING, resolution: "printer_problem", locale: "en" }),
    ]);
    const id = String(listed.json[0]?.id);

    const accepted = learn(["--accept", id, "--json"], env);
    expect(accepted.status).toBe(0);
    expect(accepted.json[0]).toMatchObject({
      id,
      decision: "accepted",
      added: true,
      file: join("en", "printer_problem.yaml"),
    });
    const phrases = loadTrainingSet(env.POSDESK_INTENTS_DIR).examples;
    expect(phrases).toContainEqual({ text: NEW_PHRASING, intent: "printer_problem", locale: "en" });
    expect(learn(["--json"], env).json).toEqual([]);
  });

  it("refuses an id that is not a pending candidate with a usage error", () => {
    const dir = tempDir();
    const run = learn(["--reject", "0123456789ab"], {
      POSDESK_STORE: join(dir, "empty.db"),
      POSDESK_INTENTS_DIR: join(dir, "intents"),
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("no pending candidate 0123456789ab");
  });
});
