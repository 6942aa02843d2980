/**
 * Runs one step of a flow: restores the actor from its persisted snapshot (or starts it), sends at most one
 * ANSWER, and collects what the flow emitted. Nothing else in the engine touches XState.
 */
import { type AnyActorScope, type AnyStateMachine, createActor, type InspectionEvent } from "xstate";
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
 *
 * The machine's own transition functions do the step (`getInitialSnapshot`, `restoreSnapshot`,
 * `transition`: what an actor calls), in a scope made once per machine, instead of an actor created, started
 * and stopped on every turn. Flows only assign and emit; an error in a guard or an action is thrown to the
 * engine, which undoes the turn.
 */
export function runFlow(
  definition: FlowDefinition,
  options: { active?: ActiveFlow | null; facts?: Facts; answer?: Answer },
): FlowStep {
  const { machine } = definition;
  const runner = runnerFor(machine);
  const resumable =
    options.active && options.active.version === definition.version ? options.active : undefined;
  const oldFacts = (options.active?.snapshot as { context?: { facts?: Facts } } | undefined)?.context?.facts;
  const emitted = runner.collect(() => {
    let snapshot = resumable
      ? machine.restoreSnapshot?.(resumable.snapshot as never, runner.scope)
      : machine.getInitialSnapshot(runner.scope, { facts: options.facts ?? oldFacts ?? {} });
    if (!snapshot) throw new Error(`flow ${definition.id} cannot restore a snapshot`);
    if (options.answer && resumable)
      snapshot = machine.transition(snapshot, { type: "ANSWER", answer: options.answer }, runner.scope);
    return snapshot;
  });
  const { snapshot } = emitted;
  // A fresh start also enters the initial state, which XState reports no microstep for.
  const visited = resumable ? emitted.states : [initialLeafOf(machine), ...emitted.states];
  const path = extendPath(resumable?.path ?? [], visited);
  if (snapshot.status === "error")
    throw snapshot.error instanceof Error ? snapshot.error : new Error(String(snapshot.error));
  const step: FlowStep = {
    emitted: emitted.events,
    state: stateName(snapshot.value),
    facts: snapshot.context.facts as Facts,
    stepsTried: snapshot.context.stepsTried as Step[],
    path,
  };
  if (snapshot.status === "done") step.output = snapshot.output as FlowOutput;
  else
    step.persisted = {
      id: definition.id,
      version: definition.version,
      snapshot: machine.getPersistedSnapshot(snapshot),
      path,
    };
  return step;
}

type MachineSnapshot = ReturnType<AnyStateMachine["getInitialSnapshot"]>;

interface Runner {
  scope: AnyActorScope;
  /**
   * Runs `step`, returning the snapshot it made, the events the flow emitted meanwhile and the state of each
   * microstep (eventless transitions included), in order.
   */
  collect(step: () => MachineSnapshot): {
    snapshot: MachineSnapshot;
    events: FlowEmitted[];
    states: string[];
  };
}

const runners = new WeakMap<AnyStateMachine, Runner>();

/**
 * The scope a machine's transitions run in: what an actor would give them (itself, its system), with
 * actions executed at once and emitted events collected for the step that is running. Steps never overlap:
 * a turn's flow step is synchronous.
 */
function runnerFor(machine: AnyStateMachine): Runner {
  let runner = runners.get(machine);
  if (runner) return runner;
  let events: FlowEmitted[] = [];
  let states: string[] = [];
  // The machine reports each microstep to its system's inspector: the states a step passes through.
  const self = createActor(machine, {
    input: { facts: {} },
    inspect: (event: InspectionEvent) => {
      if (event.type === "@xstate.microstep")
        states.push(stateName((event.snapshot as { value?: unknown }).value));
    },
  });
  const scope: AnyActorScope = {
    self,
    id: self.id,
    sessionId: self.sessionId,
    system: self.system,
    logger: () => {},
    defer: (fn) => fn(),
    emit: (event) => events.push(event as FlowEmitted),
    stopChild: () => {},
    actionExecutor: (action) => action.exec?.(action.info, action.params),
  };
  runner = {
    scope,
    collect(step) {
      events = [];
      states = [];
      const snapshot = step();
      return { snapshot, events, states };
    },
  };
  runners.set(machine, runner);
  return runner;
}

/** The state a persisted flow snapshot is in, as `stateName` spells it. */
export function stateOf(snapshot: unknown): string | null {
  const value = (snapshot as { value?: unknown } | null)?.value;
  return value === undefined ? null : stateName(value);
}
