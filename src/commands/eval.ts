/**
 * `posdesk eval [--json] [--folds K] [--peer] [--calibrate]`: how well posdesk understands merchants.
 * Stratified k-fold cross-validation over the training phrases, then the model trained on all of them against
 * the held-out test file and out-of-domain set, with calibration; with --peer, NLP.js trained on the same
 * phrases, side by side; with --calibrate, the thresholds derived from the held-out sets are written to
 * `intents/thresholds.json` first and measured at. Tables by default; --json writes one JSON object.
 */
import { parseArgs } from "node:util";
import { INTENTS, type IntentId } from "../domain/intents.js";
import {
  crossValidate,
  type Metrics,
  metrics,
  oodExamples,
  type Prediction,
  posdeskAt,
  predictAll,
  SEED,
  type Train,
  throughput,
} from "../nlu/evaluate.js";
import { RULES } from "../nlu/threshold-rules.js";
import { THRESHOLDS_FILE, type Thresholds, thresholds } from "../nlu/thresholds.js";
import {
  type LabelledExample,
  loadOodSet,
  loadTestSet,
  loadTrainingSet,
  uniquePhrases,
} from "../nlu/training.js";
import { runDialogues } from "./dialogues.js";
import {
  type CalibrationReport,
  calibrate,
  calibrationReport,
  calibrationTable,
  type HeldOut,
  type OodReport,
  oodReport,
  oodTables,
} from "./eval-ood.js";
import { UsageError } from "./usage.js";

const USAGE = `usage: posdesk eval [--json] [--folds K] [--peer] [--calibrate]
       posdesk eval --dialogues [--json] [--stories DIR]`;
const DEFAULT_FOLDS = 5;

interface Report {
  accuracy: number;
  macroF1: number;
  correct: number;
  total: number;
  perIntent: { intent: IntentId; precision: number; recall: number; f1: number; support: number }[];
  confusion: { labels: IntentId[]; rows: number[][] };
  misclassified: { text: string; expected: IntentId; got: IntentId; confidence: number }[];
  calibration: CalibrationReport;
}

interface SystemReport {
  name: string;
  /** Training on every phrase, once. */
  trainingMilliseconds: number;
  /** Test-file messages classified per second, after a warm-up. */
  messagesPerSecond: number;
  crossValidation: Report;
  test: Report;
  /** The held-out messages outside POS support. */
  ood: OodReport;
}

