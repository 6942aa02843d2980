/**
 * A rendered screen or slip made to look photographed: set on a desk at an angle (a perspective warp),
 * with glare from a lamp, out-of-focus blur, sensor noise, exposure off a little, and JPEG compression.
 */
import sharp from "sharp";
import { between, pick } from "./faults.js";

export interface PhotoSpec {
  width: number;
  height: number;
  /** Where the picture's four corners land (top-left, top-right, bottom-right, bottom-left), in pixels. */
  corners: [number, number][];
  background: [string, string];
  glare: { x: number; y: number; radius: number; opacity: number } | null;
  blur: number;
  /** A shaky hand: a horizontal smear this many pixels long (0: none). */
  shake: number;
  noise: number;
  brightness: number;
  quality: number;
}

type Raw = { data: Buffer; width: number; height: number };

/** A random but plausible photo of a picture `w` × `h` in a frame of `width` × `height`. */
export function photoSpec(
  rand: () => number,
  frame: { width: number; height: number },
  picture: { width: number; height: number },
): PhotoSpec {
  const { width, height } = frame;
  // The picture fills 30–85 % of the frame's limiting side (the whole terminal in view, or just its screen).
  const fill = between(rand, 0.3, 0.85);
  const scale = Math.min((width * fill) / picture.width, (height * fill) / picture.height);
  const w = picture.width * scale;
  const h = picture.height * scale;
  const cx = width / 2 + between(rand, -0.06, 0.06) * width;
  const cy = height / 2 + between(rand, -0.06, 0.06) * height;
  const angle = (between(rand, -8, 8) * Math.PI) / 180;
  // Tilting the phone: one side of the picture nearer the lens than the other.
  const tiltX = between(rand, -0.12, 0.12);
  const tiltY = between(rand, -0.12, 0.12);
  const local: [number, number][] = [
    [(-w / 2) * (1 - tiltY), (-h / 2) * (1 - tiltX)],
    [(w / 2) * (1 - tiltY), (-h / 2) * (1 + tiltX)],
    [(w / 2) * (1 + tiltY), (h / 2) * (1 + tiltX)],
    [(-w / 2) * (1 + tiltY), (h / 2) * (1 - tiltX)],
  ];
  const corners = local.map(([x, y]): [number, number] => [
    cx + x * Math.cos(angle) - y * Math.sin(angle),
    cy + x * Math.sin(angle) + y * Math.cos(angle),
  ]);
  return {
    width,
    height,
    corners,
    background: pick(rand, [
      ["#8d6e63", "#5d4037"],
      ["#cfd8dc", "#90a4ae"],
      ["#efebe9", "#bcaaa4"],
      ["#37474f", "#263238"],
      ["#d7ccc8", "#a1887f"],
    ] as [string, string][]),
    glare:
      rand() < 0.5
        ? {
            x: cx + between(rand, -0.3, 0.3) * w,
            y: cy + between(rand, -0.3, 0.3) * h,
            radius: between(rand, 0.12, 0.3) * Math.min(w, h),
            opacity: between(rand, 0.25, 0.7),
          }
        : null,
    blur: rand() < 0.6 ? between(rand, 0.4, 2.2) * (width / 1600) : 0,
    shake: rand() < 0.2 ? Math.round(between(rand, 3, 9) * (width / 1600)) : 0,
    noise: between(rand, 2, 14),
    brightness: between(rand, 0.65, 1.15),
    quality: Math.round(between(rand, 55, 92)),
  };
}

