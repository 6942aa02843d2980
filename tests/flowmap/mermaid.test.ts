/**
 * The flow maps in Mermaid: drawn from each machine's definition, every state in its diagram under its own
 * name, arrows labelled by event and guard, text Mermaid's state-diagram grammar reads; and the README's
 * diagrams the same as the machines' today.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { currentFlowMaps, flowMapsMarkdown, replaceFlowMaps, toMermaid } from "../../src/flowmap/mermaid.js";
import { walkFlow } from "../../src/flowmap/walk.js";

const README = join(import.meta.dirname, "../../README.md");
const flows = Object.values(FLOWS);
const diagram = (id: keyof typeof FLOWS) => toMermaid(walkFlow(FLOWS[id].machine));

/** Every state of a machine's own config, by path, nested ones included: not read through the walk. */
function configStates(
  states: Record<string, { states?: Record<string, unknown> }> = {},
  prefix = "",
): string[] {
  return Object.entries(states).flatMap(([key, node]) => [
    `${prefix}${key}`,
    ...configStates(node.states as Record<string, { states?: Record<string, unknown> }>, `${prefix}${key}.`),
  ]);
}

/** The lines Mermaid's stateDiagram-v2 lexer and grammar accept, in the forms the generator writes. */
const ID = String.raw`[^:\n\s\-{]+`;
const LINE = new RegExp(
  [
    "stateDiagram-v2",
    String.raw`\s*(\[\*\]|${ID}) --> (\[\*\]|${ID})(: [^:;#%\n]+)?`,
    String.raw`\s*state ${ID} \{`,
    String.raw`\s*\}`,
    String.raw`\s*${ID}`,
    String.raw`\s*classDef passed [^;\n]+`,
    String.raw`\s*class ${ID}(,${ID})* passed`,
  ]
    .map((form) => `^(?:${form})$`)
    .join("|"),
);

describe("flow maps in Mermaid", () => {
  it.each(flows.map((f) => [f.id, f] as const))(
    "%s: every state of the machine is in its diagram",
    (_id, flow) => {
      const text = toMermaid(walkFlow(flow.machine));
      const states = configStates(
        flow.machine.config.states as Record<string, { states?: Record<string, unknown> }>,
      );
      expect(states.length).toBeGreaterThan(3);
      for (const state of states)
        expect(text).toMatch(new RegExp(`(^|\\s)${state.replace(".", "\\.")}(\\s|:|$)`, "m"));
    },
  );

  it.each(flows.map((f) => [f.id, f] as const))(
    "%s: every line is one Mermaid's grammar reads",
    (_id, flow) => {
      const lines = toMermaid(walkFlow(flow.machine)).split("\n");
      expect(lines[0]).toBe("stateDiagram-v2");
      expect(lines.filter((line) => !LINE.test(line))).toEqual([]);
    },
  );

  it("starts at the initial state and ends each final state", () => {
    const text = diagram("card_declined");
    expect(text).toContain("[*] --> triage");
    for (const final of ["resolved", "escalate", "escalateRisk", "escalateConfig"])
      expect(text).toContain(`${final} --> [*]`);
  });

  it("labels an answer's arrow by its event and guards, the option a guard checks included", () => {
    const text = diagram("card_declined");
    expect(text).toContain("askScope --> suggestResign: ANSWER [isOption(all_cards)]");
    expect(text).toContain("askResponseCode --> askScope: ANSWER [isOption(no_code) or isNo or isDontKnow]");
  });

  it("labels an eventless arrow by its guard alone, its fallback as else, a plain one not at all", () => {
    const text = diagram("card_declined");
    expect(text).toContain("triage --> escalateRisk: [isRiskCode]");
    expect(text).toContain("triage --> askResponseCode: [else]");
    expect(text).toMatch(/^ {2}adviseCardholder --> confirmFixed$/m);
  });

  it("shows a question asked again as an arrow back to itself", () => {
    expect(diagram("card_declined")).toContain("confirmFixed --> confirmFixed: ANSWER [else]");
  });

  it("colours the states passed through when asked to", () => {
    const text = toMermaid(walkFlow(FLOWS.card_declined.machine), {
      highlight: ["triage", "askResponseCode"],
    });
    expect(text).toMatch(/^ {2}class triage,askResponseCode passed$/m);
  });
});

describe("the README's flow maps", () => {
  it("are the diagrams of the machines as they are now (npm run flowmaps regenerates them)", () => {
    const readme = readFileSync(README, "utf8");
    expect(currentFlowMaps(readme)).toBe(flowMapsMarkdown(flows));
  });

  it("have a ```mermaid block for every flow", () => {
    const section = currentFlowMaps(readFileSync(README, "utf8")) ?? "";
    for (const flow of flows) expect(section).toContain(`### ${flow.id}\n\n\`\`\`mermaid\nstateDiagram-v2\n`);
  });

  it("are replaced between the markers only, the text around kept", () => {
    const before = readFileSync(README, "utf8");
    const replaced = replaceFlowMaps(before, "NEW");
    expect(currentFlowMaps(replaced)).toBe("NEW");
    expect(replaceFlowMaps(replaced, flowMapsMarkdown(flows))).toBe(before);
  });
});
