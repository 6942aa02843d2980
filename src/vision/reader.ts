/**
 * The engine's PictureReader: pictures are checked here (magic numbers, size, the header's pixel count) and
 * read by OCR in one worker thread, started on the first picture and kept for the life of the process, so
 * the model loads once and turns never wait on OCR. Pictures queue and are read one at a time (on two cores
 * the other keeps answering turns). A picture that takes too long, or a worker that dies (out of its memory
 * limit, say), costs only that picture: the worker is started again for the next.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { type Picture, PictureError, type PictureReader, type PictureReading } from "../engine/pictures.js";
import { checkPicture } from "./header.js";
import type { Job, JobAnswer, WorkerSettings } from "./ocr-worker.js";
import { OCR_LONG_SIDE, type ReadLine } from "./pipeline.js";

export interface OcrReaderOptions {
  /** onnxruntime threads for one picture (default: one, or POSDESK_OCR_THREADS). */
  threads?: number;
  /** The longest side pictures are scaled to before OCR. */
  longSide?: number;
  /** A picture not read in this time is given up (and the worker restarted). */
  timeoutMs?: number;
  /** Pictures allowed to wait; more are refused as `busy` rather than kept in memory. */
  maxWaiting?: number;
  /** The worker's heap limit: a picture that would need more ends the worker, not the server. */
  memoryMb?: number;
  logger?: Logger;
}

export interface OcrReading extends PictureReading {
  /** The lines read, in reading order, card numbers masked. */
  lines: ReadLine[];
}

interface Pending {
  job: Job;
  resolve(answer: JobAnswer): void;
  reject(error: Error): void;
}

export class OcrPictureReader implements PictureReader {
  private worker: Worker | undefined;
  private current: (Pending & { timer: NodeJS.Timeout }) | undefined;
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly settings: WorkerSettings;
  private readonly timeoutMs: number;
  private readonly maxWaiting: number;
  private readonly memoryMb: number;

  constructor(private readonly options: OcrReaderOptions = {}) {
    const fromEnv = Number(process.env.POSDESK_OCR_THREADS);
    const threads = options.threads ?? (fromEnv > 0 ? fromEnv : 1);
    this.settings = {
      threads: Math.max(1, Math.min(threads, availableParallelism())),
      longSide: options.longSide ?? OCR_LONG_SIDE,
    };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxWaiting = options.maxWaiting ?? 16;
    this.memoryMb = options.memoryMb ?? 768;
  }

  async read(picture: Picture): Promise<OcrReading> {
    // Refused pictures never reach the worker: their header says enough.
    checkPicture(picture.bytes);
    if (this.closed) throw new PictureError("unreadable", "the reader is closed");
    if (this.waiting.length >= this.maxWaiting) throw new PictureError("busy", "too many pictures waiting");
    // A copy of its own, handed to the worker (not copied again); the caller's bytes stay the caller's.
    const bytes = new Uint8Array(picture.bytes);
    const answer = await new Promise<JobAnswer>((resolve, reject) => {
      this.waiting.push({ job: { id: this.nextId++, bytes }, resolve, reject });
      this.pump();
    });
    if (!answer.ok) throw new PictureError(answer.problem, answer.message);
    return {
      text: answer.lines.map((line) => line.text).join("\n"),
      lines: answer.lines,
      redacted: answer.redacted,
      redactedType: answer.redactedType,
    };
  }

  /** Stops the worker; pictures still waiting are answered as unreadable. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0)) pending.reject(new PictureError("unreadable", "closed"));
    this.fail(new PictureError("unreadable", "closed"));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.waiting.shift();
    if (!next) {
      // Idle: the worker (and its model) stays, but does not keep the process alive.
      this.worker?.unref();
      return;
    }
    const worker = this.ensureWorker();
    worker.ref();
    const timer = setTimeout(() => {
      this.options.logger?.warn({ ms: this.timeoutMs }, "ocr: picture took too long; worker restarted");
      this.restart(new PictureError("unreadable", "timed out"));
    }, this.timeoutMs);
    this.current = { ...next, timer };
    worker.postMessage(next.job, [next.job.bytes.buffer as ArrayBuffer]);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const { source, options } = workerSource();
    const worker = new Worker(source, {
      ...options,
      workerData: this.settings,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 64 },
    });
    worker.on("message", (answer: JobAnswer) => {
      const current = this.current;
      if (!current || current.job.id !== answer.id) return;
      clearTimeout(current.timer);
      this.current = undefined;
      current.resolve(answer);
      this.pump();
    });
    worker.on("error", (error) => {
      this.options.logger?.error({ err: error }, "ocr: worker failed");
    });
    worker.on("exit", () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.fail(new PictureError("unreadable", "the OCR worker stopped"));
      this.pump();
    });
    this.worker = worker;
    return worker;
  }

  private restart(error: PictureError): void {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(error);
    void worker?.terminate();
    this.pump();
  }

  private fail(error: PictureError): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = undefined;
    current.reject(error);
  }
}

/**
 * The worker's entry: the compiled `ocr-worker.js` beside this module; from the TypeScript sources (tests,
 * tsx) a bootstrap that registers tsx's loader and imports `ocr-worker.ts`.
 */
function workerSource(): { source: string | URL; options: { eval?: boolean } } {
  const compiled = new URL("./ocr-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { source: compiled, options: {} };
  const source = new URL("./ocr-worker.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return { source: bootstrap, options: { eval: true } };
}