/** The picture photographed as `spec` says, as a JPEG. */
export async function photograph(picture: Raw, spec: PhotoSpec): Promise<Buffer> {
  const { width, height } = spec;
  const [from, to] = spec.background;
  const desk = await sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
    ),
  )
    .removeAlpha()
    .raw()
    .toBuffer();
  warp(picture, { data: desk, width, height }, spec.corners);
  const overlays = spec.glare
    ? [
        {
          input: Buffer.from(
            `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="l"><stop offset="0" stop-color="#fff" stop-opacity="${spec.glare.opacity.toFixed(2)}"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="${spec.glare.x}" cy="${spec.glare.y}" rx="${spec.glare.radius * 1.6}" ry="${spec.glare.radius}" fill="url(#l)"/></svg>`,
          ),
          left: 0,
          top: 0,
        },
      ]
    : [];
  let image = sharp(desk, { raw: { width, height, channels: 3 } }).composite(overlays);
  if (spec.blur >= 0.3) image = sharp(await image.png({ compressionLevel: 0 }).toBuffer()).blur(spec.blur);
  if (spec.shake >= 2) {
    // sharp's kernels are at least 3 × 3: a horizontal line of ones in the middle row of three.
    const width = spec.shake | 1;
    const kernel = [...new Array(width).fill(0), ...new Array(width).fill(1), ...new Array(width).fill(0)];
    image = sharp(await image.png({ compressionLevel: 0 }).toBuffer()).convolve({ width, height: 3, kernel });
  }
  const shot = await image.modulate({ brightness: spec.brightness }).removeAlpha().raw().toBuffer();
  addNoise(shot, spec.noise, Math.round(spec.noise * 1000));
  return sharp(shot, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: spec.quality })
    .toBuffer();
}

/**
 * Draws `source` into `target` with its corners at `corners`: each target pixel inside the quadrilateral is
 * mapped back through the inverse homography and sampled bilinearly.
 */
export function warp(source: Raw, target: Raw, corners: [number, number][]): void {
  const { width: sw, height: sh } = source;
  const h = homography(corners, [
    [0, 0],
    [sw, 0],
    [sw, sh],
    [0, sh],
  ]);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(target.width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(target.height - 1, Math.ceil(Math.max(...ys)));
  const [a = 1, b = 0, c = 0, d = 0, e = 1, f = 0, g = 0, k = 0] = h;
  const src = source.data;
  const dst = target.data;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const z = g * x + k * y + 1;
      const u = (a * x + b * y + c) / z;
      const v = (d * x + e * y + f) / z;
      if (u < 0 || v < 0 || u >= sw - 1 || v >= sh - 1) continue;
      const ui = u | 0;
      const vi = v | 0;
      const fu = u - ui;
      const fv = v - vi;
      const i00 = (vi * sw + ui) * 3;
      const i01 = i00 + 3;
      const i10 = i00 + sw * 3;
      const i11 = i10 + 3;
      const o = (y * target.width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = (src[i00 + ch] ?? 0) * (1 - fu) + (src[i01 + ch] ?? 0) * fu;
        const bottom = (src[i10 + ch] ?? 0) * (1 - fu) + (src[i11 + ch] ?? 0) * fu;
        dst[o + ch] = top * (1 - fv) + bottom * fv;
      }
    }
  }
}

/** The 3 × 3 projective map (h33 = 1) taking the four `from` points to the four `to` points. */
export function homography(from: [number, number][], to: [number, number][]): number[] {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as [number, number];
    const [u, v] = to[i] as [number, number];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8 × 9 augmented matrix.
  for (let col = 0; col < 8; col++) {
    let best = col;
    for (let r = col + 1; r < 8; r++)
      if (Math.abs(rows[r]?.[col] ?? 0) > Math.abs(rows[best]?.[col] ?? 0)) best = r;
    [rows[col], rows[best]] = [rows[best] as number[], rows[col] as number[]];
    const pivot = rows[col] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const row = rows[r] as number[];
      const factor = (row[col] ?? 0) / (pivot[col] ?? 1);
      for (let j = col; j < 9; j++) row[j] = (row[j] ?? 0) - factor * (pivot[j] ?? 0);
    }
  }
  return rows.map((row, i) => (row[8] ?? 0) / (row[i] ?? 1));
}

/** Roughly Gaussian sensor noise (the sum of three uniforms), from a seeded xorshift. */
function addNoise(data: Buffer, sigma: number, seed: number): void {
  let s = seed | 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  // Three uniforms on [0, 1] add up to a standard deviation of ½: twice sigma spreads them to sigma.
  const spread = sigma * 2;
  for (let i = 0; i < data.length; i++) {
    const n = (next() + next() + next() - 1.5) * spread;
    const value = (data[i] ?? 0) + n;
    data[i] = Math.max(0, Math.min(value, 255));
  }
}
