/**
 * Calibration: does a confidence of 0.8 mean the guess is right about 80% of the time? Predictions are put
 * into equal-width confidence bins; each bin's accuracy is compared with its mean confidence, and the expected
 * calibration error (ECE) is the mean gap, weighted by how many predictions fall in each bin.
 */

/** One guess: how sure it was, and whether it was right. */
export interface Scored {
  confidence: number;
  correct: boolean;
}

/** The predictions whose confidence is in [from, to) (the last bin includes 1). */
export interface Bin {
  from: number;
  to: number;
  count: number;
  /** Share of right guesses; 0 for an empty bin. */
  accuracy: number;
  /** Mean confidence; 0 for an empty bin. */
  confidence: number;
}

export interface Calibration {
  total: number;
  /** Σ over bins of (count / total) × |accuracy − mean confidence|. */
  ece: number;
  bins: Bin[];
}

export const CALIBRATION_BINS = 10;

export function calibration(points: readonly Scored[], binCount = CALIBRATION_BINS): Calibration {
  if (!Number.isInteger(binCount) || binCount < 1) throw new Error(`bins must be a positive integer`);
  const sums = Array.from({ length: binCount }, () => ({ count: 0, right: 0, confidence: 0 }));
  for (const { confidence, correct } of points) {
    const clamped = Math.min(Math.max(confidence, 0), 1);
    const bin = sums[Math.min(Math.floor(clamped * binCount), binCount - 1)];
    if (!bin) continue;
    bin.count++;
    bin.confidence += clamped;
    if (correct) bin.right++;
  }
  const total = points.length;
  let ece = 0;
  const bins = sums.map(({ count, right, confidence }, i) => {
    const accuracy = count === 0 ? 0 : right / count;
    const mean = count === 0 ? 0 : confidence / count;
    ece += total === 0 ? 0 : (count / total) * Math.abs(accuracy - mean);
    return { from: i / binCount, to: (i + 1) / binCount, count, accuracy, confidence: mean };
  });
  return { total, ece, bins };
}
