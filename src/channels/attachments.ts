/**
 * Fetching a picture a channel only links to (a Bot Framework attachment's contentUrl, or an inline data
 * URL), never more than a picture may be: a declared length over the limit is refused before the body is
 * read, and a body that grows past it is cut off. The bytes stay in memory.
 */
import { PictureError } from "../engine/pictures.js";
import { MAX_PICTURE_BYTES } from "../vision/header.js";

export interface DownloadOptions {
  maxBytes?: number;
  timeoutMs?: number;
  /** Sent as a bearer token (the bot's own, for its channel's attachment service). */
  token?: string;
  fetch?: typeof fetch;
}

export async function downloadPicture(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_PICTURE_BYTES;
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) throw new PictureError("not_an_image");
    const data = url.slice(comma + 1);
    if ((data.length * 3) / 4 > maxBytes + 3) throw new PictureError("too_large");
    return Buffer.from(data, "base64");
  }
  if (!/^https?:\/\//i.test(url)) throw new PictureError("unreadable", "not an http(s) or data URL");
  const response = await (options.fetch ?? fetch)(url, {
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  }).catch((error: unknown) => {
    throw new PictureError("unreadable", (error as Error).message);
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new PictureError("unreadable", `HTTP ${response.status}`);
  }
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body.cancel();
    throw new PictureError("too_large");
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      throw new PictureError("unreadable", (error as Error).message);
    });
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PictureError("too_large");
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}
