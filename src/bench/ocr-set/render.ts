/**
 * A scene drawn as SVG and rasterised by sharp (librsvg, fonts through fontconfig: the Debian packages
 * fonts-wqy-zenhei and fonts-dejavu-core). A screen gets a device bezel around it, as a photo shows it.
 */
import sharp from "sharp";
import { type Block, blockHeight, type Scene } from "./scenes.js";

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The scene as an SVG document of `scale` times its logical size (text stays sharp at any scale). */
export function sceneSvg(scene: Scene, scale: number): string {
  const { width, height, background, foreground, font } = scene;
  const pad = scene.style === "slip" ? 18 : 14;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="${background}"/>`];
  let y = scene.style === "slip" ? 14 : 0;
  for (const block of scene.blocks) {
    parts.push(drawBlock(block, { y, width, pad, background, foreground }));
    y += blockHeight(block);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(width * scale)}" height="${Math.round(height * scale)}" viewBox="0 0 ${width} ${height}">`,
    `<g font-family="${font}, WenQuanYi Zen Hei, sans-serif" fill="${foreground}">`,
    ...parts,
    "</g></svg>",
  ].join("");
}

interface Cursor {
  y: number;
  width: number;
  pad: number;
  background: string;
  foreground: string;
}

function drawBlock(block: Block, at: Cursor): string {
  const { y, width, pad } = at;
  const text = escapeXml(block.text ?? "");
  const weight = block.bold ? ` font-weight="bold"` : "";
  const centre = block.align === "center";
  const x = centre ? width / 2 : pad;
  const anchor = centre ? ` text-anchor="middle"` : "";
  switch (block.kind) {
    case "space":
      return "";
    case "rule":
      return `<line x1="${pad}" x2="${width - pad}" y1="${y + block.size / 2}" y2="${y + block.size / 2}" stroke="${at.foreground}" stroke-dasharray="4 3" stroke-width="1.2"/>`;
    case "bar": {
      const h = block.size * 2;
      const fill = block.color ?? at.foreground;
      const ink = block.color ? "#ffffff" : at.background;
      return `<rect x="0" y="${y}" width="${width}" height="${h}" fill="${fill}"/><text x="${width / 2}" y="${y + h * 0.68}" font-size="${block.size}" text-anchor="middle" fill="${ink}">${text}</text>`;
    }
    case "button": {
      const h = block.size * 2.2;
      return `<rect x="${pad * 2}" y="${y}" width="${width - pad * 4}" height="${h}" rx="8" fill="${block.color ?? at.foreground}"/><text x="${width / 2}" y="${y + h * 0.66}" font-size="${block.size}" text-anchor="middle" fill="#ffffff">${text}</text>`;
    }
    case "icon": {
      const r = block.size / 2;
      const cx = width / 2;
      return `<circle cx="${cx}" cy="${y + r}" r="${r}" fill="${block.color ?? "#e53935"}"/><rect x="${cx - 4}" y="${y + r * 0.45}" width="8" height="${r * 0.8}" rx="3" fill="#ffffff"/><circle cx="${cx}" cy="${y + r * 1.5}" r="5" fill="#ffffff"/>`;
    }
    default:
      return `<text x="${x}" y="${y + block.size * 1.1}" font-size="${block.size}"${weight}${anchor}${block.color ? ` fill="${block.color}"` : ""}>${text}</text>`;
  }
}

/**
 * The scene rasterised, `scale` times its logical size; a screen framed in a dark bezel unless it is a
 * screenshot (`bezel: false`). RGB, raw.
 */
export async function renderScene(
  scene: Scene,
  scale: number,
  bezel = scene.style !== "slip",
): Promise<{ data: Buffer; width: number; height: number }> {
  let image = sharp(Buffer.from(sceneSvg(scene, scale)));
  if (bezel) {
    const bezel = Math.round(18 * scale);
    image = sharp(await image.png().toBuffer()).extend({
      top: bezel,
      bottom: Math.round(bezel * 1.6),
      left: bezel,
      right: bezel,
      background: "#2a2d31",
    });
  }
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
