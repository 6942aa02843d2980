import { describe, expect, it } from "vitest";
import { calibration } from "../../src/nlu/calibration.js";

function points(spec: [number, boolean][]) {
  return spec.map(([confidence, correct]) => ({ confidence, correct }));
}

describe("calibration", () => {
  // Four guesses at 0.9 (three right), two at 0.35 (one right), one at 1.0 (right):
  //   bin 0.9–1.0: 5 guesses, 4 right, mean confidence (4 × 0.9 + 1.0) / 5 = 0.92 → gap 0.12
  //   bin 0.3–0.4: 2 guesses, 1 right, mean confidence 0.35                     → gap 0.15
  //   ECE = 5/7 × 0.12 + 2/7 × 0.15 = 0.9 / 7
  const result = calibration(
    points([
      [0.9, true],
      [0.9, true],
      [0.9, true],
      [0.9, false],
      [0.35, true],
      [0.35, false],
      [1, true],
    ]),
  );

  it("puts each guess in a bin of width 0.1, the top bin including 1", () => {
    expect(result.bins).toHaveLength(10);
    expect(result.bins.map((b) => b.count)).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 0, 5]);
    expect(result.bins[9]).toMatchObject({ from: 0.9, to: 1, count: 5 });
  });

  it("gives each bin its accuracy and mean confidence", () => {
    expect(result.bins[9]?.accuracy).toBeCloseTo(0.8, 12);
    expect(result.bins[9]?.confidence).toBeCloseTo(0.92, 12);
    expect(result.bins[3]?.accuracy).toBeCloseTo(0.5, 12);
    expect(result.bins[3]?.confidence).toBeCloseTo(0.35, 12);
    expect(result.bins[0]).toMatchObject({ count: 0, accuracy: 0, confidence: 0 });
  });

  it("weights each bin's gap between accuracy and confidence by its share of the guesses", () => {
    expect(result.total).toBe(7);
    expect(result.ece).toBeCloseTo(0.9 / 7, 12);
  });

  it("is 0 for guesses exactly as often right as they are sure", () => {
    const perfect = calibration(
      points([
        [0.75, true],
        [0.75, true],
        [0.75, true],
        [0.75, false],
      ]),
    );
    expect(perfect.ece).toBeCloseTo(0, 12);
  });

  it("is 0 with nothing to measure, and takes another number of bins", () => {
    expect(calibration([]).ece).toBe(0);
    expect(calibration(points([[0.5, true]]), 4).bins.map((b) => b.count)).toEqual([0, 0, 1, 0]);
  });
});
