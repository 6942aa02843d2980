/**
 * A flow's shape, read from its XState definition (`machine.root` and its state nodes): every state, and
 * every transition with its event and its guard by name. The flow maps — Mermaid for the README and the
 * CLI, SVG for the agent console — are drawn from this walk, never by hand.
 */
import type { AnyStateMachine, AnyStateNode } from "xstate";

/** An action as the definition names it; `params` is null when they are computed as the flow runs. */
export interface ActionRef {
  type: string;
  params: Record<string, unknown> | null;
}

export interface MapState {
  /** The state's path, dot-separated: `askScope` (`parent.child` when nested), as the engine spells states. */
  id: string;
  /** Its key in its parent state. */
  name: string;
  /** The id of the state it is nested in; null at the top level. */
  parent: string | null;
  kind: "atomic" | "compound" | "parallel" | "final" | "history";
  /** For a compound state: the id of the child it starts in. */
  initial: string | null;
  entry: ActionRef[];
}

export interface MapTransition {
  from: string;
  /** null: the transition stays where it is (actions only). */
  to: string | null;
  /** `ANSWER`, `onDone`, `after 500`…; null for an eventless (`always`) transition. */
  event: string | null;
  /** The guard by name, with its fixed params (`isOption(no_code)`); null when unguarded. */
  guard: string | null;
  /** Unguarded, after guarded ones for the same event: taken when none of those holds. */
  otherwise: boolean;
  actions: ActionRef[];
}

export interface FlowGraph {
  id: string;
  /** The top-level state the flow starts in. */
  initial: string;
  /** Every state node but the root, parents before their children, in definition order. */
  states: MapState[];
  transitions: MapTransition[];
}

/** Transitions between the same two states on the same event, drawn as one arrow. */
export interface MapEdge {
  from: string;
  to: string;
  event: string | null;
  /** Guard names, `else` for an unguarded fallback; empty for a plain transition. */
  guards: string[];
}

const idOf = (node: AnyStateNode): string => node.path.join(".");

function paramsText(params: unknown): string {
  if (!params || typeof params !== "object") return "";
  const values = Object.values(params as Record<string, unknown>).filter(
    (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean",
  );
  return values.length ? `(${values.join(", ")})` : "";
}

/** `isYes`; `isOption(no_code)`; `not(isYes)` for XState's guard combinators; null when unguarded. */
export function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") {
    const inner = (guard as { guards?: unknown[] }).guards;
    const name = guard.name || "guard";
    return Array.isArray(inner) ? `${name}(${inner.map(guardName).join(", ")})` : name;
  }
  if (typeof guard === "object" && "type" in guard) {
    const { type, params } = guard as { type: unknown; params?: unknown };
    return `${String(type)}${paramsText(params)}`;
  }
  return "guard";
}

/** XState's internal event names, as a reader of the flow knows them. */
export function eventName(eventType: string): string {
  if (eventType.startsWith("xstate.done.state.")) return "onDone";
  if (eventType.startsWith("xstate.done.actor.")) return "onDone";
  if (eventType.startsWith("xstate.error.actor.")) return "onError";
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (delayed) return `after ${delayed[1]}`;
  return eventType;
}

function actionRefs(actions: unknown): ActionRef[] {
  const list = Array.isArray(actions) ? actions : actions === undefined ? [] : [actions];
  return list.flatMap((action): ActionRef[] => {
    if (typeof action === "string") return [{ type: action, params: null }];
    if (typeof action === "function") return [{ type: action.name || "action", params: null }];
    if (action && typeof action === "object" && "type" in action) {
      const { type, params } = action as { type: unknown; params?: unknown };
      const fixed = params && typeof params === "object" ? (params as Record<string, unknown>) : null;
      return [{ type: String(type), params: typeof params === "function" ? null : (fixed ?? {}) }];
    }
    return [];
  });
}

interface TransitionLike {
  target?: readonly AnyStateNode[] | undefined;
  guard?: unknown;
  actions?: unknown;
}

function transitionsOf(node: AnyStateNode, event: string | null, list: readonly TransitionLike[]) {
  const from = idOf(node);
  return list.flatMap((tr, i): MapTransition[] => {
    const guard = guardName(tr.guard);
    const otherwise = guard === null && list.slice(0, i).some((earlier) => earlier.guard !== undefined);
    const common = { from, event, guard, otherwise, actions: actionRefs(tr.actions) };
    const targets = tr.target?.length ? tr.target.map(idOf) : [null];
    return targets.map((to) => ({ ...common, to }));
  });
}

function visit(node: AnyStateNode, graph: FlowGraph): void {
  for (const child of Object.values(node.states) as AnyStateNode[]) {
    graph.states.push({
      id: idOf(child),
      name: child.key,
      parent: node.parent ? idOf(node) : null,
      kind: child.type,
      initial: child.initial?.target[0] ? idOf(child.initial.target[0]) : null,
      entry: actionRefs(child.entry),
    });
    for (const [eventType, list] of child.transitions)
      graph.transitions.push(...transitionsOf(child, eventName(eventType), list));
    if (child.always) graph.transitions.push(...transitionsOf(child, null, child.always));
    visit(child, graph);
  }
}

/** The walk of `machine`: its states and transitions, as the definition has them. */
export function walkFlow(machine: AnyStateMachine): FlowGraph {
  const root = machine.root;
  const first = root.initial?.target[0];
  if (!first) throw new Error(`flow ${machine.id} has no initial state`);
  const graph: FlowGraph = { id: machine.id, initial: idOf(first), states: [], transitions: [] };
  visit(root, graph);
  return graph;
}

/** The arrows of a map: transitions merged by source, target and event, their guards listed in order. */
export function edgesOf(graph: FlowGraph): MapEdge[] {
  const edges = new Map<string, MapEdge>();
  for (const tr of graph.transitions) {
    if (tr.to === null) continue;
    const key = `${tr.from}\u0000${tr.to}\u0000${tr.event ?? ""}`;
    let edge = edges.get(key);
    if (!edge) {
      edge = { from: tr.from, to: tr.to, event: tr.event, guards: [] };
      edges.set(key, edge);
    }
    const guard = tr.guard ?? (tr.otherwise ? "else" : null);
    if (guard && !edge.guards.includes(guard)) edge.guards.push(guard);
  }
  return [...edges.values()];
}

/** An arrow's label: `ANSWER [isNo or isDontKnow]`, `[isRiskCode]` for an eventless one, or nothing. */
export function edgeLabel(edge: MapEdge): string {
  const guards = edge.guards.length ? `[${edge.guards.join(" or ")}]` : "";
  return [edge.event ?? "", guards].filter(Boolean).join(" ");
}
