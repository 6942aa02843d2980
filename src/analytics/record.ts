/**
 * What a turn, a handoff closed and a rating add to the analytics rollup. Worked out from what the turn
 * already holds in memory (the conversation before and after routing, the flow steps it took, the handoff
 * it opened): nothing is read from the store, and the changes are written inside the turn's own
 * transaction (`TurnWrite.rollup`).
 */
import type { FlowOutput } from "../../flows/kit.js";
import type { Channel, HandoffRecord, HandoffSummary } from "../domain/handoff.js";
import type { TopicId } from "../domain/intents.js";
import { type FlowStep, stateOf } from "../engine/flow-runner.js";
import type { ActiveFlow, ConversationRecord } from "../store/store.js";
import { metric, type RollupCounts } from "./rollup.js";

/** One step a flow took during a turn, as the funnel counts it. */
export interface FlowMove {
  flow: TopicId;
  /** The state the run waited in before the step; null when the step started the run. */
  from: string | null;
  /** The state the step ended in (a final state when the run ended). */
  to: string;
  /** States the run reached for the first time with this step, in order. */
  reached: string[];
  outcome?: FlowOutput["outcome"];
}

/**
 * The move a flow step makes, and the states its run has now visited, kept on the snapshot to persist so
 * that a state reached again (a question asked once more) is not counted twice. `passed` are states the
 * step went through on the way (a first message that already answered the opening question).
 */
export function flowMove(
  topic: TopicId,
  step: FlowStep,
  from: ActiveFlow | null,
  passed: string[] = [],
): FlowMove {
  const visited = from?.visited ?? [];
  const reached: string[] = [];
  for (const state of [...passed, step.state])
    if (!visited.includes(state) && !reached.includes(state)) reached.push(state);
  if (step.persisted) step.persisted.visited = reached.length ? [...visited, ...reached] : visited;
  return {
    flow: topic,
    from: from ? stateOf(from.snapshot) : null,
    to: step.state,
    reached,
    ...(step.output ? { outcome: step.output.outcome } : {}),
  };
}

export interface TurnFigures {
  /** The conversation as it was before the turn was routed. */
  before: ConversationRecord;
  /** The conversation as it is saved; its `outcome` is updated here. */
  after: ConversationRecord;
  /** The merchant wrote (false for a chat opened by the bot's welcome). */
  said: boolean;
  /** The chat was opened with nothing stored yet: a new conversation that the bot greeted. */
  openedNew: boolean;
  moves: readonly FlowMove[];
  handoff: HandoffSummary | null;
  /** The response code the merchant's message gave, if any. */
  responseCode?: string | undefined;
}

/** Adds a turn's figures to `changes`, in the conversation's hour (its cohort: see rollup.ts). */
export function recordTurn(changes: RollupCounts, turn: TurnFigures): void {
  const { before, after, moves, handoff } = turn;
  const at = after.createdAt;
  const add = (name: string, n = 1) => changes.add(at, name, n);

  if (turn.openedNew) add(metric.opened);
  if (turn.said && after.turn === 1) {
    add(metric.conversations);
    add(metric.channel(after.channel));
    add(metric.locale(after.locale));
  }
  if (before.topic === null && after.topic !== null) add(metric.topic(after.topic));

  for (const code of codesSeen(turn)) add(metric.code(code));

  for (const move of moves) {
    if (move.from === null) add(metric.flowStarted(move.flow));
    for (const state of move.reached) add(metric.flowReached(move.flow, state));
    if (move.outcome === "resolved") add(metric.flowResolved(move.flow));
  }
  // Where each run waits: what left a state this turn is taken off it, what waits in one now is put on.
  for (const position of positions(before)) add(position, -1);
  for (const position of positions(after)) add(position, 1);

  if (handoff) {
    add(metric.handoffs);
    add(metric.handoffReason(handoff.reason));
    add(metric.handoffTopic(handoff.intent));
    const where = escalationPoint(before, moves);
    if (where) add(metric.flowEscalated(where.flow, where.state));
    if (after.outcome === "resolved") add(metric.resolvedByBot, -1);
    if (after.outcome !== "handedOff") add(metric.handedOff);
    after.outcome = "handedOff";
  } else if (after.outcome === undefined && moves.some((m) => m.outcome === "resolved")) {
    add(metric.resolvedByBot);
    after.outcome = "resolved";
  }
}

/** The runs of flows a conversation holds (under way and put aside), as `flow.open` metrics. */
function positions(conversation: ConversationRecord): string[] {
  const flows = [conversation.flow, ...(conversation.suspended ?? []).map((s) => s.flow)];
  const out: string[] = [];
  for (const flow of flows) {
    const state = flow ? stateOf(flow.snapshot) : null;
    if (flow && state) out.push(metric.flowOpen(flow.id, state));
  }
  return out;
}

/**
 * Where a handoff left the funnel: the state a flow escalated from by itself (or its final state, when it
 * escalated on its first step); otherwise the state the flow under way was in when the merchant asked for a
 * person, was not understood, or was cut short by policy.
 */
function escalationPoint(
  before: ConversationRecord,
  moves: readonly FlowMove[],
): { flow: TopicId; state: string } | undefined {
  const ended = moves.findLast((m) => m.outcome === "escalated");
  if (ended) return { flow: ended.flow, state: ended.from ?? ended.to };
  const last = moves.at(-1);
  if (last) return { flow: last.flow, state: last.to };
  const state = before.flow ? stateOf(before.flow.snapshot) : null;
  return before.flow && state ? { flow: before.flow.id, state } : undefined;
}

/** Response codes this turn brought: the message's, and one a flow learnt, each unless already known. */
function codesSeen(turn: TurnFigures): string[] {
  const known = codeOf(turn.before.facts.responseCode);
  const seen = new Set<string>();
  for (const code of [codeOf(turn.responseCode), codeOf(turn.after.facts.responseCode)])
    if (code && code !== known) seen.add(code);
  return [...seen];
}

function codeOf(value: unknown): string | undefined {
  return typeof value === "string" && /^[0-9A-Za-z]{2}$/.test(value) ? value.toUpperCase() : undefined;
}

/** An agent closed a handoff: counted in the conversation's hour, with what the problem really was. */
export function recordHandoffClosed(
  changes: RollupCounts,
  handoff: HandoffRecord,
  conversation: Pick<ConversationRecord, "createdAt">,
): void {
  const at = conversation.createdAt;
  changes.add(at, metric.handoffClosed);
  if (!handoff.resolution) return;
  changes.add(at, metric.handoffResolution(handoff.resolution));
  if (handoff.resolution !== handoff.summary.intent) changes.add(at, metric.handoffCorrected);
}

/**
 * A merchant's satisfaction rating, in the shape the ratings work keeps (`Rating` of src/domain/rating.ts,
 * zod, on its own branch); only what the rollup counts is needed here.
 */
export interface RatingFigures {
  conversationId: string;
  score: number;
  comment?: string;
  after: "flow" | "handoff";
  topic: TopicId | null;
  handoffId?: string;
  channel: Channel;
  /** When it was given (ISO): the hour it is counted in. */
  at: string;
}

/**
 * Counts a rating once: call it when a rating is first kept, not again when its comment is added to it
 * (the same rating, saved again).
 */
export function recordRating(changes: RollupCounts, rating: RatingFigures): void {
  if (!Number.isInteger(rating.score) || rating.score < 1 || rating.score > 5) return;
  changes.add(rating.at, metric.rating(rating.after, rating.score));
  changes.add(rating.at, metric.ratingTopic(rating.topic ?? "none", rating.score));
}
