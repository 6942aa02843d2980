/**
 * The parts of `posdesk eval` about trust: how well the classifier's confidence matches how often it is right
 * (calibration), how it does on messages outside POS support (the out-of-domain set), and the thresholds
 * derived from both (--calibrate). Reports for --json and their tables.
 */
import { writeFileSync } from "node:fs";
import { Locale } from "../domain/intents.js";
import { type Bin, calibration } from "../nlu/calibration.js";
import { oodExamples, type Prediction, posdeskAt, predictAll } from "../nlu/evaluate.js";
import { deriveThresholds } from "../nlu/threshold-rules.js";
import { THRESHOLDS_FILE, type Thresholds } from "../nlu/thresholds.js";
import type { LabelledExample, OodExample } from "../nlu/training.js";

export interface CalibrationReport {
  /** Expected calibration error of the best guess (before a guess too unsure becomes none), 10 bins. */
  ece: number;
  /** Accuracy of the best guess by confidence band. */
  bins: Bin[];
}

export interface OodReport {
  total: number;
  /** Share of the messages outside POS support understood as none, per language. */
  noneRate: Record<Locale, number>;
  /** Small talk that must be greeting or goodbye ("how are you doing", "catch you later"). */
  smallTalk: { total: number; correct: number; accuracy: number };
  byCategory: { locale: Locale; category: string; total: number; right: number }[];
  misclassified: {
    text: string;
    locale: Locale;
    category: string;
    expected: string;
    got: string;
    confidence: number;
  }[];
  calibration: CalibrationReport;
}

export interface HeldOut {
  test: LabelledExample[];
  ood: OodExample[];
}

/**
 * Derives the thresholds from the model trained on every phrase, on the held-out messages (test file and
 * out-of-domain set), and writes them where the engine reads them.
 */
export async function calibrate(phrases: LabelledExample[], sets: HeldOut): Promise<Thresholds> {
  const predict = await posdeskAt()(phrases);
  const derived = deriveThresholds([
    await predictAll(predict, sets.test),
    await predictAll(predict, oodExamples(sets.ood)),
  ]);
  writeFileSync(THRESHOLDS_FILE, `${JSON.stringify(derived, null, 2)}\n`);
  return derived;
}

export function calibrationReport(predictions: readonly Prediction[]): CalibrationReport {
  const { ece, bins } = calibration(
    predictions.map((p) => {
      const best = p.candidates[0] ?? { intent: p.predicted, confidence: p.confidence };
      return { confidence: best.confidence, correct: best.intent === p.expected };
    }),
  );
  return {
    ece: round(ece),
    bins: bins.map((b) => ({ ...b, accuracy: round(b.accuracy), confidence: round(b.confidence) })),
  };
}

/** `predictions` are of `set`, in its order. */
export function oodReport(predictions: readonly Prediction[], set: readonly OodExample[]): OodReport {
  const rows = predictions.map((p, i) => ({ p, e: set[i] as OodExample }));
  const outside = rows.filter(({ e }) => e.intent === "none");
  const rate = (locale: Locale) => {
    const mine = outside.filter(({ e }) => e.locale === locale);
    return mine.length === 0 ? 0 : round(mine.filter(({ p }) => p.predicted === "none").length / mine.length);
  };
  const talk = rows.filter(({ e }) => e.intent !== "none");
  const talkRight = talk.filter(({ p }) => p.predicted === p.expected).length;
  const categories = new Map<string, OodReport["byCategory"][number]>();
  for (const { p, e } of rows) {
    const key = `${e.locale}\t${e.category}`;
    const entry = categories.get(key) ?? { locale: e.locale, category: e.category, total: 0, right: 0 };
    entry.total++;
    if (p.predicted === p.expected) entry.right++;
    categories.set(key, entry);
  }
  return {
    total: rows.length,
    noneRate: Object.fromEntries(Locale.options.map((l) => [l, rate(l)])) as Record<Locale, number>,
    smallTalk: {
      total: talk.length,
      correct: talkRight,
      accuracy: talk.length === 0 ? 0 : round(talkRight / talk.length),
    },
    byCategory: [...categories.values()],
    misclassified: rows
      .filter(({ p }) => p.predicted !== p.expected)
      .map(({ p, e }) => ({
        text: p.text,
        locale: e.locale,
        category: e.category,
        expected: p.expected,
        got: p.predicted,
        confidence: round(p.confidence),
      })),
    calibration: calibrationReport(predictions),
  };
}

/** Accuracy by confidence band, side by side for each set of predictions. */
export function calibrationTable(reports: { name: string; calibration: CalibrationReport }[]): string[] {
  const head = ["confidence", ...reports.flatMap((r) => [`${r.name} n`, "right", "mean conf"])];
  const widths = [12, ...reports.flatMap(() => [10, 7, 10])];
  const bins = reports[0]?.calibration.bins ?? [];
  return [
    row(head, widths),
    ...bins.map((bin, i) =>
      row(
        [
          `${bin.from.toFixed(1)}–${bin.to.toFixed(1)}`,
          ...reports.flatMap((r) => {
            const b = r.calibration.bins[i];
            return b && b.count > 0
              ? [`${b.count}`, b.accuracy.toFixed(2), b.confidence.toFixed(2)]
              : ["0", "", ""];
          }),
        ],
        widths,
      ),
    ),
    row(["ECE", ...reports.flatMap((r) => ["", "", r.calibration.ece.toFixed(3)])], widths),
  ];
}

export function oodTables(ood: OodReport): string[] {
  const widths = [28, 6, 7, 8];
  const out = [
    row(["category", "n", "right", "share"], widths),
    ...ood.byCategory.map((c) =>
      row([`${c.locale} ${c.category}`, `${c.total}`, `${c.right}`, (c.right / c.total).toFixed(3)], widths),
    ),
    "",
    "misclassified by posdesk, out-of-domain set",
  ];
  if (ood.misclassified.length === 0) return [...out, "  (none)"];
  return [
    ...out,
    ...ood.misclassified.map(
      (m) => `  ${m.locale} ${m.category}: ${m.expected} → ${m.got} (${m.confidence.toFixed(2)})  ${m.text}`,
    ),
  ];
}

function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 8) : cell.padStart(widths[i] ?? 8)))
    .join("")
    .trimEnd();
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
