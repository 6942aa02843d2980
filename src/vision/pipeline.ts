/**
 * One picture through OCR, inside the worker: decode (pixel cap, EXIF orientation, transparency on white),
 * scale to the size the model reads at, read the lines, and make the copy kept for agents: the picture at
 * a size a person can read, every line that shows a card number painted over, without metadata (no GPS).
 */
import sharp from "sharp";
import { PictureError, type PictureProblem } from "../engine/pictures.js";
import { MAX_PICTURE_PIXELS } from "./header.js";
import type { Point, TextModel } from "./model.js";
import { blocksSvg, judgeLine, paddedQuad } from "./redact.js";

/**
 * The longest side the model reads: a 12-megapixel phone photo is scaled down to it, a small screenshot up.
 * Time grows with the pixels; on the OCR set 960 read every code that 1280 did, in two thirds of the time,
 * and 800 began to miss faint slips (see README, "Pictures").
 */
export const OCR_LONG_SIDE = 960;
/** The longest side of the copy kept for agents (never enlarged): small print on a slip stays legible. */
export const KEPT_LONG_SIDE = 1600;
// The detector's input must be a multiple of 32 pixels each way.
const MODEL_STEP = 32;

export interface ReadLine {
  /** The line as read, card numbers masked. */
  text: string;
  confidence: number;
  /** Where the line is on the kept copy (see ModelLine.quad). */
  quad: Point[];
  /** Painted over on the kept copy. */
  painted: boolean;
}

export interface PipelineResult {
  lines: ReadLine[];
  /** The kept copy, card numbers painted over. */
  redacted: Uint8Array;
  redactedType: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

export async function readPicture(
  bytes: Uint8Array,
  model: TextModel,
  longSide = OCR_LONG_SIDE,
): Promise<PipelineResult> {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { data, info, format } = await decode(input);
  const { width, height } = info;
  const raw = { raw: { width, height, channels: 3 as const } };
  // The model's copy: scaled to its size, padded (white) to whole multiples of 32 so its boxes need no
  // mapping but the scale back to the kept copy.
  const scale = longSide / Math.max(width, height);
  const ocrWidth = Math.max(1, Math.round(width * scale));
  const ocrHeight = Math.max(1, Math.round(height * scale));
  const forModel = await sharp(data, raw)
    .resize(ocrWidth, ocrHeight, { fit: "fill" })
    .extend({
      right: roundUp(ocrWidth) - ocrWidth,
      bottom: roundUp(ocrHeight) - ocrHeight,
      background: "#ffffff",
    })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const lines = (await model.read(forModel)).map((line): ReadLine => {
    const verdict = judgeLine(line.text);
    const quad = line.quad.map(([x, y]): Point => [x / scale, y / scale]);
    return { text: verdict.text, confidence: line.confidence, quad, painted: verdict.paint };
  });
  const painted = lines.filter((l) => l.painted);
  // A card number read where the model gave no outline: nothing of the picture can be kept safely.
  const whole: Point[] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  const blocks = painted.map((l) => (l.quad.length === 4 ? paddedQuad(l.quad) : whole));
  let kept = sharp(data, raw);
  if (blocks.length > 0)
    kept = kept.composite([{ input: blocksSvg(blocks, width, height), left: 0, top: 0 }]);
  // A screenshot stays a PNG (sharp text); a photo is a JPEG, a fraction of the size.
  const redactedType = format === "png" ? "image/png" : "image/jpeg";
  const encoded = await (format === "png" ? kept.png() : kept.jpeg({ quality: 82 })).toBuffer();
  return { lines, redacted: new Uint8Array(encoded), redactedType, width, height };
}

/** Decoded, upright, on white, at most the kept copy's size: RGB, raw. */
async function decode(input: Buffer) {
  try {
    // The header was checked before the picture came here; the pixel limit is the decoder's own guard too.
    const image = sharp(input, { limitInputPixels: MAX_PICTURE_PIXELS, failOn: "truncated" });
    const { format } = await image.metadata();
    if (format !== "png" && format !== "jpeg") throw new PictureError("not_an_image", String(format));
    const { data, info } = await image
      .rotate()
      .resize(KEPT_LONG_SIDE, KEPT_LONG_SIDE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, info, format };
  } catch (error) {
    if (error instanceof PictureError) throw error;
    throw new PictureError(problemOf(error), (error as Error).message);
  }
}

/** sharp's words for what is wrong with a picture, as the problem the merchant is told about. */
export function problemOf(error: unknown): PictureProblem {
  if (error instanceof PictureError) return error.problem;
  const message = (error as Error | undefined)?.message ?? "";
  if (/pixel limit/i.test(message)) return "too_many_pixels";
  if (/unsupported image format/i.test(message)) return "not_an_image";
  return "unreadable";
}

const roundUp = (n: number) => Math.max(MODEL_STEP, Math.ceil(n / MODEL_STEP) * MODEL_STEP);
