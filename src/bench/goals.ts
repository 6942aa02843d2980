/**
 * Every figure of the benchmark as a measure against a reference taken in the same run (absolute speed
 * varies 2–3× between machines of the same kind; ratios measured in one run do not), and the goals of
 * issue 10, read on the ratio (or, for start-up, on the time net of the reference).
 */
import { ratio } from "./measure.js";

export interface Goal {
  /** What the goal is read on: value ÷ reference, value − reference, or the value itself. */
  on: "ratio" | "net" | "value";
  op: ">=" | "<=" | "<";
  bound: number;
}

export interface Measure {
  id: string;
  name: string;
  value: number;
  reference: number;
  /** What the reference is, exactly. */
  referenceName: string;
  unit: string;
  /** value ÷ reference (null when the reference is zero). */
  ratio: number | null;
  goal: Goal | null;
  /** Whether the goal is met; null without a goal (or without a ratio to read it on). */
  met: boolean | null;
  /**
   * The ratio in CPU time of the benchmark process (in-process measures only): read it beside `ratio` on a
   * busy machine, where other processes move wall-clock rates round to round.
   */
  cpuRatio?: number | null;
  note?: string;
}

export function goalMet(goal: Goal | null, value: number, reference: number): boolean | null {
  if (!goal) return null;
  const read =
    goal.on === "ratio" ? ratio(value, reference, 6) : goal.on === "net" ? value - reference : value;
  if (read === null || Number.isNaN(read)) return null;
  if (goal.op === ">=") return read >= goal.bound;
  if (goal.op === "<=") return read <= goal.bound;
  return read < goal.bound;
}

export function describeGoal(goal: Goal | null, unit: string): string {
  if (!goal) return "";
  const op = { ">=": "≥", "<=": "≤", "<": "<" }[goal.op];
  if (goal.on === "ratio") return `ratio ${op} ${goal.bound}`;
  if (goal.on === "net") return `net ${op} ${goal.bound} ${unit}`;
  return goal.bound === 0 && goal.op === "<=" ? "zero" : `${op} ${goal.bound} ${unit}`;
}

export function measure(
  fields: Omit<Measure, "ratio" | "met" | "goal"> & { goal?: Goal | null },
  digits = 2,
): Measure {
  const goal = fields.goal ?? null;
  return {
    ...fields,
    goal,
    ratio: ratio(fields.value, fields.reference, digits),
    met: goalMet(goal, fields.value, fields.reference),
  };
}
