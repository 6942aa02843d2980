/**
 * `posdesk read FILE... [--json]`: pictures of terminal screens or slips read by OCR and understood as a
 * merchant's message would be. One JSON line per file, as `classify` writes them, with the file's name:
 * `{"file","text","intent","confidence","locale","entities"}`; a file that cannot be read gives
 * `{"file","error"}` and the run goes on. Text is always masked for card numbers.
 */
import { open } from "node:fs/promises";
import { parseArgs } from "node:util";
import { maskCardNumbers } from "../domain/redact.js";
import { PictureError, type PictureProblem } from "../engine/pictures.js";
import { understandPicture } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { MAX_PICTURE_BYTES } from "../vision/header.js";
import { OcrPictureReader } from "../vision/reader.js";
import { UsageError } from "./usage.js";

export const READ_USAGE = "read FILE... [--json]";

const PROBLEMS: Record<PictureProblem, string> = {
  not_an_image: "not a PNG or JPEG picture",
  too_large: `larger than ${MAX_PICTURE_BYTES / 2 ** 20} MB`,
  too_many_pixels: "more than 40 megapixels",
  unreadable: "damaged or cut short: it could not be decoded",
  no_text: "no text found",
  busy: "too many pictures waiting",
};

export async function runRead(args: string[], write: (line: string) => Promise<void>): Promise<void> {
  let files: string[];
  try {
    files = parseArgs({
      args,
      options: { json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    }).positionals;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (files.length === 0)
    throw new UsageError(`read needs at least one picture; usage: posdesk ${READ_USAGE}`);
  const { nlu } = loadNlu();
  const reader = new OcrPictureReader();
  try {
    for (const file of files) {
      try {
        const { text } = await reader.read({ bytes: await readPicture(file) });
        const understood = understandPicture(nlu, text);
        await write(
          JSON.stringify({
            file,
            text: maskCardNumbers(text),
            intent: understood.intent,
            confidence: Math.round(understood.confidence * 1000) / 1000,
            locale: understood.locale ?? "zh-CN",
            entities: understood.entities,
          }),
        );
      } catch (error) {
        await write(JSON.stringify({ file, error: describe(error) }));
      }
    }
  } finally {
    await reader.close();
  }
}

/** The file's bytes; one larger than a picture may be is not read into memory at all. */
async function readPicture(file: string): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size > MAX_PICTURE_BYTES) throw new PictureError("too_large");
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): string {
  if (error instanceof PictureError) return PROBLEMS[error.problem];
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return (error as Error).message;
}
