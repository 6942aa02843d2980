/**
 * A flow's map as an SVG drawn on the server from its walk (layout.ts places the boxes): states as boxes
 * named as in the machine, final states with a double border, arrows dashed where no answer is awaited
 * (`always`). The states a conversation passed through are filled, the one it stopped in outlined, and
 * the arrows between them carry their event and guards. No script, no stylesheet: it reads the same
 * inlined in the agent console or opened on its own.
 */
import { type Layout, layout, type Point, type RoutedEdge } from "./layout.js";
import { edgeLabel, edgesOf, type FlowGraph, type MapEdge } from "./walk.js";

export interface SvgOptions {
  /** The states passed through, in order (repeats allowed); the last is where the conversation stopped. */
  statePath?: readonly string[];
  /** The accessible name of the picture (its `<title>`). */
  title: string;
  /** What the picture shows, for those who cannot see it (its `<desc>`). */
  description: string;
  /** The legend's words; no legend without them. */
  legend?: { passed: string; last: string };
  /** Prefix of the ids inside the SVG (markers, title), unique on the page. */
  idPrefix?: string;
}

const COLOURS = {
  ink: "#1d2733",
  line: "#8a96a3",
  box: "#ffffff",
  boxLine: "#6b7785",
  passed: "#0b5cad",
  passedInk: "#ffffff",
  last: "#b35900",
};

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
const BOX_HEIGHT = 30;

export const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);

/** Roughly how wide `text` is at `size` px in a sans-serif font (no font metrics on the server). */
function textWidth(text: string, size: number): number {
  let units = 0;
  for (const ch of text)
    units += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 1 : /[A-Z]/.test(ch) ? 0.68 : 0.56;
  return units * size;
}

const f = (n: number) => Math.round(n * 10) / 10;

/** A smooth path through the points, leaving and reaching each one vertically. */
function pathThrough(points: Point[]): string {
  const [first, ...rest] = points as [Point, ...Point[]];
  let d = `M${f(first.x)},${f(first.y)}`;
  let previous = first;
  for (const p of rest) {
    const mid = (previous.y + p.y) / 2;
    d += ` C${f(previous.x)},${f(mid)} ${f(p.x)},${f(mid)} ${f(p.x)},${f(p.y)}`;
    previous = p;
  }
  return d;
}

function selfLoop(edge: RoutedEdge): string {
  const [top, bottom] = edge.points as [Point, Point];
  return `M${f(top.x)},${f(top.y)} C${f(top.x + 34)},${f(top.y - 14)} ${f(bottom.x + 34)},${f(bottom.y + 14)} ${f(bottom.x)},${f(bottom.y)}`;
}

