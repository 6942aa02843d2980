/**
 * The `ocr` measure of `npm run bench`: the OCR set read through the same reader the server uses (the
 * worker thread, one picture at a time), each reading understood by the NLU as a turn would be. Reports the
 * code-read accuracy (the response code found equals the one drawn; a message without a code must give
 * none), how often such a message leads to its intent, the time per picture, and for scale the time sharp
 * takes merely to decode and resize the same pictures in the same run.
 */
import sharp from "sharp";
import { maskCardNumbers } from "../domain/redact.js";
import { PictureError } from "../engine/pictures.js";
import { type Nlu, understandPicture } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { OCR_LONG_SIDE } from "../vision/pipeline.js";
import { OcrPictureReader } from "../vision/reader.js";
import { mean, percentile, round } from "./measure.js";
import { type GeneratedSample, generateOcrSet } from "./ocr-set/index.js";

export interface OcrMiss {
  name: string;
  expected: string | null;
  read: string | null;
  text: string;
}

export interface OcrScore {
  images: number;
  /** Pictures whose response code was read right (null for a message without a code counts). */
  correct: number;
  accuracy: number;
  /** Messages without a code that led to their intent, of how many. */
  intents: { correct: number; of: number; misses: { name: string; expected: string; got: string }[] };
  misses: OcrMiss[];
  /** Wall time of each reading, in the order read. */
  readMs: number[];
}

export interface OcrResult extends Omit<OcrScore, "readMs"> {
  threads: number;
  longSide: number;
  modelLoadMs: number;
  perImageMs: { mean: number; p50: number; p90: number; max: number };
  imagesPerSecond: number;
  /** sharp decoding and resizing the same pictures to the same size, mean ms per picture. */
  decodeResizeMs: number;
  /** OCR time per picture over decode-and-resize time per picture. */
  ratio: number;
  megabytes: number;
}

/** Reads every sample and scores the codes and intents found. */
export async function scoreOcr(
  samples: GeneratedSample[],
  reader: OcrPictureReader,
  nlu: Nlu,
): Promise<OcrScore> {
  const misses: OcrMiss[] = [];
  const readMs: number[] = [];
  let correct = 0;
  const intents: OcrScore["intents"] = { correct: 0, of: 0, misses: [] };
  for (const sample of samples) {
    const started = performance.now();
    let text = "";
    try {
      text = (await reader.read({ bytes: sample.bytes, mime: sample.mime })).text;
    } catch (error) {
      if (!(error instanceof PictureError)) throw error;
    }
    readMs.push(performance.now() - started);
    const understood = understandPicture(nlu, text);
    const read = understood.entities.responseCode ?? null;
    if (read === sample.code) correct++;
    else misses.push({ name: sample.name, expected: sample.code, read, text: maskCardNumbers(text) });
    if (sample.intent) {
      intents.of++;
      if (understood.intent === sample.intent) intents.correct++;
      else intents.misses.push({ name: sample.name, expected: sample.intent, got: understood.intent });
    }
  }
  return {
    images: samples.length,
    correct,
    accuracy: samples.length ? correct / samples.length : 0,
    intents,
    misses,
    readMs,
  };
}

export async function benchOcr(
  options: { indices?: number[]; threads?: number; longSide?: number; progress?: (m: string) => void } = {},
): Promise<OcrResult> {
  options.progress?.("ocr: drawing and photographing the OCR set");
  const samples = await generateOcrSet(options.indices);
  const { nlu } = loadNlu();
  const reader = new OcrPictureReader({
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.longSide ? { longSide: options.longSide } : {}),
  });
  try {
    // The first picture loads the model in the worker: timed apart, not counted as a reading.
    const warm = performance.now();
    await reader.read({ bytes: samples[0]?.bytes ?? new Uint8Array() }).catch(() => undefined);
    const modelLoadMs = performance.now() - warm;
    options.progress?.(`ocr: reading ${samples.length} pictures`);
    const started = performance.now();
    const { readMs, ...score } = await scoreOcr(samples, reader, nlu);
    const seconds = (performance.now() - started) / 1000;
    const decodeResizeMs = await decodeAndResize(samples, options.longSide ?? OCR_LONG_SIDE);
    const perImage = mean(readMs);
    return {
      ...score,
      threads: Number(process.env.POSDESK_OCR_THREADS) || options.threads || 1,
      longSide: options.longSide ?? OCR_LONG_SIDE,
      modelLoadMs: round(modelLoadMs),
      perImageMs: {
        mean: round(perImage),
        p50: round(percentile(readMs, 50)),
        p90: round(percentile(readMs, 90)),
        max: round(Math.max(...readMs)),
      },
      imagesPerSecond: round(samples.length / seconds, 2),
      decodeResizeMs: round(decodeResizeMs, 1),
      ratio: round(perImage / decodeResizeMs, 1),
      megabytes: round(samples.reduce((n, s) => n + s.bytes.length, 0) / 2 ** 20, 1),
    };
  } finally {
    await reader.close();
  }
}

/** Mean ms for sharp to decode each picture and scale it as the reader does, on this thread. */
async function decodeAndResize(samples: GeneratedSample[], longSide: number): Promise<number> {
  const times: number[] = [];
  for (const sample of samples) {
    const started = performance.now();
    await sharp(sample.bytes).rotate().resize(longSide, longSide, { fit: "inside" }).raw().toBuffer();
    times.push(performance.now() - started);
  }
  return mean(times);
}
