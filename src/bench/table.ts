/** The benchmark report as text: the measures against their references and goals, then the details. */
import { describeGoal, type Measure } from "./goals.js";
import { formatSummary } from "./profile.js";
import type { Report } from "./report.js";

const n = (value: number | null | undefined, digits = 0): string =>
  value === undefined || value === null || Number.isNaN(value)
    ? "-"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Digits shown for a value in `unit`: milliseconds and megabytes with decimals, a ratio (×) to the hundredth. */
function digitsFor(value: number, unit: string): number {
  if (unit === "ms") return value < 10 ? 3 : 1;
  if (unit === "MB") return 1;
  if (unit === "µs") return value < 10 ? 1 : 0;
  return unit === "×" ? 2 : 0;
}

function withUnit(value: number, unit: string): string {
  const text = n(value, digitsFor(value, unit));
  if (unit === "") return text;
  return unit === "×" ? `${text}×` : `${text} ${unit}`;
}

function columns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd(),
  );
}

const times = (value: number | null): string => (value === null ? "-" : `${n(value, value < 1 ? 3 : 2)}x`);

export function measuresTable(measures: readonly Measure[]): string[] {
  return columns([
    ["measure", "value", "reference", "ratio", "cpu ratio", "goal", "met"],
    ...measures.map((m) => [
      m.name,
      withUnit(m.value, m.unit),
      withUnit(m.reference, m.unit),
      times(m.ratio),
      m.cpuRatio === undefined ? "" : times(m.cpuRatio),
      describeGoal(m.goal, m.unit),
      `${m.met === null ? "" : m.met ? "met" : "MISSED"}${m.note ? `  (${m.note})` : ""}`,
    ]),
  ]);
}