/** Where on the arrow its label goes: the middle of its middle segment, or beside a loop. */
function labelAt(edge: RoutedEdge): Point {
  if (edge.self) {
    const [top, bottom] = edge.points as [Point, Point];
    return { x: top.x + 30, y: (top.y + bottom.y) / 2 };
  }
  const i = Math.floor((edge.points.length - 1) / 2);
  const a = edge.points[i] as Point;
  const b = edge.points[i + 1] as Point;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** The consecutive pairs of the path: the arrows it took. */
function stepsOf(path: readonly string[]): Set<string> {
  const taken = new Set<string>();
  for (let i = 1; i < path.length; i++) taken.add(`${path[i - 1]}\u0000${path[i]}`);
  return taken;
}

function drawEdge(edge: MapEdge, routed: RoutedEdge, taken: boolean, marker: string): string {
  const label = edgeLabel(edge);
  const colour = taken ? COLOURS.passed : COLOURS.line;
  const dash = edge.event === null ? ' stroke-dasharray="5 4"' : "";
  const d = routed.self ? selfLoop(routed) : pathThrough(routed.points);
  const parts = [
    `<g data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}"${taken ? ' data-taken="true"' : ""}>`,
    label ? `<title>${escapeXml(label)}</title>` : "",
    `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${taken ? 2.4 : 1.2}"${dash} marker-end="url(#${marker}-${taken ? "taken" : "plain"})"/>`,
  ];
  if (taken && label) {
    const at = labelAt(routed);
    const anchor = routed.self ? "start" : "middle";
    parts.push(
      `<text x="${f(at.x)}" y="${f(at.y + 3)}" text-anchor="${anchor}" font-size="10" ${FONT} fill="${COLOURS.passed}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text>`,
    );
  }
  parts.push("</g>");
  return parts.join("");
}

function drawState(
  graph: FlowGraph,
  id: string,
  placed: Layout["nodes"],
  passed: Map<string, number>,
  last: string | undefined,
): string {
  const state = graph.states.find((s) => s.id === id);
  const node = placed.get(id);
  if (!state || !node) return "";
  const order = passed.get(id);
  const isPassed = order !== undefined;
  const isLast = id === last;
  const x = node.x - node.width / 2;
  const y = node.y - node.height / 2;
  const fill = isPassed ? COLOURS.passed : COLOURS.box;
  const stroke = isLast ? COLOURS.last : isPassed ? COLOURS.passed : COLOURS.boxLine;
  const width = isLast ? 3 : 1.2;
  const parts = [
    `<g data-state="${escapeXml(id)}"${isPassed ? ' data-passed="true"' : ""}${isLast ? ' data-last="true"' : ""}>`,
    `<rect x="${f(x)}" y="${f(y)}" width="${f(node.width)}" height="${node.height}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${width}"/>`,
  ];
  if (state.kind === "final")
    parts.push(
      `<rect x="${f(x + 3)}" y="${f(y + 3)}" width="${f(node.width - 6)}" height="${node.height - 6}" rx="6" fill="none" stroke="${isPassed ? COLOURS.passedInk : COLOURS.boxLine}" stroke-width="1"/>`,
    );
  parts.push(
    `<text x="${f(node.x)}" y="${f(node.y + 4)}" text-anchor="middle" font-size="12" ${FONT} fill="${isPassed ? COLOURS.passedInk : COLOURS.ink}">${escapeXml(state.name)}</text>`,
  );
  if (isPassed)
    parts.push(
      `<circle cx="${f(x)}" cy="${f(y)}" r="9" fill="#ffffff" stroke="${COLOURS.passed}"/>`,
      `<text x="${f(x)}" y="${f(y + 3.5)}" text-anchor="middle" font-size="10" ${FONT} fill="${COLOURS.passed}">${order}</text>`,
    );
  parts.push("</g>");
  return parts.join("");
}

function legend(words: { passed: string; last: string }, y: number): string {
  const swatch = (x: number, stroke: string, strokeWidth: number, text: string) =>
    `<rect x="${x}" y="${y}" width="18" height="12" rx="3" fill="${COLOURS.passed}" stroke="${stroke}" stroke-width="${strokeWidth}"/>` +
    `<text x="${x + 24}" y="${y + 10}" font-size="11" ${FONT} fill="${COLOURS.ink}">${escapeXml(text)}</text>`;
  const second = 16 + 24 + textWidth(words.passed, 11) + 20;
  return `<g>${swatch(16, COLOURS.passed, 1, words.passed)}${swatch(second, COLOURS.last, 3, words.last)}</g>`;
}

/** The SVG of `graph`, with `statePath` highlighted. */
export function toSvg(graph: FlowGraph, options: SvgOptions): string {
  const prefix = options.idPrefix ?? `flowmap-${graph.id}`;
  const edges = edgesOf(graph);
  const nodes = graph.states.map((s) => ({
    id: s.id,
    width: Math.max(84, Math.ceil(textWidth(s.name, 12)) + 28),
    height: BOX_HEIGHT,
  }));
  const placed = layout(nodes, edges, { start: graph.initial });
  const path = options.statePath ?? [];
  // Each state is numbered by when it was first passed through.
  const passed = new Map<string, number>();
  for (const id of path) if (!passed.has(id)) passed.set(id, passed.size + 1);
  const taken = stepsOf(path);
  const last = path.at(-1);

  const legendHeight = options.legend ? 28 : 0;
  const width = Math.ceil(placed.width);
  const height = Math.ceil(placed.height) + legendHeight;
  const start = placed.nodes.get(graph.initial);
  const markers = (["plain", "taken"] as const)
    .map(
      (kind) =>
        `<marker id="${prefix}-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${kind === "taken" ? COLOURS.passed : COLOURS.line}"/></marker>`,
    )
    .join("");
  const body = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${prefix}-title ${prefix}-desc" data-flow="${escapeXml(graph.id)}">`,
    `<title id="${prefix}-title">${escapeXml(options.title)}</title>`,
    `<desc id="${prefix}-desc">${escapeXml(options.description)}</desc>`,
    `<defs>${markers}</defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (start) {
    const top = start.y - start.height / 2;
    body.push(
      `<circle cx="${f(start.x)}" cy="${f(top - 24)}" r="6" fill="${COLOURS.ink}"/>`,
      `<path d="M${f(start.x)},${f(top - 18)} L${f(start.x)},${f(top)}" stroke="${COLOURS.ink}" stroke-width="1.2" marker-end="url(#${prefix}-plain)"/>`,
    );
  }
  edges.forEach((edge, i) => {
    const routed = placed.edges[i];
    if (routed) body.push(drawEdge(edge, routed, taken.has(`${edge.from}\u0000${edge.to}`), prefix));
  });
  for (const state of graph.states) body.push(drawState(graph, state.id, placed.nodes, passed, last));
  if (options.legend) body.push(legend(options.legend, Math.ceil(placed.height) + 6));
  body.push("</svg>");
  return body.join("");
}
