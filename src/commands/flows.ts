/**
 * `posdesk flows`: the troubleshooting flows as their XState definitions have them. Without options, one
 * line per flow (id, version, states, the final ones); `--mermaid [ID]` the statechart of one flow, or of
 * every flow, as Mermaid `stateDiagram-v2` text; `--markdown` as the README's section (a heading and a
 * ```mermaid block per flow); `--update FILE` writes that section between the flow-map markers of FILE
 * instead of printing it (`npm run flowmaps` does it for the README).
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { FLOWS } from "../../flows/index.js";
import type { FlowDefinition } from "../../flows/kit.js";
import type { TopicId } from "../domain/intents.js";
import { flowMapsMarkdown, replaceFlowMaps, toMermaid } from "../flowmap/mermaid.js";
import { walkFlow } from "../flowmap/walk.js";
import { UsageError } from "./usage.js";

export const FLOWS_USAGE = "flows [--json] | flows --mermaid [ID] [--markdown [--update FILE]]";

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        json: { type: "boolean" },
        mermaid: { type: "boolean" },
        markdown: { type: "boolean" },
        update: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function chosen(id: string | undefined): FlowDefinition[] {
  const all = Object.values(FLOWS);
  if (id === undefined) return all;
  const flow = Object.hasOwn(FLOWS, id) ? FLOWS[id as TopicId] : undefined;
  if (!flow) throw new UsageError(`no flow ${id} (flows: ${Object.keys(FLOWS).join(", ")})`);
  return [flow];
}

function summaryLine(flow: FlowDefinition, json: boolean): string {
  const graph = walkFlow(flow.machine);
  const states = graph.states.map((s) => s.id);
  const final = graph.states.filter((s) => s.kind === "final").map((s) => s.id);
  if (json)
    return JSON.stringify({
      id: flow.id,
      version: flow.version,
      initial: graph.initial,
      states,
      final,
      transitions: graph.transitions.length,
    });
  return `${flow.id.padEnd(18)} v${flow.version}  ${String(states.length).padStart(2)} states  final: ${final.join(", ")}`;
}

export async function runFlows(args: string[], write: (text: string) => Promise<void>): Promise<void> {
  const { values, positionals } = options(args);
  if (positionals.length > 1) throw new UsageError("flows takes at most one flow id");
  if (!values.mermaid && (values.markdown || values.update !== undefined || positionals.length))
    throw new UsageError("a flow id, --markdown and --update go with --mermaid");
  if (values.update !== undefined && !values.markdown) throw new UsageError("--update goes with --markdown");
  const flows = chosen(positionals[0]);

  if (!values.mermaid) {
    for (const flow of flows) await write(summaryLine(flow, values.json === true));
    return;
  }
  if (!values.markdown) {
    const diagrams = flows.map((f) => toMermaid(walkFlow(f.machine)));
    await write(
      flows.length === 1
        ? (diagrams[0] ?? "")
        : diagrams.map((d, i) => `%% ${flows[i]?.id}\n${d}`).join("\n\n"),
    );
    return;
  }
  const section = flowMapsMarkdown(flows);
  if (values.update === undefined) {
    await write(section);
    return;
  }
  const file = values.update;
  const text = await readFile(file, "utf8").catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  let updated: string;
  try {
    updated = replaceFlowMaps(text, section);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  if (updated !== text) await writeFile(file, updated);
  process.stderr.write(`${file}: flow maps ${updated === text ? "already up to date" : "updated"}\n`);
}
