/**
 * The walk of a statechart's definition, on machines made for the test: what a flow map needs of any
 * XState v5 machine — nested states, done and delayed events, guards given by name, with params, as
 * combinators or inline — not only of the shapes posdesk's flows have today.
 */
import { describe, expect, it } from "vitest";
import { not, setup } from "xstate";
import { edgeLabel, edgesOf, walkFlow } from "../../src/flowmap/walk.js";

const machine = setup({
  guards: {
    isReady: () => true,
    isOption: (_args, _params: { option: string }) => true,
  },
  actions: {
    remember: (_args, _params: { fact: string }) => undefined,
  },
}).createMachine({
  id: "sample",
  initial: "outer",
  states: {
    outer: {
      initial: "first",
      states: {
        first: {
          on: {
            NEXT: [
              { guard: { type: "isOption", params: { option: "a" } }, target: "second" },
              { guard: not("isReady"), target: "second" },
              { target: "first", reenter: true },
            ],
          },
        },
        second: { type: "final", entry: { type: "remember", params: { fact: "seen" } } },
      },
      onDone: "waiting",
    },
    waiting: {
      after: { 500: "done" },
      on: {
        SKIP: {
          guard: function isImpatient() {
            return true;
          },
          target: "done",
        },
      },
    },
    done: { type: "final" },
  },
});

describe("the walk of a machine's definition", () => {
  const graph = walkFlow(machine);

  it("finds every state, nested ones by their path, with their kind and parent", () => {
    expect(graph.initial).toBe("outer");
    expect(graph.states.map((s) => [s.id, s.kind, s.parent])).toEqual([
      ["outer", "compound", null],
      ["outer.first", "atomic", "outer"],
      ["outer.second", "final", "outer"],
      ["waiting", "atomic", null],
      ["done", "final", null],
    ]);
    expect(graph.states[0]?.initial).toBe("outer.first");
  });

  it("names guards with their params, combinators and inline functions", () => {
    const guards = graph.transitions.filter((t) => t.from === "outer.first").map((t) => t.guard);
    expect(guards).toEqual(["isOption(a)", "not(isReady)", null]);
    expect(graph.transitions.find((t) => t.event === "SKIP")?.guard).toBe("isImpatient");
  });

  it("marks an unguarded transition after guarded ones as their fallback", () => {
    const last = graph.transitions.filter((t) => t.from === "outer.first").at(-1);
    expect(last).toMatchObject({ to: "outer.first", otherwise: true });
  });

  it("names a compound state's done event onDone and a delayed one after its delay", () => {
    expect(graph.transitions.find((t) => t.from === "outer")).toMatchObject({
      event: "onDone",
      to: "waiting",
    });
    expect(graph.transitions.find((t) => t.event === "after 500")).toMatchObject({
      from: "waiting",
      to: "done",
    });
  });

  it("keeps an action's fixed params", () => {
    expect(graph.states.find((s) => s.id === "outer.second")?.entry).toEqual([
      { type: "remember", params: { fact: "seen" } },
    ]);
  });

  it("merges transitions between the same states on the same event into one arrow", () => {
    const edge = edgesOf(graph).find((e) => e.from === "outer.first" && e.to === "outer.second");
    expect(edge && edgeLabel(edge)).toBe("NEXT [isOption(a) or not(isReady)]");
  });
});
