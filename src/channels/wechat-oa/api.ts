/**
 * The parts of WeChat's server API the channel uses: the access token (cached in `AccessTokens`), the
 * customer-service message (客服消息) for replies that miss the passive window and for agents, and media
 * download for pictures. `base` is WeChat's API host, or a local stand-in in tests.
 */
import type { Picture } from "../../engine/pictures.js";
import { AccessTokens } from "./token.js";
import type { TtlStore } from "./ttl-store.js";

export interface WechatApiOptions {
  base: string;
  appId: string;
  secret: string;
  /** Where the access token is shared (Redis across processes, or this process). */
  shared: TtlStore;
  /** How long one API call may take. */
  timeoutMs?: number;
}

/** An error WeChat answered with (`errcode`, `errmsg`), or a call that failed on the way. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat API error ${errcode}: ${errmsg}`);
  }
}

/** Error codes that mean the token itself is no good (expired early, voided by a newer one): fetch anew, once. */
const TOKEN_ERRORS: ReadonlySet<number> = new Set([40001, 40014, 42001]);
const DEFAULT_TIMEOUT_MS = 10_000;

interface ApiReply {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

export class WechatApi {
  readonly tokens: AccessTokens;
  private readonly timeoutMs: number;

  constructor(private readonly options: WechatApiOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokens = new AccessTokens(() => this.issueToken(), options.shared, {
      key: `token:${options.appId}`,
    });
  }

  /** A text to the merchant through the customer-service message API (within 48 h of their last message). */
  async sendText(openid: string, content: string): Promise<void> {
    await this.withToken(async (token) => {
      const response = await this.request(
        `/cgi-bin/message/custom/send?${new URLSearchParams({ access_token: token })}`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json; charset=utf-8" },
          body: JSON.stringify({ touser: openid, msgtype: "text", text: { content } }),
        },
      );
      check(await json(response));
    });
  }

  /** A picture the merchant sent, by its MediaId (temporary media, kept by WeChat for three days). */
  async media(mediaId: string, maxBytes: number): Promise<Picture> {
    return this.withToken(async (token) => {
      const query = new URLSearchParams({ access_token: token, media_id: mediaId });
      const response = await this.request(`/cgi-bin/media/get?${query}`);
      // Errors come back as JSON with a 200; the picture itself comes as image/*.
      if (/json|text\/plain/.test(response.headers.get("content-type") ?? "")) {
        check(await json(response));
        throw new WechatApiError(-1, "media/get answered without a picture");
      }
      return readCapped(response, maxBytes);
    });
  }

  private async issueToken(): Promise<{ token: string; expiresInMs: number }> {
    const { appId, secret } = this.options;
    const query = new URLSearchParams({ grant_type: "client_credential", appid: appId, secret });
    const reply = check(await json(await this.request(`/cgi-bin/token?${query}`)));
    if (!reply.access_token || !reply.expires_in)
      throw new WechatApiError(-1, "no access_token in the answer");
    return { token: reply.access_token, expiresInMs: reply.expires_in * 1000 };
  }

  private async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.tokens.get();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_ERRORS.has(error.errcode)) throw error;
      await this.tokens.invalidate(token);
      return call(await this.tokens.get());
    }
  }

  /** A call to the API host; the URL carries the secret or the token, so failures never quote it. */
  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.options.base}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WechatApiError(-1, `WeChat API unreachable (${(error as Error).name})`);
    }
    if (!response.ok) throw new WechatApiError(-1, `WeChat API answered HTTP ${response.status}`);
    return response;
  }
}

async function json(response: Response): Promise<ApiReply> {
  try {
    return (await response.json()) as ApiReply;
  } catch {
    throw new WechatApiError(-1, "WeChat API answered something other than JSON");
  }
}

function check(reply: ApiReply): ApiReply {
  if (reply.errcode) throw new WechatApiError(reply.errcode, reply.errmsg ?? "");
  return reply;
}

/** A picture from any URL (a message's PicUrl), no larger than `maxBytes`. */
export async function fetchPicture(
  url: string,
  maxBytes: number,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Picture> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`picture answered HTTP ${response.status}`);
  return readCapped(response, maxBytes);
}

export class PictureTooLargeError extends Error {}

/** The body, read until `maxBytes` and no further: a size cap that does not trust Content-Length. */
async function readCapped(response: Response, maxBytes: number): Promise<Picture> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new PictureTooLargeError(`picture of ${declared} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PictureTooLargeError(`picture over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const mime = response.headers.get("content-type")?.split(";")[0]?.trim();
  return { bytes: Buffer.concat(chunks), ...(mime ? { mime } : {}) };
}
