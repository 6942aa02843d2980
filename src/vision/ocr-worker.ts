/**
 * The OCR worker thread: loads the model on the first picture and keeps it; reads one picture per message,
 * in the order they come. Nothing here writes to disk or logs: the picture lives in this thread's memory
 * until its answer is posted.
 */
import { parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";
import type { PictureProblem } from "../engine/pictures.js";
import { loadTextModel, type TextModel } from "./model.js";
import { type PipelineResult, problemOf, readPicture } from "./pipeline.js";

export interface WorkerSettings {
  threads: number;
  longSide: number;
}

export interface Job {
  id: number;
  bytes: Uint8Array;
}

export type JobAnswer =
  | ({ id: number; ok: true } & PipelineResult)
  | { id: number; ok: false; problem: PictureProblem; message: string };

const settings = workerData as WorkerSettings;
// One picture at a time needs neither libvips' cache of past images nor a thread per core: less memory
// held, and the other core left to the turns.
sharp.cache(false);
sharp.concurrency(1);
let model: Promise<TextModel> | undefined;

async function answer(job: Job): Promise<JobAnswer> {
  try {
    model ??= loadTextModel({ threads: settings.threads }).catch((error: unknown) => {
      model = undefined;
      throw error;
    });
    return { id: job.id, ok: true, ...(await readPicture(job.bytes, await model, settings.longSide)) };
  } catch (error) {
    return { id: job.id, ok: false, problem: problemOf(error), message: (error as Error).message };
  }
}

parentPort?.on("message", (job: Job) => {
  void answer(job).then((result) => {
    parentPort?.postMessage(result, result.ok ? [result.redacted.buffer as ArrayBuffer] : []);
  });
});
