/**
 * What `posdesk eval --dialogues` prints: the summary as one JSON object, or a table per file with every
 * failure spelt out (the turn, what the story expected, what the bot did).
 */
import type { TurnSnapshot } from "./check.js";
import type { StoryResult } from "./runner.js";

export interface DialogueReport {
  stories: number;
  passed: number;
  failed: number;
  passRate: number;
  results: StoryResult[];
}

export function summarize(results: StoryResult[]): DialogueReport {
  const passed = results.filter((r) => r.passed).length;
  return {
    stories: results.length,
    passed,
    failed: results.length - passed,
    passRate: results.length === 0 ? 0 : Math.round((passed / results.length) * 10_000) / 10_000,
    results,
  };
}

export function table(report: DialogueReport, dir: string): string {
  const files = new Map<string, { stories: number; passed: number }>();
  for (const r of report.results) {
    const counts = files.get(r.file) ?? { stories: 0, passed: 0 };
    counts.stories += 1;
    if (r.passed) counts.passed += 1;
    files.set(r.file, counts);
  }
  const widths = [Math.max(24, ...[...files.keys()].map((f) => f.length + 2)), 9, 8, 8];
  const lines = [
    `posdesk eval --dialogues: ${report.stories} stories in ${files.size} files (${dir})`,
    "",
    row(["file", "stories", "passed", "failed"], widths),
    ...[...files].map(([file, c]) =>
      row([file, `${c.stories}`, `${c.passed}`, `${c.stories - c.passed}`], widths),
    ),
    row(["total", `${report.stories}`, `${report.passed}`, `${report.failed}`], widths),
    "",
    `pass rate ${(report.passRate * 100).toFixed(1)}%`,
  ];
  const failures = report.results.filter((r) => !r.passed);
  if (failures.length > 0) lines.push("", "failures", "", ...failures.map(formatFailure));
  return lines.join("\n");
}

/** What opened the turn: the merchant's message, or the agent closing the handoff. */
function whoActs(turn: StoryResult["expected"]): string {
  if (turn?.agentCloses) return `the agent closes the handoff as ${turn.agentCloses}`;
  return `merchant says ${JSON.stringify(turn?.say ?? "")}`;
}

/** One failed story: where, which turn, what was wrong, and everything the bot did on that turn. */
export function formatFailure(result: StoryResult): string {
  const lines = [`✗ ${result.file} › ${result.story}`];
  if (result.failedTurn !== undefined) lines.push(`  turn ${result.failedTurn}: ${whoActs(result.expected)}`);
  for (const problem of result.problems ?? []) lines.push(`    ${problem}`);
  if (result.got) lines.push("  the bot:", ...describeTurn(result.got).map((l) => `    ${l}`));
  return lines.join("\n");
}

function describeTurn(got: TurnSnapshot): string[] {
  const handoff = got.handoff
    ? `${got.handoff.reason}, ${got.handoff.priority}, intent ${got.handoff.intent}, facts ${JSON.stringify(got.handoff.facts)}`
    : "none";
  return [
    `intent ${got.intent} (${got.confidence}), flow ${got.flow ?? "none"}, state ${got.state ?? "none"}`,
    ...got.replies.map((text, i) => `reply [${got.replyKeys[i] ?? "?"}] ${text}`),
    `options ${JSON.stringify(got.options)}`,
    `handoff ${handoff}`,
    `facts ${JSON.stringify(got.facts)}`,
  ];
}

function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 8) : cell.padStart(widths[i] ?? 8)))
    .join("")
    .trimEnd();
}
