/**
 * A small layered layout (after Sugiyama) for the flow maps drawn as SVG: arrows that go back up are
 * turned round, states go on layers by the longest path from the start, arrows across several layers get
 * waypoints of their own, the order within each layer is swept by barycentres keeping the one with the
 * fewest crossings, and boxes are pulled towards their neighbours. Enough for the dozen or so states of a
 * flow; no library, nothing in the browser.
 */

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends LayoutNode {
  /** The centre of the box. */
  x: number;
  y: number;
  layer: number;
}

export interface RoutedEdge extends LayoutEdge {
  /** From the source's border to the target's border, through the waypoints between. */
  points: Point[];
  /** The edge goes against the layering (to an earlier layer), or to its own source. */
  back: boolean;
  self: boolean;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: RoutedEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Where the layering starts (the flow's initial state). */
  start: string;
  layerGap?: number;
  nodeGap?: number;
  margin?: number;
}

interface Slot {
  id: string;
  width: number;
  real: boolean;
}

/** Depth-first from `start` (then from whatever is left, in order): the edges that close a cycle. */
function backEdges(ids: string[], edges: LayoutEdge[], start: string): Set<LayoutEdge> {
  const out = new Map<string, LayoutEdge[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (e.from !== e.to) out.get(e.from)?.push(e);
  const state = new Map<string, "open" | "done">();
  const back = new Set<LayoutEdge>();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const e of out.get(id) ?? []) {
      const s = state.get(e.to);
      if (s === "open") back.add(e);
      else if (s === undefined) visit(e.to);
    }
    state.set(id, "done");
  };
  for (const id of [start, ...ids]) if (!state.has(id)) visit(id);
  return back;
}

/** Longest path from the sources of the acyclic graph: every edge points down at least one layer. */
function layering(ids: string[], dag: [string, string][]): Map<string, number> {
  const layer = new Map(ids.map((id) => [id, 0]));
  const incoming = new Map(ids.map((id) => [id, 0]));
  for (const [, to] of dag) incoming.set(to, (incoming.get(to) ?? 0) + 1);
  const ready = ids.filter((id) => incoming.get(id) === 0);
  while (ready.length) {
    const id = ready.shift() as string;
    for (const [from, to] of dag) {
      if (from !== id) continue;
      layer.set(to, Math.max(layer.get(to) ?? 0, (layer.get(id) ?? 0) + 1));
      const left = (incoming.get(to) ?? 0) - 1;
      incoming.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  return layer;
}

function crossings(layers: Slot[][], segments: [string, string][]): number {
  const position = new Map<string, number>();
  for (const row of layers)
    row.forEach((slot, i) => {
      position.set(slot.id, i);
    });
  let count = 0;
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const [a1, b1] = segments[i] as [string, string];
      const [a2, b2] = segments[j] as [string, string];
      const da = (position.get(a1) ?? 0) - (position.get(a2) ?? 0);
      const db = (position.get(b1) ?? 0) - (position.get(b2) ?? 0);
      if (da * db < 0) count++;
    }
  }
  return count;
}

/** Reorders each layer by the mean position of its neighbours in the layer before (down) or after (up). */
function sweep(layers: Slot[][], segments: [string, string][], down: boolean): void {
  const range = down
    ? layers.map((_, i) => i).slice(1)
    : layers
        .map((_, i) => i)
        .reverse()
        .slice(1);
  for (const i of range) {
    const other = layers[down ? i - 1 : i + 1] ?? [];
    const index = new Map(other.map((slot, k) => [slot.id, k]));
    const row = layers[i] ?? [];
    const score = new Map<string, number>();
    row.forEach((slot, k) => {
      const near = segments
        .filter(([a, b]) => (down ? b === slot.id && index.has(a) : a === slot.id && index.has(b)))
        .map(([a, b]) => index.get(down ? a : b) as number);
      score.set(slot.id, near.length ? near.reduce((s, n) => s + n, 0) / near.length : k);
    });
    row.sort((p, q) => (score.get(p.id) ?? 0) - (score.get(q.id) ?? 0));
  }
}