function details(report: Report): [string, string][] {
  const rows: [string, string][] = [];
  const c = report.classification;
  if (c)
    rows.push([`classifications/s rounds, posdesk (${c.messages} messages)`, c.posdesk.rounds.join(", ")]);
  if (c?.peer) rows.push([`classifications/s rounds, ${c.peer.name}`, c.peer.rounds.join(", ")]);
  const t = report.turns;
  if (t) {
    rows.push([
      "persisted turns/s rounds, posdesk / floor / one-row floor / posdesk in memory",
      `${t.rounds.join(", ")} / ${t.floor.rounds.join(", ")} / ${t.rowFloor.rounds.join(", ")} / ${t.inMemory.rounds.join(", ")}`,
    ]);
    rows.push([
      `persisted turns/s rounds, posdesk ${t.atOnce.conversations} conversations at once (turns per commit)`,
      `${t.atOnce.rounds.join(", ")} (${n(t.atOnce.turnsPerCommit, 1)})`,
    ]);
    rows.push([
      "turn latency p50 / p99 / max, in process",
      `${n(t.p50Ms, 2)} / ${n(t.p99Ms, 2)} / ${n(t.maxMs, 1)} ms`,
    ]);
  }
  const pace = report.pace;
  if (pace) {
    rows.push(["main-thread µs per turn rounds, back to back", pace.hotRounds.join(", ")]);
    for (const rate of pace.rates)
      rows.push([
        `main-thread µs per turn rounds, ${n(rate.perSecond)} turns/s (turns, turns per commit)`,
        `${rate.rounds.join(", ")}  (${n(rate.turns)}, ${n(rate.turnsPerCommit, 2)})`,
      ]);
    rows.push(["storage floor µs per turn rounds, back to back", pace.floorHotRounds.join(", ")]);
    for (const rate of pace.rates)
      rows.push([
        `storage floor µs per turn rounds, ${n(rate.perSecond)} turns/s`,
        rate.floor.rounds.join(", "),
      ]);
    rows.push([
      "the paced rounds' millisecond timer alone, taken out",
      `${n(pace.timerUsPerSecond)} µs per second`,
    ]);
  }
  const l = report.length;
  if (l)
    rows.push([
      `conversation length: ${l.conversations} conversations of ${l.turnsEach} turns`,
      `median ${n(l.early.medianMs, 3)} ms (turns ${l.early.fromTurn}–${l.early.toTurn}) / ${n(l.late.medianMs, 3)} ms (turns ${l.late.fromTurn}–${l.late.toTurn})`,
    ]);
  const r = report.rows;
  if (r) {
    rows.push([
      `seeded file: ${n(r.rows)} conversations`,
      `${n(r.fileMb, 1)} MB in ${n(r.seedMs / 1000, 1)} s`,
    ]);
    for (const [label, cost] of [
      ["1 stored conversation", r.small],
      [`${n(r.rows)} stored conversations`, r.big],
    ] as const)
      rows.push([
        `turns/s, p50 / p99, ${label}`,
        `${n(cost.perSecond)}  ${n(cost.p50Ms, 3)} / ${n(cost.p99Ms, 3)} ms  (rounds ${cost.rounds.join(", ")})`,
      ]);
  }
  for (const s of report.storage?.conversations ?? [])
    rows.push([
      `bytes per conversation (rows / file): ${s.name}, ${s.turns} turns`,
      `${n(s.rowBytes)} / ${n(s.fileBytes)}`,
    ]);
  const st = report.startup;
  if (st) {
    rows.push([
      "start-up, cold (model trained from intents/), net of node",
      `${n(st.coldNetMs)} ms (${n(st.coldMs)} total)`,
    ]);
    rows.push(["start-up, cached model, net of node", `${n(st.cachedNetMs)} ms (${n(st.cachedMs)} total)`]);
  }
  const load = report.load;
  if (load) {
    rows.push(["server ready (spawn to /healthz, cached model)", `${n(load.serverReadyMs)} ms`]);
    const s = load.saturated;
    rows.push([`HTTP closed loop, ${s.connections} connections: turns/s`, n(s.turnsPerSecond)]);
    rows.push([
      `HTTP closed loop: p50 / p99 / max`,
      `${n(s.p50Ms, 1)} / ${n(s.p99Ms, 1)} / ${n(s.maxMs, 1)} ms`,
    ]);
    if (s.errors + s.timeouts + s.non2xx > 0)
      rows.push([
        "HTTP closed loop: errors / timeouts / non-2xx",
        `${s.errors} / ${s.timeouts} / ${s.non2xx}`,
      ]);
    for (const [who, p] of [
      ["posdesk", load.paced],
      ["trivial", load.reference],
    ] as const) {
      if (!p) continue;
      const all = load.rounds[who];
      rows.push([
        `HTTP paced, ${who}, each round (in order): later / first turns p99, load`,
        all.map((r) => `${n(r.later.p99Ms, 1)} / ${n(r.first.p99Ms, 1)} ms (${r.loadAverage})`).join(", "),
      ]);
      rows.push([
        `HTTP paced, ${who}, each round (in order): server CPU per answered turn (answered turns)`,
        all.map((r, i) => `${n(load.cpu[who][i], 3)} ms (${n(r.answered)})`).join(", "),
      ]);
      rows.push([
        `HTTP paced, ${who}, each round (in order): young-generation / full collections (count, pause)`,
        load.gc[who]
          .map((g) =>
            g
              ? `${n(g.minor.count)} / ${n(g.minor.ms, 1)} ms, ${n(g.major.count)} / ${n(g.major.ms, 1)} ms`
              : "unknown",
          )
          .join("; "),
      ]);
      const how = `HTTP paced, ${who}, median round (${p.conversations} conversations × ${p.turnsPerConversation} turns, think ${p.thinkMs} ms, load ${p.loadAverage})`;
      const kinds = Object.entries(p.errorKinds ?? {}).map(([kind, count]) => `${kind} ${count}`);
      rows.push([
        `${how}: turns/s`,
        `${n(p.turnsPerSecond)}  (errors ${p.errors}${kinds.length ? `: ${kinds.join(", ")}` : ""}, non-2xx ${p.non2xx})`,
      ]);
      for (const kind of ["first", "later"] as const) {
        const k = p[kind];
        rows.push([
          `${how}: ${kind} turns p50 / p99 / max`,
          `${n(k.p50Ms, 1)} / ${n(k.p99Ms, 1)} / ${n(k.maxMs, 1)} ms  (${n(k.turns)} turns)`,
        ]);
      }
    }
  }
  const m = report.memory;
  if (m)
    rows.push([
      `server memory, ${n(m.conversations)} idle conversations: bytes each (heap / RSS / external)`,
      `${n(m.perConversation.heapUsed)} / ${n(m.perConversation.rss)} / ${n(m.perConversation.external)}`,
    ]);
  return rows;
}

export function table(report: Report): string {
  const m = report.machine;
  const busy = m.loadAverage > 0.5 ? " — busy machine: other work shares the cores" : "";
  const lines = [
    `posdesk benchmarks — ${m.cpus} cores (${m.model}), Node ${m.node}, ${report.at}`,
    `load average ${m.loadAverage} at start, ${m.loadAverageEnd ?? "-"} at end${busy}`,
    "",
    ...measuresTable(report.measures),
    "",
    "references:",
    ...report.measures.map((x) => `  ${x.id}: ${x.referenceName}`),
    "",
    "details:",
    ...columns(details(report).map(([k, v]) => [`  ${k}`, v])),
  ];
  const p = report.profiles;
  if (p?.classify)
    lines.push(
      "",
      formatSummary(
        p.classify.summary,
        `classification profile ${p.classify.file} (${p.classify.messages} messages)`,
      ),
    );
  if (p?.turns)
    lines.push(
      "",
      formatSummary(
        p.turns.summary,
        `turns profile ${p.turns.file} (${p.turns.turns} turns, ${p.turns.busy} conversations cut short by SQLITE_BUSY under the profiler)`,
      ),
    );
  if (p?.server) lines.push("", formatSummary(p.server.summary, `server profile ${p.server.file}`));
  return lines.join("\n");
}
