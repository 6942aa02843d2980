/**
 * The picture reader with the real OCR worker: what it reads, and every bad picture refused with its own
 * problem, without a crash and without the memory a decoded bomb would need.
 */
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { PictureError, type PictureProblem } from "../../src/engine/pictures.js";
import { checkPicture } from "../../src/vision/header.js";
import type { TextModel } from "../../src/vision/model.js";
import { readPicture } from "../../src/vision/pipeline.js";
import { OcrPictureReader } from "../../src/vision/reader.js";
import { bombPng, headerOnlyPng, screen } from "../support/pictures.js";

const reader = new OcrPictureReader();
afterAll(() => reader.close());

async function problemOf(bytes: Uint8Array): Promise<PictureProblem | "read"> {
  try {
    await reader.read({ bytes });
    return "read";
  } catch (error) {
    if (error instanceof PictureError) return error.problem;
    throw error;
  }
}

describe("the header check", () => {
  it("reads PNG and JPEG dimensions from the header", async () => {
    const png = await sharp({ create: { width: 123, height: 45, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const jpeg = await sharp(png).jpeg().toBuffer();
    expect(checkPicture(png)).toEqual({ format: "png", mime: "image/png", width: 123, height: 45 });
    expect(checkPicture(jpeg)).toEqual({ format: "jpeg", mime: "image/jpeg", width: 123, height: 45 });
  });

  it("skips an EXIF thumbnail to find the picture's own frame", () => {
    // SOI, an APP1 segment holding a whole little JPEG (SOF0 of 16 × 16), then the picture's SOF0.
    const thumbnail = [0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xff, 0xd9];
    const app1 = [0xff, 0xe1, 0, thumbnail.length + 2, ...thumbnail];
    const sof = [0xff, 0xc0, 0, 11, 8, 0x0b, 0xb8, 0x0f, 0xa0, 1, 1, 0x11, 0];
    const bytes = new Uint8Array([0xff, 0xd8, ...app1, ...sof, 0xff, 0xd9]);
    expect(checkPicture(bytes)).toMatchObject({ width: 4000, height: 3000 });
  });
});

describe("a bad picture", () => {
  it.each([
    ["0 bytes", () => new Uint8Array(), "not_an_image"],
    ["a text file", () => Buffer.from("交易失败 应答码 51"), "not_an_image"],
    ["a GIF", () => Buffer.from("GIF89a\x01\x00\x01\x00"), "not_an_image"],
    [
      "40 MB",
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(40 * 2 ** 20)]),
      "too_large",
    ],
    ["a header claiming 20,000 × 20,000 pixels", () => headerOnlyPng(20_000, 20_000), "too_many_pixels"],
    [
      "a JPEG cut off before its frame header",
      () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]),
      "unreadable",
    ],
  ] as const)("is refused: %s", async (_what, make, problem) => {
    expect(await problemOf(make())).toBe(problem);
  });

  it("is refused when truncated halfway through its pixels", async () => {
    const jpeg = await screen(["交易失败", "应答码：51"], "jpeg");
    expect(await problemOf(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toBe("unreadable");
  });

  it("is refused, a decompression bomb, without the memory its pixels would take", async () => {
    const bomb = await bombPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(2 * 2 ** 20);
    const before = process.memoryUsage().rss;
    expect(await problemOf(bomb)).toBe("too_many_pixels");
    // Decoded, it would be 400 MB; refused from its header it costs nothing like that.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 2 ** 20);
  });

  it("is refused by the decoder too, should it get past the header check", async () => {
    const noModel: TextModel = {
      read: () => Promise.reject(new Error("the model must not be reached")),
    };
    const bomb = await bombPng(8_000, 6_000); // 48 megapixels, over the 40 allowed
    await expect(readPicture(bomb, noModel)).rejects.toMatchObject({ problem: "too_many_pixels" });
  });

  it("leaves the reader working for the next picture", async () => {
    expect(await problemOf(Buffer.from("not a picture"))).toBe("not_an_image");
    const reading = await reader.read({ bytes: await screen(["交易失败", "应答码：51", "余额不足"]) });
    expect(reading.text).toContain("51");
  });
});

describe("a picture of a screen", () => {
  it("is read line by line, in reading order", async () => {
    const reading = await reader.read({
      bytes: await screen(["消费", "交易失败", "应答码：51", "余额不足"]),
    });
    expect(reading.lines.map((l) => l.text)).toEqual(["消费", "交易失败", "应答码：51", "余额不足"]);
    expect(reading.redactedType).toBe("image/png");
  });

  it("is read the same way when it comes as a JPEG, and kept as one", async () => {
    const reading = await reader.read({ bytes: await screen(["DECLINED", "RC:05"], "jpeg") });
    expect(reading.text).toMatch(/DECLINED\s+RC:?\s?05/);
    expect(reading.redactedType).toBe("image/jpeg");
  });
});
