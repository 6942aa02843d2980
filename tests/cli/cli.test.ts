import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HandoffSummary } from "../../src/domain/handoff.js";

// The CLI as outside scripts run it: the built bin, a child process, stdin in, JSON lines out.
const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "posdesk-cli-"));
const store = join(dir, "cli.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function posdesk(args: string[], input = "") {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, POSDESK_STORE: store },
  });
  const lines = run.stdout.split("\n").filter(Boolean);
  return { ...run, json: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("posdesk classify", () => {
  it("writes one JSON object per non-empty line, with entities and masked card numbers", () => {
    const run = posdesk(
      ["classify", "--json"],
      "交易失败 提示05\n\nPOS机不能用了\n卡号4111111111111111 refused money\n",
    );
    expect(run.status).toBe(0);
    expect(run.json).toHaveLength(3);
    expect(run.json[0]).toMatchObject({
      intent: "card_declined",
      locale: "zh-CN",
      entities: { responseCode: "05" },
    });
    expect(run.json[2]).toMatchObject({ text: "卡号411111******1111 refused money" });
    expect(run.stdout).not.toContain("4111111111111111");
  });

  it("routes response codes as the contract says", () => {
    const run = posdesk(["classify"], "刷卡提示61\n显示A0\n交易失败 97\n");
    expect(run.json.map((o) => o.intent)).toEqual(["limit_exceeded", "signin_key_error", "signin_key_error"]);
  });
});

describe("posdesk chat", () => {
  it("answers every turn and escalates with a HandoffSummary", () => {
    const run = posdesk(["chat", "--json", "--conversation", "cli-1"], "此卡无法交易\n05\n还是不行\n");
    expect(run.status).toBe(0);
    expect(run.json.map((t) => t.turn)).toEqual([1, 2, 3]);
    for (const turn of run.json) expect((turn.replies as string[]).length).toBeGreaterThan(0);
    expect(run.json[0]).toMatchObject({
      conversation: "cli-1",
      intent: "card_declined",
      flow: "card_declined",
      handoff: null,
    });
    const handoff = HandoffSummary.parse(run.json[2]?.handoff);
    expect(handoff).toMatchObject({ reason: "unresolved", channel: "cli", intent: "card_declined" });
  });

  it("continues a conversation in a second run with the same id", () => {
    posdesk(["chat", "--json", "--conversation", "cli-2", "--store", store], "此卡无法交易\n");
    const second = posdesk(["chat", "--json", "--conversation", "cli-2", "--store", store], "没有代码\n");
    expect(second.json[0]).toMatchObject({ turn: 2, flow: "card_declined", state: "askScope" });
  });

  it("answers in the locale it is given", () => {
    const run = posdesk(["chat", "--json", "--locale", "en"], "此卡无法交易\n");
    expect(String((run.json[0]?.replies as string[] | undefined)?.[0])).toMatch(/response code/i);
  });

  it("refuses an unknown locale with a usage error", () => {
    const run = posdesk(["chat", "--json", "--locale", "fr"], "hi\n");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--locale");
  });
});

describe("posdesk handoffs and transcript", () => {
  it("lists the open handoffs and prints a conversation's transcript", () => {
    const chat = posdesk(["chat", "--json", "--conversation", "cli-3"], "我要找人工\n");
    const id = (chat.json[0]?.handoff as { id: string } | undefined)?.id;
    const list = posdesk(["handoffs", "--json"]);
    expect(list.json.map((h) => h.id)).toContain(id);
    const transcript = posdesk(["transcript", "cli-3", "--json"]);
    expect(transcript.json.map((e) => e.from)).toEqual(["merchant", "bot"]);
  });
});
