/**
 * Every question of every flow says what "don't know" does: it goes on without the answer, or hands over
 * with the gap recorded — a merchant who cannot answer is never asked the same question for ever.
 */

import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { FLOWS } from "../../flows/index.js";
import type { Expectation } from "../../flows/kit.js";
import { parseAnswer } from "../../src/engine/answer.js";
import { has } from "../../src/i18n.js";

type StateConfig = { entry?: unknown };

function questionsOf(config: { states?: Record<string, StateConfig> }) {
  return Object.entries(config.states ?? {}).flatMap(([state, node]) => {
    const entries = Array.isArray(node.entry) ? node.entry : [node.entry];
    const ask = entries.find(
      (
        e,
      ): e is {
        type: "ask";
        params: { key: string; options: string[]; expect?: Expectation; hint?: boolean };
      } => typeof e === "object" && e !== null && (e as { type?: string }).type === "ask",
    );
    return ask
      ? [
          {
            state,
            key: ask.params.key,
            hint: ask.params.hint === true,
            question: { flow: "", options: ask.params.options, expect: ask.params.expect ?? "choice" },
          },
        ]
      : [];
  });
}

const cases = Object.values(FLOWS).flatMap((flow) =>
  questionsOf(flow.machine.config as { states?: Record<string, StateConfig> }).map((q) => ({ flow, ...q })),
);

describe("don't know, in every question of every flow", () => {
  it("finds the questions (a walk that found none would prove nothing)", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases.map((c) => [`${c.flow.id}.${c.state}`, c] as const))("%s goes on", (_name, c) => {
    const snapshot = c.flow.machine.resolveState({
      value: c.state,
      context: { facts: {}, stepsTried: [] },
    });
    const actor = createActor(c.flow.machine, { snapshot, input: { facts: {} } });
    actor.start();
    const answer = parseAnswer("不知道", { ...c.question, flow: c.flow.id }, "zh-CN");
    expect(answer.dontKnow).toBe(true);
    actor.send({ type: "ANSWER", answer });
    const after = actor.getSnapshot();
    expect(after.status === "done" || after.value !== c.state).toBe(true);
    actor.stop();
  });

  it.each(cases.map((c) => [c.key, c] as const))("%s can be explained in both languages", (_key, c) => {
    const [flow, ...rest] = c.key.split(".");
    const explain = `${flow}.explain.${rest.join(".")}`;
    expect(has("zh-CN", explain), explain).toBe(true);
    expect(has("en", explain), explain).toBe(true);
  });

  it.each(cases.filter((c) => c.hint).map((c) => [c.key, c] as const))(
    "%s says where to find the answer, in both languages",
    (_key, c) => {
      const [flow, ...rest] = c.key.split(".");
      const hint = `${flow}.hints.${rest.join(".")}`;
      expect(has("zh-CN", hint), hint).toBe(true);
      expect(has("en", hint), hint).toBe(true);
    },
  );
});
