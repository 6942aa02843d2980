/**
 * A report as CSV for a spreadsheet: one section per table, each a line `# <table>`, a header row and its
 * rows, sections separated by an empty line. Fields are quoted (RFC 4180) when they hold a comma, a quote
 * or a line break.
 */
import type { AnalyticsReport } from "./report.js";

type Cell = string | number | null;

function field(value: Cell): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function section(name: string, header: string[], rows: Cell[][]): string {
  return [`# ${name}`, header.map(field).join(","), ...rows.map((row) => row.map(field).join(","))].join(
    "\n",
  );
}

const entries = (record: Record<string, number>): Cell[][] => Object.entries(record);

/** The tables, in this order: summary, byIntent, handoffsByReason, handoffsByTopic, agentResolutions, byChannel,
 * byLocale, responseCodes, flows, funnel, busiestHours, timeline, csat, csatByAfter, csatByTopic. */
export function reportCsv(r: AnalyticsReport): string {
  const summary: Cell[][] = [
    ["from", r.from],
    ["to", r.to],
    ["tz", r.tz],
    ["conversations", r.conversations],
    ["resolvedByBot", r.resolvedByBot],
    ["handoffs", r.handoffs],
    ["containmentRate", r.containmentRate],
    ["conversationsHandedOff", r.conversationsHandedOff],
    ["opened", r.opened],
    ["csatCount", r.csat.count],
    ["csatAverage", r.csat.average],
    ["handoffsClosed", r.agentResolutions.closed],
    ["handoffsCorrected", r.agentResolutions.corrected],
  ];
  const sections = [
    section("summary", ["metric", "value"], summary),
    section("byIntent", ["intent", "conversations"], entries(r.byIntent)),
    section("handoffsByReason", ["reason", "handoffs"], entries(r.handoffsByReason)),
    section("handoffsByTopic", ["intent", "handoffs"], entries(r.handoffsByTopic)),
    section("agentResolutions", ["resolution", "handoffs"], entries(r.agentResolutions.byResolution)),
    section("byChannel", ["channel", "conversations"], entries(r.byChannel)),
    section("byLocale", ["locale", "conversations"], entries(r.byLocale)),
    section(
      "responseCodes",
      ["code", "class", "count"],
      Object.entries(r.responseCodes)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([code, n]) => [code, r.responseCodeClasses[code] ?? "", n]),
    ),
    section(
      "flows",
      ["flow", "started", "resolved", "escalated", "stopped", "left"],
      r.flows.map((f) => [f.flow, f.started, f.resolved, f.escalated, f.stopped, f.left]),
    ),
    section(
      "funnel",
      ["flow", "state", "reached", "stopped", "escalated"],
      r.flows.flatMap((f) => f.states.map((s) => [f.flow, s.state, s.reached, s.stopped, s.escalated])),
    ),
    section(
      "busiestHours",
      ["hour", "conversations", "handoffs"],
      r.busiestHours.map((h) => [h.hour, h.conversations, h.handoffs]),
    ),
    section(
      "timeline",
      ["start", "label", "conversations", "resolvedByBot", "handoffs"],
      r.timeline.points.map((p) => [p.start, p.label, p.conversations, p.resolvedByBot, p.handoffs]),
    ),
    section(
      "csat",
      ["score", "ratings"],
      Object.entries(r.csat.distribution).map(([score, n]) => [score, n]),
    ),
    section(
      "csatByAfter",
      ["after", "ratings", "average"],
      Object.entries(r.csat.byAfter).map(([after, v]) => [after, v.count, v.average]),
    ),
    section(
      "csatByTopic",
      ["topic", "ratings", "average"],
      Object.entries(r.csat.byTopic).map(([topic, v]) => [topic, v.count, v.average]),
    ),
  ];
  return `${sections.join("\n\n")}\n`;
}
