import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `eval --dialogues` as CI and people run it: the built bin, a child process, one JSON object out.
const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "posdesk-stories-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function posdesk(args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { ...run, report: JSON.parse(run.stdout) as Record<string, unknown> };
}

describe("posdesk eval --dialogues", () => {
  it("plays every story kept in the repository, and they all pass", () => {
    const run = posdesk(["eval", "--dialogues", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { stories, passed, failed, passRate, results } = run.report;
    expect(stories).toBeGreaterThanOrEqual(120);
    expect({ passed, failed, passRate }).toEqual({ passed: stories, failed: 0, passRate: 1 });
    expect((results as unknown[])[0]).toEqual({
      file: expect.stringMatching(/\.yaml$/),
      story: expect.any(String),
      passed: true,
    });
  });

  it("exits 1 and reports the failing turn of a story from --stories", () => {
    writeFileSync(
      join(dir, "wrong.yaml"),
      `stories:
  - name: right
    locale: en
    turns:
      - say: hello
        intent: greeting
  - name: wrong
    locale: zh-CN
    turns:
      - say: 刷卡提示51
        flow: card_declined
      - say: 还是不行
        handoff: policy
`,
    );
    const run = posdesk(["eval", "--dialogues", "--json", "--stories", dir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("1 of 2 stories failed");
    expect(run.report).toMatchObject({ stories: 2, passed: 1, failed: 1, passRate: 0.5 });
    expect((run.report.results as unknown[])[1]).toMatchObject({
      file: "wrong.yaml",
      story: "wrong",
      passed: false,
      failedTurn: 2,
      expected: { say: "还是不行", handoff: { reason: "policy" } },
      got: { flow: null, handoff: { reason: "unresolved", intent: "card_declined" } },
      problems: ['handoff.reason: expected "policy", got "unresolved"'],
    });
  });
});