export async function runEval(args: string[]): Promise<void> {
  // Conversation stories instead of the classifier: their own options, their own report.
  if (args.includes("--dialogues")) return runDialogues(args.filter((a) => a !== "--dialogues"));
  const options = parseOptions(args);
  // Both systems learn from exactly these phrases: each distinct phrase once.
  const phrases = uniquePhrases(loadTrainingSet().examples);
  const sets: HeldOut = { test: loadTestSet(), ood: loadOodSet() };

  const used = options.calibrate ? await calibrate(phrases, sets) : thresholds;
  const posdesk = await measure("posdesk", posdeskAt(used.minConfidence), phrases, sets, options.folds);
  let peer: SystemReport | undefined;
  if (options.peer) {
    const { peerName, trainPeer } = await import("../nlu/peer.js");
    const train: Train = async (examples) => (await trainPeer(examples)).predict;
    peer = await measure(peerName(), train, phrases, sets, options.folds);
  }

  const result: Result = {
    folds: options.folds,
    seed: SEED,
    trainingPhrases: phrases.length,
    testMessages: sets.test.length,
    oodMessages: sets.ood.length,
    thresholds: used,
    ...(options.calibrate ? { calibrated: { file: THRESHOLDS_FILE, rules: RULES } } : {}),
    posdesk,
    ...(peer
      ? {
          peer,
          ratios: {
            accuracy: round(posdesk.test.accuracy / peer.test.accuracy),
            macroF1: round(posdesk.test.macroF1 / peer.test.macroF1),
            speed: round(posdesk.messagesPerSecond / peer.messagesPerSecond),
          },
        }
      : {}),
  };
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${tables(result)}\n`);
}

function parseOptions(args: string[]): { json: boolean; folds: number; peer: boolean; calibrate: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: {
        json: { type: "boolean" },
        folds: { type: "string" },
        peer: { type: "boolean" },
        calibrate: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const folds = values.folds === undefined ? DEFAULT_FOLDS : Number(values.folds);
    if (!Number.isInteger(folds) || folds < 2 || folds > 50)
      throw new UsageError(`--folds must be a whole number from 2 to 50, not ${values.folds}`);
    return {
      json: values.json === true,
      folds,
      peer: values.peer === true,
      calibrate: values.calibrate === true,
    };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

/**
 * Cross-validation, then the model trained on every phrase against the test file and the out-of-domain set,
 * then its speed.
 */
async function measure(
  name: string,
  train: Train,
  phrases: LabelledExample[],
  sets: HeldOut,
  folds: number,
): Promise<SystemReport> {
  const crossValidation = report(await crossValidate(train, phrases, folds));
  const start = performance.now();
  const predict = await train(phrases);
  const trainingMilliseconds = Math.round(performance.now() - start);
  const test = report(await predictAll(predict, sets.test));
  const ood = oodReport(await predictAll(predict, oodExamples(sets.ood)), sets.ood);
  const messagesPerSecond = Math.round(await throughput(predict, sets.test));
  return { name, trainingMilliseconds, messagesPerSecond, crossValidation, test, ood };
}

function report(predictions: Prediction[]): Report {
  const m: Metrics = metrics(predictions, INTENTS);
  return {
    accuracy: round(m.accuracy),
    macroF1: round(m.macroF1),
    correct: m.correct,
    total: m.total,
    perIntent: m.perLabel.map(({ label, precision, recall, f1, support }) => ({
      intent: label,
      precision: round(precision),
      recall: round(recall),
      f1: round(f1),
      support,
    })),
    confusion: { labels: m.labels, rows: m.confusion },
    misclassified: predictions
      .filter((p) => p.expected !== p.predicted)
      .map((p) => ({
        text: p.text,
        expected: p.expected,
        got: p.predicted,
        confidence: round(p.confidence),
      })),
    calibration: calibrationReport(predictions),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

// ---- human-readable tables ----

interface Result {
  folds: number;
  seed: number;
  trainingPhrases: number;
  testMessages: number;
  oodMessages: number;
  /** The thresholds posdesk was measured at. */
  thresholds: Thresholds;
  /** With --calibrate: the file the derived thresholds were written to, and the rule behind each. */
  calibrated?: { file: string; rules: Record<keyof Thresholds, string> };
  posdesk: SystemReport;
  peer?: SystemReport;
  /** posdesk / peer, on the test file. */
  ratios?: { accuracy: number; macroF1: number; speed: number };
}

const MAX_CV_ERRORS = 40;

function tables(r: Result): string {
  const p = r.posdesk;
  const q = r.peer;
  const none = (report: Report) => report.perIntent.find((s) => s.intent === "none")?.precision ?? 0;
  const noneRecall = (report: Report) => report.perIntent.find((s) => s.intent === "none")?.recall ?? 0;
  const w = [24, 14, 18, 16];
  const line = (label: string, value: (s: SystemReport) => string, ratio = "") =>
    row([label, value(p), ...(q ? [value(q), ratio] : [])], w);
  const out: string[] = [
    `posdesk eval: ${r.folds}-fold cross-validation over ${r.trainingPhrases} distinct training phrases (seed ${r.seed}), then the test file (${r.testMessages} messages) and the out-of-domain set (${r.oodMessages})`,
    `thresholds${r.calibrated ? ` (derived now, written to ${r.calibrated.file})` : ""}: ${Object.entries(
      r.thresholds,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    ...(q
      ? [`${q.name} is trained on the same phrases and told each message's language; posdesk is not`]
      : []),
    "",
    row(["", "posdesk", ...(q ? [q.name, "posdesk/peer"] : [])], w),
    line("test accuracy", (s) => fixed(s.test.accuracy), r.ratios && fixed(r.ratios.accuracy, 2)),
    line("test macro-F1", (s) => fixed(s.test.macroF1), r.ratios && fixed(r.ratios.macroF1, 2)),
    line("test none precision", (s) => fixed(none(s.test))),
    line("test none recall", (s) => fixed(noneRecall(s.test))),
    line("OOD none rate zh-CN", (s) => fixed(s.ood.noneRate["zh-CN"])),
    line("OOD none rate en", (s) => fixed(s.ood.noneRate.en)),
    line("OOD small talk right", (s) => fixed(s.ood.smallTalk.accuracy)),
    line("test ECE", (s) => fixed(s.test.calibration.ece)),
    line("OOD ECE", (s) => fixed(s.ood.calibration.ece)),
    line("CV ECE", (s) => fixed(s.crossValidation.calibration.ece)),
    line("CV accuracy", (s) => fixed(s.crossValidation.accuracy)),
    line("CV macro-F1", (s) => fixed(s.crossValidation.macroF1)),
    line("CV none precision", (s) => fixed(none(s.crossValidation))),
    line("messages/s (1 thread)", (s) => `${s.messagesPerSecond}`, r.ratios && fixed(r.ratios.speed, 2)),
    line("training (ms)", (s) => `${s.trainingMilliseconds}`),
    "",
  ];
  const peerF1 = new Map(q?.test.perIntent.map((s) => [s.intent, s.f1]));
  const cw = [18, 7, 7, 7, 5, 4, 7, 7, 7, 6, 9];
  out.push(
    "per intent, posdesk",
    row(["", "test P", "R", "F1", "n", "", "CV P", "R", "F1", "n", ...(q ? ["peer F1"] : [])], cw),
  );
  p.test.perIntent.forEach((t, i) => {
    const c = p.crossValidation.perIntent[i];
    const cells = [t.intent, fixed(t.precision), fixed(t.recall), fixed(t.f1), `${t.support}`, ""];
    cells.push(fixed(c?.precision ?? 0), fixed(c?.recall ?? 0), fixed(c?.f1 ?? 0), `${c?.support ?? 0}`);
    if (q) cells.push(fixed(peerF1.get(t.intent) ?? 0));
    out.push(row(cells, cw));
  });
  out.push(
    "",
    "calibration, posdesk: how often the best guess is right, by its confidence (before a guess too unsure becomes none)",
    ...calibrationTable([
      { name: "test", calibration: p.test.calibration },
      { name: "OOD", calibration: p.ood.calibration },
      { name: "CV", calibration: p.crossValidation.calibration },
    ]),
  );
  if (r.calibrated) {
    out.push("", "how each threshold was derived, on the test file and the out-of-domain set");
    for (const [name, rule] of Object.entries(r.calibrated.rules)) out.push(`  ${name}: ${rule}`);
  }
  out.push("", "out-of-domain set, posdesk, by category", ...oodTables(p.ood));
  out.push("", "confusion matrix, posdesk on the test file (rows: expected, columns: predicted)");
  out.push(...confusion(p.test), "", "misclassified by posdesk, test file", ...errors(p.test.misclassified));
  const cvErrors = p.crossValidation.misclassified;
  out.push("", "misclassified by posdesk, cross-validation", ...errors(cvErrors.slice(0, MAX_CV_ERRORS)));
  if (cvErrors.length > MAX_CV_ERRORS)
    out.push(`  … ${cvErrors.length - MAX_CV_ERRORS} more (--json has all)`);
  return out.join("\n");
}

function confusion(report: Report): string[] {
  const { labels, rows } = report.confusion;
  const head = row(["", ...labels.map((_, i) => `${i + 1}`)], [22, ...labels.map(() => 4)]);
  return [
    head,
    ...rows.map((cells, i) =>
      row(
        [`${i + 1} ${labels[i]}`, ...cells.map((n, j) => (n === 0 ? "." : i === j ? `${n}` : `${n}*`))],
        [22, ...labels.map(() => 4)],
      ),
    ),
  ];
}

function errors(list: Report["misclassified"]): string[] {
  if (list.length === 0) return ["  (none)"];
  return list.map((e) => `  ${e.expected} → ${e.got} (${fixed(e.confidence, 2)})  ${e.text}`);
}

function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 8) : cell.padStart(widths[i] ?? 8)))
    .join("")
    .trimEnd();
}

function fixed(value: number, digits = 3): string {
  return value.toFixed(digits);
}
