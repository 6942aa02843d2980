/**
 * Runs one step of a flow: restores the actor from its persisted snapshot (or starts it), sends at most one
 * ANSWER, and collects what the flow emitted. Nothing else in the engine touches XState.
 */
import { type AnyActorScope, type AnyStateMachine, createActor, type InspectionEvent } from "xstate";
import type { Answer, Facts, FlowDefinition, FlowEmitted, FlowOutput, Step } from "../../flows/kit.js";
import type { ActiveFlow } from "../store/store.js";

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
 * The machine's own functions do the step (`getInitialSnapshot`, `resolveState` to restore (see `restore`),
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
      ? restore(machine, resumable.snapshot, runner.scope)
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
      snapshot: persist(machine, snapshot),
      path,
    };
  return step;
}

type MachineSnapshot = ReturnType<AnyStateMachine["getInitialSnapshot"]>;

/** XState's persisted form of a machine snapshot, as `getPersistedSnapshot` writes it. */
interface PersistedSnapshot {
  status: MachineSnapshot["status"];
  value: MachineSnapshot["value"];
  historyValue: Record<string, unknown>;
  context: unknown;
  children: Record<string, unknown>;
}

const isEmpty = (record: object | undefined): boolean => {
  for (const _ in record) return false;
  return true;
};

/**
 * `machine.getPersistedSnapshot(snapshot)`, the same JSON, built directly when the snapshot has no child
 * actors and no history (every flow here: flows only assign and emit). XState's own copies the snapshot
 * through an object rest and walks the context for actor references: 2.1 µs of a turn's flow step, and
 * objects V8 promotes to the old generation more often than most of the turn's.
 */
function persist(machine: AnyStateMachine, snapshot: MachineSnapshot): unknown {
  if (!isEmpty(snapshot.children) || !isEmpty(snapshot.historyValue))
    return machine.getPersistedSnapshot(snapshot);
  const persisted: PersistedSnapshot = {
    status: snapshot.status,
    value: snapshot.value,
    historyValue: {},
    context: snapshot.context,
    children: {},
  };
  return persisted;
}

/**
 * `machine.restoreSnapshot(persisted)` for a snapshot `persist` wrote: its state value and context resolved
 * by `machine.resolveState` (1.6 µs against 5.3: no child actors to start, no history or actor references
 * to revive). Anything else goes through XState's own restore.
 */
function restore(machine: AnyStateMachine, persisted: unknown, scope: AnyActorScope): MachineSnapshot {
  const stored = persisted as Partial<PersistedSnapshot>;
  if (stored.status !== "active" || !isEmpty(stored.children) || !isEmpty(stored.historyValue))
    return machine.restoreSnapshot?.(persisted as never, scope) as MachineSnapshot;
  return machine.resolveState({ value: stored.value, context: stored.context as never });
}

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
  const self = createActor(machine, { input: { facts: {} } });
  // The machine reports each microstep to its system's inspection hook: the states a step passes through.
  // The scope's system is the actor's with that hook replaced, so no inspection event is copied and passed
  // to observers (an actor's `inspect` option) on every microstep. The hook is XState's own, unexported
  // (`_sendInspectionEvent`, which its macrostep calls; the version is pinned by the lock file): should it
  // stop being called, the flows' state paths lose every step after the first, and
  // tests/engine/state-path.test.ts fails.
  const system: AnyActorScope["system"] & { _sendInspectionEvent(event: InspectionEvent): void } =
    Object.create(self.system);
  system._sendInspectionEvent = (event) => {
    if (event.type === "@xstate.microstep")
      states.push(stateName((event.snapshot as { value?: unknown }).value));
  };
  const scope: AnyActorScope = {
    self,
    id: self.id,
    sessionId: self.sessionId,
    system,
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

/**
 * `active` with `facts` added to what its flow has learnt: a fact the merchant told beside the question (a card
 * number), which answers nothing, so no step is taken.
 */
export function withFacts(active: ActiveFlow, facts: Facts): ActiveFlow {
  const snapshot = active.snapshot as { context?: { facts?: Facts } };
  if (!snapshot.context) return active;
  const context = { ...snapshot.context, facts: { ...snapshot.context.facts, ...facts } };
  return { ...active, snapshot: { ...snapshot, context } };
}

/** The state a persisted flow snapshot is in, as `stateName` spells it. */
export function stateOf(snapshot: unknown): string | null {
  const value = (snapshot as { value?: unknown } | null)?.value;
  return value === undefined ? null : stateName(value);
}
