/**
 * The story runner and loader themselves: a wrong expectation must fail at the right turn with a useful
 * report (a story runner that cannot fail proves nothing), and a malformed story must be refused by name.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStoryFile, StoryFormatError } from "../../src/stories/load.js";
import { formatFailure, summarize, table } from "../../src/stories/report.js";
import { storyRunner } from "../../src/stories/runner.js";
import { nlu } from "../support/conversation.js";

const run = storyRunner({ nlu });

/** A one-story file: the code is asked for, given, then the advice fails. */
function declinedCard(thirdTurn: string): string {
  return `
stories:
  - name: declined card
    locale: zh-CN
    turns:
      - say: 此卡无法交易
        state: askResponseCode
      - say: "05"
        state: confirmFixed
        replyKey: card_declined.code.05
${thirdTurn}`;
}

async function runOne(source: string) {
  const { stories } = parseStoryFile("test.yaml", source);
  const story = stories[0];
  if (!story) throw new Error("no story");
  return run(story, "test.yaml");
}

describe("the story runner", () => {
  it("passes a story that says what the bot does", async () => {
    const result = await runOne(
      declinedCard(`      - say: 还是不行
        flow: null
        handoff: { reason: unresolved, intent: card_declined, facts: { responseCode: "05" } }`),
    );
    expect(result).toEqual({ file: "test.yaml", story: "declined card", passed: true });
  });

  it("fails a wrong expectation at its turn, with what was expected and what came", async () => {
    const result = await runOne(
      declinedCard(`      - say: 还是不行
        replyKey: common.glad
        handoff: null`),
    );
    expect(result.passed).toBe(false);
    expect(result.failedTurn).toBe(3);
    expect(result.expected?.say).toBe("还是不行");
    expect(result.problems).toEqual([
      'replyKey: no reply was rendered from "common.glad"',
      "handoff: expected none, got one (unresolved, normal)",
    ]);
    expect(result.got).toMatchObject({
      flow: null,
      replyKeys: ["engine.handoff.unresolved"],
      handoff: { reason: "unresolved", intent: "card_declined", facts: { responseCode: "05" } },
    });
    expect(formatFailure(result)).toContain('turn 3: merchant says "还是不行"');
  });

  it("stops at the first failing turn: later turns are not played", async () => {
    const result = await runOne(`
stories:
  - name: wrong state first
    locale: en
    turns:
      - say: card declined
        state: askScope
      - say: this turn would fail too
        intent: greeting`);
    expect(result.failedTurn).toBe(1);
    expect(result.problems).toEqual(['state: expected "askScope", got "askResponseCode"']);
  });

  it("checks options, replies, negative checks and facts", async () => {
    const result = await runOne(`
stories:
  - name: every kind of check
    locale: en
    turns:
      - say: card declined with code 51
        intent: greeting
        notIntent: card_declined
        options: ["Yes, solved"]
        optionIds: [yes, no]
        reply: [insufficient funds, no such text]
        notReply: insufficient
        facts: { responseCode: 51, amount: 5 }`);
    expect(result.problems).toEqual([
      'intent: expected "greeting", got "card_declined"',
      'intent: expected anything but "card_declined"',
      'reply: no reply contains "no such text"',
      'notReply: a reply contains "insufficient"',
      'options: expected ["Yes, solved"], got ["Yes, solved","Still not working"]',
      "facts.amount: expected 5, not learnt",
    ]);
  });

  it("plays the agent closing the handoff, and checks the bot's note to the merchant", async () => {
    const story = (note: string) => `
stories:
  - name: a person, then the agent closes
    locale: zh-CN
    turns:
      - say: 转人工
        handoff: requested
      - agentCloses: card_declined
        replyKey: ${note}
        optionIds: [rating_1, rating_2, rating_3, rating_4, rating_5]`;
    expect(await runOne(story("engine.rating.askAfterHandoff"))).toMatchObject({ passed: true });
    const failed = await runOne(story("engine.handoffClosed"));
    expect(failed.problems).toEqual(['replyKey: no reply was rendered from "engine.handoffClosed"']);
    expect(formatFailure(failed)).toContain("turn 2: the agent closes the handoff as card_declined");
  });

  it("fails an agent closing a handoff when none is open", async () => {
    const result = await runOne(`
stories:
  - name: nobody to close
    locale: en
    turns:
      - say: hello
      - agentCloses: none`);
    expect(result).toMatchObject({ failedTurn: 2, problems: ["no handoff is open for the agent to close"] });
  });
});

// The example people copy from must itself be a story that passes.
it("passes the README's example story", async () => {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const example = /## Conversation tests[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  expect(await runOne(example ?? "")).toMatchObject({ passed: true });
});

