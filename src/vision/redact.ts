/**
 * Card numbers in what OCR read: which lines show one (their boxes are painted over on the copy kept for
 * agents), and the text of each line with them masked. The project's Luhn masker decides, as for any
 * message; on a picture it also gets a second look at digits OCR may have read as letters, and a long run of
 * digits that fails the check (one digit misread) is painted over all the same.
 */

import { maskCardNumbers } from "../domain/redact.js";
import type { Point } from "./model.js";

// Letters OCR confuses with digits on screens and slips (O/0, I/l/1, S/5, B/8, Z/2).
const AS_DIGIT: Record<string, string> = {
  O: "0",
  o: "0",
  D: "0",
  I: "1",
  l: "1",
  "|": "1",
  S: "5",
  B: "8",
  Z: "2",
};
// A run of digits and look-alikes with single spaces or dashes between them.
const DIGITISH_RUN = /(?<![0-9])[0-9OoDIl|SBZ](?:[ -]?[0-9OoDIl|SBZ])*(?![0-9])/g;
// 13–19 digits with spaces or dashes: as long as a card number, whatever the Luhn check says.
const CARD_LENGTH_RUN = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])/;

export interface LineVerdict {
  /** The line with every card number masked (also those with a letter read for a digit). */
  text: string;
  /** The line shows a card number, or something as long as one: its box is painted over. */
  paint: boolean;
}

export function judgeLine(raw: string): LineVerdict {
  let found = false;
  let text = maskCardNumbers(raw, () => {
    found = true;
  });
  text = text.replace(DIGITISH_RUN, (run) => {
    const digits = run.replace(/[OoDIl|SBZ]/g, (c) => AS_DIGIT[c] ?? c);
    // Mostly real digits only: "SOS" or "IOS" is a word, not a number.
    if (digits === run || run.replace(/[^0-9]/g, "").length < 10) return run;
    const masked = maskCardNumbers(digits, () => {
      found = true;
    });
    return masked === digits ? run : masked;
  });
  return { text, paint: found || CARD_LENGTH_RUN.test(raw) };
}

/**
 * A line's quadrilateral grown by a margin (a quarter of the line's height) along its own axes, so a line
 * photographed at an angle is covered without covering the lines above and below it.
 */
export function paddedQuad(quad: Point[]): Point[] {
  const [p0, p1, , p3] = quad;
  if (quad.length !== 4 || !p0 || !p1 || !p3) return quad;
  const along = unit(p0, p1);
  const across = unit(p0, p3);
  const margin = Math.max(2, Math.hypot(p3[0] - p0[0], p3[1] - p0[1]) * 0.25);
  const signs: [number, number][] = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ];
  return quad.map(([x, y], i): Point => {
    const [a, c] = signs[i] ?? [0, 0];
    return [x + (a * along[0] + c * across[0]) * margin, y + (a * along[1] + c * across[1]) * margin];
  });
}

function unit(from: Point, to: Point): Point {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const length = Math.hypot(dx, dy) || 1;
  return [dx / length, dy / length];
}

/** An SVG the size of the image with a solid shape over each quadrilateral, for sharp to composite. */
export function blocksSvg(quads: Point[][], width: number, height: number): Buffer {
  const shapes = quads
    .filter((q) => q.length >= 3)
    .map(
      (q) =>
        `<polygon points="${q.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}" fill="#222"/>`,
    )
    .join("");
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes}</svg>`,
  );
}
