/**
 * A tenth of the OCR set `npm run bench` measures (screens and slips, zh and en, photographed at an angle,
 * blurred, with glare and noise): the response code read from each must be the one drawn, at least 9 times
 * in 10. Only the accuracy is checked here; the timings are the benchmark's.
 */
import { afterAll, describe, expect, it } from "vitest";
import { scoreOcr } from "../../src/bench/ocr.js";
import { generateOcrSet } from "../../src/bench/ocr-set/index.js";
import { OcrPictureReader } from "../../src/vision/reader.js";
import { nlu } from "../support/conversation.js";

const reader = new OcrPictureReader();
afterAll(() => reader.close());

// Every seventh picture: all six kinds (LCD, smart POS, slip, countertop, screenshot, English) come up.
const SUBSET = [0, 7, 14, 21, 28, 35, 42, 49, 56, 63];

describe("the OCR set", () => {
  it("reads the response code right on at least 9 pictures in 10", async () => {
    const samples = await generateOcrSet(SUBSET);
    expect(new Set(samples.map((s) => s.style)).size).toBe(4);
    const score = await scoreOcr(samples, reader, nlu);
    expect(score.accuracy, JSON.stringify(score.misses, null, 2)).toBeGreaterThanOrEqual(0.9);
    expect(score.intents.correct).toBe(score.intents.of);
  }, 120_000);
});
