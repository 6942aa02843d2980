/**
 * Runs one step of a flow: restores the actor from its persisted snapshot (or starts it), sends at most one
 * ANSWER, and collects what the flow emitted. Nothing else in the engine touches XState.
 */
import { type AnyStateMachine, createActor, type InspectionEvent } from "xstate";
import type { Answer, Facts, FlowEmitted, FlowOutput, Step } from "../../flows/kit.js";
import type { TopicId } from "../domain/intents.js";
import type { ActiveFlow } from "../store/store.js";

export interface FlowDefinition {
  id: TopicId;
  version: number;
  machine: AnyStateMachine;
  /** The flow always ends with a person (frozen funds): whatever the merchant says, it goes on to one. */
  policy?: boolean;
}

export type FlowRegistry = Record<TopicId, FlowDefinition>;

export interface FlowStep {
  emitted: FlowEmitted[];
  state: string;
  facts: Facts;
  stepsTried: Step[];
  /** The states this run of the flow passed through so far, in order (see `extendPath`). */
  path: string[];
  /** Set when the flow reached a final state. */
  output?: FlowOutput;
  /** The snapshot to persist; undefined when the flow is done. */
  persisted?: ActiveFlow;
}

export function stateName(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k}.${stateName(v)}`)
      .join(",");
  }
  return String(value);
}

/** A path keeps at most this many states, the latest: a handoff's map needs no more. */
export const MAX_PATH = 100;

/** `path` followed by `states`, a state repeated at once (a question asked again) counted once. */
export function extendPath(path: readonly string[], states: readonly string[]): string[] {
  const extended = [...path];
  for (const state of states) if (extended.at(-1) !== state) extended.push(state);
  return extended.length > MAX_PATH ? extended.slice(-MAX_PATH) : extended;
}

const initialLeaves = new WeakMap<AnyStateMachine, string>();

/** The state a flow enters first, before any eventless transition: its initial state, innermost, by path. */
export function initialLeafOf(machine: AnyStateMachine): string {
  let leaf = initialLeaves.get(machine);
  if (leaf === undefined) {
    let node = machine.root.initial?.target[0];
    while (node?.initial?.target[0]) node = node.initial.target[0];
    leaf = node ? node.path.join(".") : "";
    initialLeaves.set(machine, leaf);
  }
  return leaf;
}

/**
 * Starts `definition` fresh (with `facts`), or resumes `active` when its snapshot is of the same flow
 * version (a snapshot of an older version restarts the flow with the facts it had learnt).
 */
export function runFlow(
  definition: FlowDefinition,
  options: { active?: ActiveFlow | null; facts?: Facts; answer?: Answer },
): FlowStep {
  const emitted: FlowEmitted[] = [];
  const resumable =
    options.active && options.active.version === definition.version ? options.active : undefined;
  const oldFacts = (options.active?.snapshot as { context?: { facts?: Facts } } | undefined)?.context?.facts;
  // The states passed through: each microstep's (eventless transitions included); a fresh start also enters
  // the initial state, which XState reports no microstep for.
  const visited: string[] = resumable ? [] : [initialLeafOf(definition.machine)];
  const inspect = (event: InspectionEvent) => {
    if (event.type === "@xstate.microstep")
      visited.push(stateName((event.snapshot as { value?: unknown }).value));
  };
  const actor = createActor(definition.machine, {
    input: { facts: options.facts ?? oldFacts ?? {} },
    inspect,
    ...(resumable ? { snapshot: resumable.snapshot as never } : {}),
  });
  actor.on("*", (event) => emitted.push(event as FlowEmitted));
  // A fault inside the flow stops the actor with an error; without an observer XState would also report
  // it as an unhandled error. It is thrown here instead, for the engine to undo the turn.
  actor.subscribe({ error: () => {} });
  actor.start();
  if (options.answer && resumable) actor.send({ type: "ANSWER", answer: options.answer });
  const snapshot = actor.getSnapshot();
  if (snapshot.status === "error") {
    actor.stop();
    throw snapshot.error instanceof Error ? snapshot.error : new Error(String(snapshot.error));
  }
  const done = snapshot.status === "done";
  const path = extendPath(resumable?.path ?? [], visited);
  const step: FlowStep = {
    emitted,
    state: stateName(snapshot.value),
    facts: snapshot.context.facts as Facts,
    stepsTried: snapshot.context.stepsTried as Step[],
    path,
  };
  if (done) step.output = snapshot.output as FlowOutput;
  else
    step.persisted = {
      id: definition.id,
      version: definition.version,
      snapshot: actor.getPersistedSnapshot(),
      path,
    };
  actor.stop();
  return step;
}

/** The state a persisted flow snapshot is in, as `stateName` spells it. */
export function stateOf(snapshot: unknown): string | null {
  const value = (snapshot as { value?: unknown } | null)?.value;
  return value === undefined ? null : stateName(value);
}
