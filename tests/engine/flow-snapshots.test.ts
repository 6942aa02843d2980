/**
 * The flow runner stores and restores flow snapshots itself (flow-runner.ts: `persist`, `restore`) instead of
 * through XState's `getPersistedSnapshot` / `restoreSnapshot`. Whatever the flow and the answers, a step must
 * end where an XState actor restored from the same stored snapshot ends, and store what that actor would.
 */
import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { FLOWS } from "../../flows/index.js";
import type { Answer, FlowDefinition, FlowEmitted } from "../../flows/kit.js";
import type { TopicId } from "../../src/domain/intents.js";
import { runFlow } from "../../src/engine/flow-runner.js";
import type { ActiveFlow } from "../../src/store/store.js";

/** Answers to try at a question: each of its options, yes, no, don't know, a response code. */
function answersTo(emitted: FlowEmitted[]): Answer[] {
  const asked = emitted.findLast((e) => e.type === "ask");
  const options = asked?.type === "ask" ? asked.options : [];
  return [
    ...options.map((option) => ({ text: option, option })),
    { text: "是的", yes: true },
    { text: "不行", yes: false },
    { text: "不知道", dontKnow: true },
    { text: "51", responseCode: "51" },
  ];
}

/** What an XState actor restored from `stored` does with `answer`: its persisted snapshot afterwards. */
function actorStep(definition: FlowDefinition, stored: unknown, answer: Answer) {
  const actor = createActor(definition.machine, { snapshot: stored as never, input: { facts: {} } });
  actor.start();
  actor.send({ type: "ANSWER", answer });
  const persisted = actor.getPersistedSnapshot() as { status: string; output?: unknown };
  actor.stop();
  return JSON.parse(JSON.stringify(persisted)) as { status: string; output?: unknown };
}

/** Every stored snapshot reachable from the flow's start in up to `depth` answers, with what was asked. */
function reachable(
  definition: FlowDefinition,
  depth: number,
): { active: ActiveFlow; emitted: FlowEmitted[] }[] {
  const start = runFlow(definition, { facts: {} });
  let frontier = start.persisted ? [{ active: roundTrip(start.persisted), emitted: start.emitted }] : [];
  const all = [...frontier];
  for (let level = 1; level < depth; level++) {
    const next: typeof frontier = [];
    for (const { active, emitted } of frontier)
      for (const answer of answersTo(emitted)) {
        const step = runFlow(definition, { active, answer });
        if (step.persisted) next.push({ active: roundTrip(step.persisted), emitted: step.emitted });
      }
    all.push(...next);
    frontier = next;
  }
  return all;
}

/** As the store gives it back: through JSON. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("flow snapshots stored and restored by the flow runner", () => {
  for (const [topic, definition] of Object.entries(FLOWS) as [TopicId, FlowDefinition][]) {
    it(`${topic}: every step ends and stores what an XState actor does`, () => {
      let compared = 0;
      for (const { active, emitted } of reachable(definition, 3)) {
        for (const answer of answersTo(emitted)) {
          const step = runFlow(definition, { active, answer });
          const expected = actorStep(definition, active.snapshot, answer);
          if (expected.status === "done") {
            expect(step.persisted).toBeUndefined();
            expect(step.output).toEqual(expected.output);
          } else {
            expect(roundTrip(step.persisted?.snapshot)).toEqual(expected);
          }
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
