/**
 * The flow map an agent sees on a handoff: its flow's statechart drawn from the machine, the states the
 * conversation passed through highlighted, its words (title, caption, legend) in the agent's language.
 */

import type { FlowRegistry } from "../../flows/kit.js";
import type { HandoffSummary } from "../domain/handoff.js";
import { isTopic, type Locale } from "../domain/intents.js";
import { toMermaid } from "../flowmap/mermaid.js";
import { toSvg } from "../flowmap/svg.js";
import { type FlowGraph, walkFlow } from "../flowmap/walk.js";
import { t } from "../i18n.js";

export interface FlowMapView {
  flow: string;
  /** The handoff's state path, less any state the flow no longer has (a handoff from an older version). */
  statePath: string[];
  /** The path in words, as the SVG's description says it. */
  caption: string;
  mermaid: string;
  svg: string;
}

export class FlowMaps {
  private readonly graphs = new Map<string, FlowGraph>();

  constructor(private readonly flows: FlowRegistry) {}

  private graph(flow: string): FlowGraph | undefined {
    const definition = isTopic(flow)
      ? (this.flows[flow] as FlowRegistry[typeof flow] | undefined)
      : undefined;
    if (!definition) return undefined;
    let graph = this.graphs.get(flow);
    if (!graph) {
      graph = walkFlow(definition.machine);
      this.graphs.set(flow, graph);
    }
    return graph;
  }

  /** The map of `handoff`'s flow in `locale`; undefined when the handoff has no flow. */
  of(handoff: HandoffSummary, locale: Locale): FlowMapView | undefined {
    const flow = handoff.flow;
    const graph = flow ? this.graph(flow) : undefined;
    if (!flow || !graph) return undefined;
    const known = new Set(graph.states.map((s) => s.id));
    const statePath = (handoff.statePath ?? []).filter((state) => known.has(state));
    const caption = statePath.length
      ? t(locale, "ui.agent.flowMapPath", { path: statePath.join(" → ") })
      : t(locale, "ui.agent.flowMapNoPath");
    const title = t(locale, "ui.agent.flowMapTitle", { flow: t(locale, `topics.${flow}`) });
    const svg = toSvg(graph, {
      statePath,
      title,
      description: caption,
      legend: { passed: t(locale, "ui.agent.flowMapPassed"), last: t(locale, "ui.agent.flowMapLast") },
      idPrefix: `flowmap-${flow}`,
    });
    return { flow, statePath, caption, mermaid: toMermaid(graph, { highlight: statePath }), svg };
  }
}
