/**
 * Compares one turn's expectations with what the bot did. Each problem is one readable line, so a failing
 * story says exactly what differed, not just that something did.
 */
import type { Facts } from "../../flows/kit.js";
import type { HandoffReason, Priority } from "../domain/handoff.js";
import type { IntentId } from "../domain/intents.js";
import type { HandoffExpectation, StoryTurn } from "./schema.js";

/** What the bot did on one turn, as far as a story can check it. */
export interface TurnSnapshot {
  intent: IntentId;
  confidence: number;
  flow: string | null;
  state: string | null;
  replies: string[];
  replyKeys: string[];
  options: string[];
  optionIds: string[];
  handoff: {
    reason: HandoffReason;
    priority: Priority;
    intent: string;
    flow: string | null;
    facts: Facts;
  } | null;
  /** What the conversation has learnt so far (the stored conversation's facts). */
  facts: Facts;
}

const show = (value: unknown): string => JSON.stringify(value);

export function checkTurn(expected: StoryTurn, got: TurnSnapshot): string[] {
  const problems: string[] = [];
  const equal = (field: string, want: unknown, have: unknown) => {
    if (want !== undefined && want !== have)
      problems.push(`${field}: expected ${show(want)}, got ${show(have)}`);
  };
  equal("intent", expected.intent, got.intent);
  for (const intent of expected.notIntent ?? [])
    if (got.intent === intent) problems.push(`intent: expected anything but ${show(intent)}`);
  equal("flow", expected.flow, got.flow);
  equal("state", expected.state, got.state);

  for (const text of expected.reply ?? [])
    if (!got.replies.some((r) => r.includes(text))) problems.push(`reply: no reply contains ${show(text)}`);
  for (const text of expected.notReply ?? [])
    if (got.replies.some((r) => r.includes(text))) problems.push(`notReply: a reply contains ${show(text)}`);
  for (const key of expected.replyKey ?? [])
    if (!got.replyKeys.includes(key)) problems.push(`replyKey: no reply was rendered from ${show(key)}`);

  if (expected.options && !sameList(expected.options, got.options))
    problems.push(`options: expected ${show(expected.options)}, got ${show(got.options)}`);
  if (expected.optionIds && !sameList(expected.optionIds, got.optionIds))
    problems.push(`optionIds: expected ${show(expected.optionIds)}, got ${show(got.optionIds)}`);

  if (expected.facts) problems.push(...checkFacts("facts", expected.facts, got.facts));
  if (expected.handoff !== undefined) problems.push(...checkHandoff(expected.handoff, got.handoff));
  return problems;
}

function checkHandoff(want: HandoffExpectation | null, have: TurnSnapshot["handoff"]): string[] {
  if (want === null)
    return have ? [`handoff: expected none, got one (${have.reason}, ${have.priority})`] : [];
  if (!have) return [`handoff: expected one${want.reason ? ` (${want.reason})` : ""}, got none`];
  const problems: string[] = [];
  for (const field of ["reason", "priority", "intent", "flow"] as const) {
    const value = want[field];
    if (value !== undefined && value !== have[field])
      problems.push(`handoff.${field}: expected ${show(value)}, got ${show(have[field])}`);
  }
  if (want.facts) problems.push(...checkFacts("handoff.facts", want.facts, have.facts));
  return problems;
}

/**
 * A subset check. A number and its text count as equal (`responseCode: 51` in YAML is a number, the fact
 * the string "51"): a story about the code should not fail on YAML's typing.
 */
function checkFacts(field: string, want: Facts, have: Facts): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(want)) {
    const actual = have[name];
    if (actual === undefined) problems.push(`${field}.${name}: expected ${show(value)}, not learnt`);
    else if (actual !== value && String(actual) !== String(value))
      problems.push(`${field}.${name}: expected ${show(value)}, got ${show(actual)}`);
  }
  return problems;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
