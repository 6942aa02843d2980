/**
 * Pictures of the terminal's screen or slip, as the engine sees them: bytes in, the text read from them out.
 * The reader (OCR in a worker thread) is given to the engine; channels only hand the bytes over.
 */

export interface Picture {
  bytes: Uint8Array;
  /** The type the channel declared ("image/png", "image/jpeg"); the reader checks the bytes themselves. */
  mime?: string;
  /**
   * The channel could not fetch the picture (too large to download, a broken link): the engine answers
   * this problem as it would the reader's, and `bytes` is empty.
   */
  problem?: PictureProblem;
}

export interface PictureReading {
  /** Everything read, line by line, card numbers not yet masked (the engine masks it as any message). */
  text: string;
  /** A copy for agents with every detected card number painted over; the original is never kept. */
  redacted?: Uint8Array;
  /** The type of `redacted` (default image/jpeg). */
  redactedType?: "image/png" | "image/jpeg";
}

export interface PictureReader {
  read(picture: Picture): Promise<PictureReading>;
}

/** Why a picture could not be read: each has its own clear answer to the merchant (`engine.picture.<reason>`). */
export type PictureProblem =
  | "not_an_image"
  | "too_large"
  | "too_many_pixels"
  | "unreadable"
  | "no_text"
  /** Too many pictures are waiting to be read: try again in a minute. */
  | "busy";

export class PictureError extends Error {
  constructor(
    readonly problem: PictureProblem,
    message: string = problem,
  ) {
    super(message);
  }
}