export function layout(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions): Layout {
  const layerGap = options.layerGap ?? 56;
  const nodeGap = options.nodeGap ?? 44;
  const margin = options.margin ?? 16;
  const ids = nodes.map((n) => n.id);
  const back = backEdges(ids, edges, options.start);
  const dag: [string, string][] = [];
  for (const e of edges) {
    if (e.from === e.to) continue;
    const pair: [string, string] = back.has(e) ? [e.to, e.from] : [e.from, e.to];
    if (!dag.some(([a, b]) => a === pair[0] && b === pair[1])) dag.push(pair);
  }
  const layerOf = layering(ids, dag);

  // Each DAG edge becomes a chain of segments, one per layer crossed, with a waypoint on every layer between.
  const slots = new Map<string, Slot & { layer: number }>();
  for (const n of nodes)
    slots.set(n.id, { id: n.id, width: n.width, real: true, layer: layerOf.get(n.id) ?? 0 });
  const segments: [string, string][] = [];
  const chains = new Map<string, string[]>();
  for (const [from, to] of dag) {
    const chain = [from];
    for (let l = (layerOf.get(from) ?? 0) + 1; l < (layerOf.get(to) ?? 0); l++) {
      const id = `\u0000${from}\u0000${to}\u0000${l}`;
      slots.set(id, { id, width: 8, real: false, layer: l });
      chain.push(id);
    }
    chain.push(to);
    for (let k = 1; k < chain.length; k++) segments.push([chain[k - 1] as string, chain[k] as string]);
    chains.set(`${from}\u0000${to}`, chain);
  }

  const depth = Math.max(0, ...[...slots.values()].map((s) => s.layer)) + 1;
  let layers: Slot[][] = Array.from({ length: depth }, () => []);
  for (const slot of slots.values()) layers[slot.layer]?.push(slot);
  let best = layers.map((row) => [...row]);
  let fewest = crossings(layers, segments);
  for (let round = 0; round < 8 && fewest > 0; round++) {
    sweep(layers, segments, round % 2 === 0);
    const count = crossings(layers, segments);
    if (count < fewest) {
      fewest = count;
      best = layers.map((row) => [...row]);
    }
  }
  layers = best;

  // x: each layer packed left to right, then boxes pulled towards the mean x of their neighbours.
  const x = new Map<string, number>();
  const widthOf = (id: string) => slots.get(id)?.width ?? 0;
  const pack = (row: Slot[], wanted: (slot: Slot) => number) => {
    let right = Number.NEGATIVE_INFINITY;
    for (const slot of row) {
      const least = right + nodeGap + slot.width / 2;
      const at = Math.max(wanted(slot), least);
      x.set(slot.id, at);
      right = at + slot.width / 2;
    }
  };
  for (const row of layers) {
    let at = 0;
    for (const slot of row) {
      x.set(slot.id, at + slot.width / 2);
      at += slot.width + nodeGap;
    }
  }
  for (let round = 0; round < 4; round++) {
    const order = round % 2 === 0 ? layers.slice(1) : [...layers].reverse().slice(1);
    for (const row of order) {
      pack(row, (slot) => {
        const near = segments
          .filter(([a, b]) => a === slot.id || b === slot.id)
          .map(([a, b]) => (a === slot.id ? b : a))
          .filter((id) => slots.get(id)?.layer !== slots.get(slot.id)?.layer)
          .map((id) => x.get(id) ?? 0);
        return near.length ? near.reduce((s, n) => s + n, 0) / near.length : (x.get(slot.id) ?? 0);
      });
    }
  }
  const left = Math.min(...[...slots.keys()].map((id) => (x.get(id) ?? 0) - widthOf(id) / 2));
  for (const id of slots.keys()) x.set(id, (x.get(id) ?? 0) - left + margin + 40);

  const rowHeight = Math.max(...nodes.map((n) => n.height), 0);
  const yOf = (layer: number) => margin + 24 + layer * (rowHeight + layerGap) + rowHeight / 2;
  const placed = new Map<string, PlacedNode>();
  for (const n of nodes) {
    const layer = layerOf.get(n.id) ?? 0;
    placed.set(n.id, { ...n, layer, x: x.get(n.id) ?? 0, y: yOf(layer) });
  }

  const routed: RoutedEdge[] = edges.map((e) => {
    const a = placed.get(e.from) as PlacedNode;
    const b = placed.get(e.to) as PlacedNode;
    if (e.from === e.to) {
      const side = a.x + a.width / 2;
      return {
        ...e,
        back: false,
        self: true,
        points: [
          { x: side, y: a.y - 6 },
          { x: side, y: a.y + 6 },
        ],
      };
    }
    const isBack = back.has(e);
    const chain = chains.get(isBack ? `${e.to}\u0000${e.from}` : `${e.from}\u0000${e.to}`) ?? [];
    const through = chain
      .slice(1, -1)
      .map((id) => ({ x: x.get(id) ?? 0, y: yOf(slots.get(id)?.layer ?? 0) }));
    const down = b.layer > a.layer;
    const points = [
      { x: a.x, y: a.y + (down ? a.height / 2 : -a.height / 2) },
      ...(isBack ? through.reverse() : through),
      { x: b.x, y: b.y + (down ? -b.height / 2 : b.height / 2) },
    ];
    return { ...e, back: isBack, self: false, points };
  });
  spreadEnds(routed, placed);

  const width = Math.max(...[...slots.keys()].map((id) => (x.get(id) ?? 0) + widthOf(id) / 2)) + margin + 40;
  const height = yOf(depth - 1) + rowHeight / 2 + margin;
  return { nodes: placed, edges: routed, width, height };
}

/** Arrows leaving or reaching the same side of a box start and end apart, ordered by where they go. */
function spreadEnds(edges: RoutedEdge[], nodes: Map<string, PlacedNode>): void {
  const ends = new Map<string, { edge: RoutedEdge; first: boolean; toward: number }[]>();
  for (const edge of edges) {
    if (edge.self) continue;
    const first = edge.points[0] as Point;
    const last = edge.points.at(-1) as Point;
    const a = nodes.get(edge.from) as PlacedNode;
    const b = nodes.get(edge.to) as PlacedNode;
    const sideA = `${edge.from}\u0000${first.y > a.y ? "bottom" : "top"}`;
    const sideB = `${edge.to}\u0000${last.y > b.y ? "bottom" : "top"}`;
    const next = edge.points[1] as Point;
    const previous = edge.points.at(-2) as Point;
    ends.set(sideA, [...(ends.get(sideA) ?? []), { edge, first: true, toward: next.x }]);
    ends.set(sideB, [...(ends.get(sideB) ?? []), { edge, first: false, toward: previous.x }]);
  }
  for (const [key, list] of ends) {
    if (list.length < 2) continue;
    const node = nodes.get(key.split("\u0000")[0] as string) as PlacedNode;
    const span = node.width * 0.6;
    list.sort((p, q) => p.toward - q.toward);
    list.forEach((end, i) => {
      const point = (end.first ? end.edge.points[0] : end.edge.points.at(-1)) as Point;
      point.x = node.x - span / 2 + (span * i) / (list.length - 1);
    });
  }
}
