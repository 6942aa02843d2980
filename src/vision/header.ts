/**
 * What a picture may be, checked from its first bytes before anything decodes it: PNG or JPEG by their magic
 * numbers, at most 5 MB, and at most 40 megapixels by the dimensions the header declares. A decompression
 * bomb (a tiny file that claims 20,000 × 20,000 pixels) is refused here, without a byte of it being decoded.
 */
import { PictureError } from "../engine/pictures.js";

export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
/** A 12-megapixel phone photo fits three times over; a screenshot of any real screen fits. */
export const MAX_PICTURE_PIXELS = 40_000_000;

export type ImageFormat = "png" | "jpeg";

export interface ImageHeader {
  format: ImageFormat;
  mime: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format the bytes are in, by their magic number (what a channel says the type is counts for nothing). */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

/**
 * Checks a picture's bytes against the limits and returns what its header says. Throws a PictureError
 * whose problem is the merchant's answer: not_an_image, too_large, too_many_pixels, unreadable.
 */
export function checkPicture(
  bytes: Uint8Array,
  limits: { maxBytes?: number; maxPixels?: number } = {},
): ImageHeader {
  const maxBytes = limits.maxBytes ?? MAX_PICTURE_BYTES;
  const maxPixels = limits.maxPixels ?? MAX_PICTURE_PIXELS;
  if (bytes.length === 0) throw new PictureError("not_an_image", "empty file");
  const format = sniffFormat(bytes);
  if (!format) throw new PictureError("not_an_image", "neither PNG nor JPEG");
  if (bytes.length > maxBytes) throw new PictureError("too_large", `${bytes.length} bytes`);
  const size = format === "png" ? pngSize(bytes) : jpegSize(bytes);
  if (!size || size.width === 0 || size.height === 0)
    throw new PictureError("unreadable", `no ${format} dimensions`);
  if (size.width * size.height > maxPixels)
    throw new PictureError("too_many_pixels", `${size.width}x${size.height}`);
  return { format, mime: format === "png" ? "image/png" : "image/jpeg", ...size };
}

const u16 = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u32 = (b: Uint8Array, at: number) => u16(b, at) * 65536 + u16(b, at + 2);

/** IHDR is always the first chunk: length (4), "IHDR" (4), width (4), height (4). */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24) return undefined;
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (ihdr !== "IHDR") return undefined;
  return { width: u32(bytes, 16), height: u32(bytes, 20) };
}

// Start-of-frame markers (baseline, progressive, lossless, arithmetic…): C0–CF except DHT (C4), JPG (C8), DAC (CC).
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * Walks the JPEG's segments to its frame header. Segments are skipped by their length, so the thumbnail in
 * an EXIF block (a whole JPEG of its own inside APP1) is never mistaken for the picture.
 */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, restart markers, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // End of image or start of scan before any frame header: nothing to size it by.
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = u16(bytes, at + 2);
    if (length < 2) return undefined;
    if (SOF.has(marker)) {
      if (at + 9 > bytes.length) return undefined;
      return { height: u16(bytes, at + 5), width: u16(bytes, at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}