describe("the report", () => {
  it("counts stories per file and spells out each failure with what the bot did", async () => {
    const passed = await runOne(declinedCard(`      - say: 还是不行\n        handoff: unresolved`));
    const failed = await runOne(declinedCard(`      - say: 还是不行\n        state: confirmFixed`));
    const report = summarize([passed, { ...failed, file: "other.yaml" }]);
    expect(report).toMatchObject({ stories: 2, passed: 1, failed: 1, passRate: 0.5 });
    const text = table(report, "tests/stories");
    expect(text).toContain("2 stories in 2 files (tests/stories)");
    expect(text).toMatch(/^test\.yaml +1 +1 +0$/m);
    expect(text).toMatch(/^other\.yaml +1 +0 +1$/m);
    expect(text).toContain("pass rate 50.0%");
    expect(text).toContain('✗ other.yaml › declined card\n  turn 3: merchant says "还是不行"');
    expect(text).toContain('state: expected "confirmFixed", got null');
    expect(text).toContain("reply [engine.handoff.unresolved]");
    expect(text).toContain("handoff unresolved, normal, intent card_declined");
  });
});

describe("the story loader", () => {
  function problems(source: string): string[] {
    try {
      parseStoryFile("broken.yaml", source);
    } catch (error) {
      if (error instanceof StoryFormatError) return error.problems;
      throw error;
    }
    throw new Error("the story was accepted");
  }

  it("names the file, story and turn of a malformed expectation", () => {
    expect(
      problems(`
stories:
  - name: typo
    locale: en
    turns:
      - say: hello
      - say: card declined
        replykey: card_declined.askCode
        handoff: maybe
      - say: bye
        handoff: { reason: solved }
        reply: 42`),
    ).toEqual([
      `broken.yaml: story 1 "typo", turn 2 (say "card declined"): handoff: expected null, a reason (requested, unresolved, policy, not_understood) or { reason, priority, intent, flow, facts }`,
      `broken.yaml: story 1 "typo", turn 2 (say "card declined"): unknown key 'replykey'`,
      `broken.yaml: story 1 "typo", turn 3 (say "bye"): handoff: reason: Invalid option: expected one of "requested"|"unresolved"|"policy"|"not_understood"`,
      `broken.yaml: story 1 "typo", turn 3 (say "bye"): reply: expected text (quote numbers and codes: "05"), or a list of them`,
    ]);
  });

  it("takes a turn that is either the merchant's message or the agent closing the handoff", () => {
    expect(
      problems(`
stories:
  - name: both and neither
    locale: en
    turns:
      - say: hello
        agentCloses: none
      - replyKey: engine.welcome`),
    ).toEqual([
      'broken.yaml: story 1 "both and neither", turn 1 (say "hello"): a turn is either `say` (the merchant\'s message) or `agentCloses` (the agent closes the handoff)',
      'broken.yaml: story 1 "both and neither", turn 2: a turn is either `say` (the merchant\'s message) or `agentCloses` (the agent closes the handoff)',
    ]);
  });

  it("asks for quotes around a message YAML reads as a number", () => {
    expect(
      problems(`
stories:
  - name: bare number
    locale: zh-CN
    turns:
      - say: 05`),
    ).toEqual([
      `broken.yaml: story 1 "bare number", turn 1: say: expected text (quote numbers and codes: "05")`,
    ]);
  });

  it("refuses unknown intents and locales, missing turns and repeated names", () => {
    expect(
      problems(`
stories:
  - name: a
    locale: fr
    turns: []
  - name: b
    locale: en
    turns:
      - say: hi
        intent: hello`),
    ).toEqual([
      'broken.yaml: story 1 "a": locale: Invalid option: expected one of "zh-CN"|"en"',
      'broken.yaml: story 1 "a": turns: Too small: expected array to have >=1 items',
      'broken.yaml: story 2 "b", turn 1 (say "hi"): intent: Invalid option: expected one of "card_declined"|"settlement_delay"|"terminal_dead"|"network_failure"|"card_read_error"|"printer_problem"|"limit_exceeded"|"account_frozen"|"signin_key_error"|"software_update"|"fees_inquiry"|"refund_void"|"human_agent"|"greeting"|"goodbye"|"none"',
    ]);
    expect(
      problems(`
stories:
  - { name: same, locale: en, turns: [{ say: hi }] }
  - { name: same, locale: en, turns: [{ say: bye }] }`),
    ).toEqual(['broken.yaml: story "same": the name is used twice']);
  });

  it("gives the line of invalid YAML", () => {
    expect(problems("stories:\n  - name: x\n    turns: [\n")).toEqual([
      "broken.yaml: invalid YAML at line 4: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("reads one expectation or a list alike", () => {
    const { stories } = parseStoryFile(
      "ok.yaml",
      `
stories:
  - name: forms
    locale: en
    turns:
      - say: hi
        reply: Hello
        replyKey: [engine.welcome]
        handoff: requested`,
    );
    expect(stories[0]?.turns[0]).toMatchObject({
      reply: ["Hello"],
      replyKey: ["engine.welcome"],
      handoff: { reason: "requested" },
    });
    expect(stories[0]?.channel).toBe("cli");
  });
});
