/**
 * The flow map as the agent console shows it: an SVG drawn on the server from the machine's walk, every
 * state a box of its own, the states a conversation passed through filled and numbered, the one it
 * stopped in outlined, the arrows it took labelled.
 */
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { layout } from "../../src/flowmap/layout.js";
import { toSvg } from "../../src/flowmap/svg.js";
import { edgesOf, walkFlow } from "../../src/flowmap/walk.js";

const flows = Object.values(FLOWS);
const words = {
  title: "Flow map",
  description: "What it shows",
  legend: { passed: "passed", last: "stopped" },
};
const PATH = ["triage", "askResponseCode", "askScope", "adviseCardholder", "confirmFixed", "escalate"];
const cardDeclined = () => toSvg(walkFlow(FLOWS.card_declined.machine), { ...words, statePath: PATH });

describe("the flow map as SVG", () => {
  it.each(flows.map((f) => [f.id, f] as const))(
    "%s: well-formed, every state a box of its own",
    (_id, flow) => {
      const graph = walkFlow(flow.machine);
      const svg = toSvg(graph, words);
      expect(XMLValidator.validate(svg)).toBe(true);
      for (const state of graph.states) expect(svg).toContain(`data-state="${state.id}"`);
      expect(svg).not.toMatch(/<script|on\w+=/i);
    },
  );

  it.each(flows.map((f) => [f.id, f] as const))("%s: no two boxes overlap", (_id, flow) => {
    const graph = walkFlow(flow.machine);
    const nodes = graph.states.map((s) => ({ id: s.id, width: 8 * s.name.length + 28, height: 30 }));
    const placed = [...layout(nodes, edgesOf(graph), { start: graph.initial }).nodes.values()];
    for (const [i, a] of placed.entries())
      for (const b of placed.slice(i + 1)) {
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart, `${a.id} and ${b.id}`).toBe(true);
      }
  });

  it("puts the start at the top and every arrow that goes forward downwards", () => {
    const graph = walkFlow(FLOWS.card_declined.machine);
    const nodes = graph.states.map((s) => ({ id: s.id, width: 100, height: 30 }));
    const result = layout(nodes, edgesOf(graph), { start: graph.initial });
    const y = (id: string) => result.nodes.get(id)?.y ?? 0;
    expect(Math.min(...[...result.nodes.values()].map((n) => n.y))).toBe(y("triage"));
    expect(y("askScope")).toBeGreaterThan(y("askResponseCode"));
    expect(y("escalate")).toBeGreaterThan(y("confirmFixed"));
  });

  it("fills and numbers the states passed through, in the order first passed", () => {
    const svg = cardDeclined();
    expect(svg.match(/data-passed="true"/g)).toHaveLength(PATH.length);
    expect(svg).toMatch(/data-state="askScope" data-passed="true">.*?>3<\/text>/);
    expect(svg).not.toContain('data-state="suggestResign" data-passed');
  });

  it("outlines the state the conversation stopped in, and that one only", () => {
    const svg = cardDeclined();
    expect(svg.match(/data-last="true"/g)).toHaveLength(1);
    expect(svg).toContain('data-state="escalate" data-passed="true" data-last="true"');
  });

  it("marks and labels the arrows taken, and only those", () => {
    const svg = cardDeclined();
    expect(svg).toContain('data-from="askScope" data-to="adviseCardholder" data-taken="true"');
    expect(svg).toContain(">ANSWER [isOption(one_card) or isDontKnow]</text>");
    expect(svg).not.toContain('data-from="askScope" data-to="suggestResign" data-taken');
    expect(svg.match(/data-taken="true"/g)).toHaveLength(PATH.length - 1);
  });

  it("draws nothing as passed without a path", () => {
    const svg = toSvg(walkFlow(FLOWS.card_declined.machine), words);
    expect(svg).not.toMatch(/data-passed|data-last|data-taken/);
  });

  it("is an image with an accessible name and description, its words escaped", () => {
    const svg = toSvg(walkFlow(FLOWS.card_declined.machine), {
      ...words,
      title: 'Map of <"card_declined"> & more',
      idPrefix: "map1",
    });
    expect(svg).toContain('role="img" aria-labelledby="map1-title map1-desc"');
    expect(svg).toContain(
      '<title id="map1-title">Map of &lt;&quot;card_declined&quot;&gt; &amp; more</title>',
    );
    expect(svg).toContain('<desc id="map1-desc">What it shows</desc>');
    expect(XMLValidator.validate(svg)).toBe(true);
  });
});
