/**
 * CPU profiles for the benchmarks: record one around a piece of work in this process (the inspector's
 * Profiler, the same sampler as `node --cpu-prof`), write it as a .cpuprofile (Chrome DevTools, speedscope),
 * and summarise any profile as the functions and files with the most self time — so the profile behind a
 * change can be quoted.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../paths.js";
import { round } from "./measure.js";

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

/** The .cpuprofile format (times in microseconds). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy time (everything but "(idle)"), in percent. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: SelfTime[];
  /** By file: posdesk's own files by path, packages by name, Node's internals by module. */
  places: SelfTime[];
}

/** Where a frame's code lives, short: `src/engine/engine.js`, `xstate`, `node:internal/http/server`. */
export function placeOf(frame: CallFrame, root = ROOT): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (!url.startsWith("file://")) return url;
  const path = fileURLToPath(url);
  const packages = path.lastIndexOf("/node_modules/");
  if (packages >= 0) {
    const [scope, name] = path.slice(packages + "/node_modules/".length).split("/");
    return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? path);
  }
  return relative(root, path).replace(/^dist\//, "");
}

function functionOf(frame: CallFrame, root: string): string {
  const place = placeOf(frame, root);
  if (!frame.url) return place === "(native)" ? `${frame.functionName || "(anonymous)"} (native)` : place;
  return `${frame.functionName || "(anonymous)"} ${place}:${frame.lineNumber + 1}`;
}

function top(times: Map<string, number>, busyMs: number, count: number): SelfTime[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, selfMs: round(ms, 1), percent: round((100 * ms) / busyMs, 1) }));
}

/** Self time per function and per file, from the samples (each lasting until the next one). */
export function summarizeProfile(
  profile: CpuProfile,
  options: { top?: number; root?: string } = {},
): ProfileSummary {
  const root = options.root ?? ROOT;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the gap before sample i: sample i lasts until sample i + 1, the last one until endTime.
  const lastUs = profile.endTime - profile.startTime - deltas.reduce((sum, d) => sum + d, 0);
  for (let i = 0; i < samples.length; i++) {
    const us = i + 1 < samples.length ? (deltas[i + 1] ?? 0) : Math.max(0, lastUs);
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const ms = us / 1000;
    totalMs += ms;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const fn = functionOf(frame, root);
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    const place = placeOf(frame, root);
    places.set(place, (places.get(place) ?? 0) + ms);
  }
  const busyMs = Math.max(totalMs - idleMs, Number.EPSILON);
  const count = options.top ?? 20;
  return {
    totalMs: round(totalMs, 1),
    idleMs: round(idleMs, 1),
    functions: top(functions, busyMs, count),
    places: top(places, busyMs, count),
  };
}

export function formatSummary(summary: ProfileSummary, title = "CPU profile"): string {
  const busy = summary.totalMs - summary.idleMs;
  const rows = (list: SelfTime[]) =>
    list.map(
      (t) => `  ${t.percent.toFixed(1).padStart(5)}%  ${t.selfMs.toFixed(1).padStart(9)} ms  ${t.name}`,
    );
  return [
    `${title}: ${busy.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms sampled (self time, % of busy)`,
    "top files / packages:",
    ...rows(summary.places),
    "top functions:",
    ...rows(summary.functions),
  ].join("\n");
}

/** Runs `work` under the inspector's CPU profiler (sampling every `intervalUs`). */
export async function profileWhile<T>(
  work: () => Promise<T>,
  intervalUs = 100,
): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    return { result, profile: profile as CpuProfile };
  } finally {
    session.disconnect();
  }
}

export function writeProfile(dir: string, name: string, profile: CpuProfile): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}
