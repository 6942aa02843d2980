/**
 * The OCR set: pictures of terminal screens and slips, drawn and "photographed" here, each with the response
 * code it shows (or the intent of a message without one) as ground truth. Generated when the benchmark or a
 * test needs it, never committed: the same seed gives the same pictures, and the generator documents the set
 * better than 60 binary files would.
 *
 *   node dist/src/bench/ocr-set/index.js [--out DIR] [--count N]   writes the pictures and manifest.json
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { seededRandom } from "../../seeded-random.js";
import { content, FAULTS, pick, type SetLocale } from "./faults.js";
import { photograph, photoSpec } from "./photo.js";
import { renderScene } from "./render.js";
import { type Style, sceneFor } from "./scenes.js";

export const OCR_SET_SIZE = 66;
const SEED = 20261130;

export interface OcrSample {
  name: string;
  style: Style;
  /** A clean screenshot (PNG) rather than a photo (JPEG). */
  screenshot: boolean;
  locale: SetLocale;
  /** The response code the picture shows, or null when it shows a message without one. */
  code: string | null;
  /** For a message without a code: the intent it should lead to. */
  intent: string | null;
  /** The text drawn, line by line (what a perfect reading would give). */
  drawn: string;
  width: number;
  height: number;
  mime: "image/png" | "image/jpeg";
}

export interface GeneratedSample extends OcrSample {
  bytes: Buffer;
}

// Six kinds of picture in turn; the sixth changes between English LCD, slip and smart POS.
interface Kind {
  style: Style;
  locale: SetLocale;
  screenshot?: boolean;
}
const KINDS: Kind[] = [
  { style: "lcd", locale: "zh-CN" },
  { style: "smart", locale: "zh-CN" },
  { style: "slip", locale: "zh-CN" },
  { style: "countertop", locale: "en" },
  { style: "smart", locale: "zh-CN", screenshot: true },
];
const SIXTH: Kind[] = [
  { style: "lcd", locale: "en" },
  { style: "slip", locale: "en" },
  { style: "smart", locale: "en" },
];

type Size = readonly [number, number];
const LANDSCAPE: Size[] = [
  [960, 720],
  [1280, 960],
  [1600, 1200],
  [2048, 1536],
  [4032, 3024],
];
const PORTRAIT: Size[] = LANDSCAPE.map(([w, h]): Size => [h, w]);

/** Sample `index` of the set (0-based), drawn and photographed. */
export async function makeSample(index: number): Promise<GeneratedSample> {
  const rand = seededRandom(SEED + index * 7919);
  const sixth = SIXTH[Math.floor(index / 6) % SIXTH.length] as Kind;
  const kind = index % 6 === 5 ? sixth : (KINDS[index % 6] as Kind);
  const screenshot = kind.screenshot === true;
  // Every other screenshot in English; slips only show codes (a success now and then).
  const locale: SetLocale = screenshot && index % 12 === 10 ? "en" : kind.locale;
  const coded = FAULTS.filter((f) => f.code);
  const fault =
    kind.style === "slip"
      ? rand() < 0.2
        ? { code: "00", zh: "交易成功", en: "APPROVED" }
        : pick(rand, coded)
      : pick(rand, FAULTS);
  const scene = sceneFor(kind.style, content(rand, locale, fault), rand);
  const drawn = scene.blocks.flatMap((b) => (b.text ? [b.text] : [])).join("\n");
  const truth = {
    name: "",
    style: kind.style,
    screenshot,
    locale,
    code: fault.code,
    intent: fault.intent ?? null,
    drawn,
  };
  if (screenshot) {
    const shot = await renderScene(scene, pick(rand, [2, 3]), false);
    const bytes = await sharp(shot.data, { raw: { width: shot.width, height: shot.height, channels: 3 } })
      .png()
      .toBuffer();
    const name = fileName(index, truth, "png");
    return { ...truth, name, width: shot.width, height: shot.height, mime: "image/png", bytes };
  }
  const portrait = kind.style === "smart" || kind.style === "slip";
  // A full 12-megapixel photo one time in six; otherwise the sizes phones and chat apps send.
  const sizes = portrait ? PORTRAIT : LANDSCAPE;
  const [width, height] = rand() < 1 / 6 ? (sizes[4] as Size) : pick(rand, sizes.slice(0, 4));
  const scale = Math.min((width * 0.85) / scene.width, (height * 0.85) / scene.height);
  const picture = await renderScene(scene, scale);
  const spec = photoSpec(rand, { width, height }, picture);
  const bytes = await photograph(picture, spec);
  const name = fileName(index, truth, "jpg");
  return { ...truth, name, width, height, mime: "image/jpeg", bytes };
}

function fileName(index: number, s: Pick<OcrSample, "style" | "locale" | "code">, ext: string): string {
  return `${String(index + 1).padStart(2, "0")}-${s.style}-${s.locale}-${s.code ?? "msg"}.${ext}`;
}

/** The samples `indices` (default: the whole set), made one after another. */
export async function generateOcrSet(
  indices: number[] = Array.from({ length: OCR_SET_SIZE }, (_, i) => i),
): Promise<GeneratedSample[]> {
  const samples: GeneratedSample[] = [];
  for (const i of indices) samples.push(await makeSample(i));
  return samples;
}

/** Writes the samples and a manifest.json (the ground truth, without the bytes) into `dir`. */
export function writeOcrSet(dir: string, samples: GeneratedSample[]): void {
  mkdirSync(dir, { recursive: true });
  for (const s of samples) writeFileSync(join(dir, s.name), s.bytes);
  const manifest = samples.map(({ bytes, ...truth }) => ({ ...truth, bytes: bytes.length }));
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: "string" }, count: { type: "string" } },
    strict: true,
  });
  const dir = values.out ?? "scratch/ocr-set";
  const count = Number(values.count ?? OCR_SET_SIZE);
  const samples = await generateOcrSet(Array.from({ length: count }, (_, i) => i));
  writeOcrSet(dir, samples);
  const bytes = samples.reduce((n, s) => n + s.bytes.length, 0);
  process.stdout.write(`${samples.length} pictures, ${(bytes / 2 ** 20).toFixed(1)} MB, in ${dir}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`ocr-set: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
