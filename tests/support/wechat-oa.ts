/**
 * WeChat's side of an Official Account, for tests: `officialAccount` signs and (in safe mode) encrypts
 * posts exactly as WeChat's servers do, and reads the passive replies; `startWechatApi` is a stand-in of
 * WeChat's API host on 127.0.0.1 (access tokens, customer-service messages, media) that records its calls.
 * Written from WeChat's documentation with node:crypto alone, apart from the code under test.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A 1×1 PNG. */
export const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

export interface AccountKeys {
  token: string;
  appId: string;
  /** The 43-character EncodingAESKey. */
  aesKey: string;
}

const sha1 = (parts: string[]) =>
  createHash("sha1")
    .update([...parts].sort().join(""))
    .digest("hex");

function aes(aesKey: string): { key: Buffer; iv: Buffer } {
  const key = Buffer.from(`${aesKey}=`, "base64");
  return { key, iv: key.subarray(0, 16) };
}

/** random(16) + length(4, big-endian) + message + appid, PKCS#7-padded to 32 bytes, AES-256-CBC, base64. */
export function wechatEncrypt(aesKey: string, appId: string, message: string): string {
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, "utf8")]);
  const pad = 32 - (plain.length % 32);
  const { key, iv } = aes(aesKey);
  const cipher = createCipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString("base64");
}

export function wechatDecrypt(aesKey: string, encrypted: string): { message: string; appId: string } {
  const { key, iv } = aes(aesKey);
  const decipher = createDecipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, "base64")), decipher.final()]);
  const plain = padded.subarray(0, padded.length - (padded.at(-1) ?? 0));
  const length = plain.readUInt32BE(16);
  return {
    message: plain.subarray(20, 20 + length).toString("utf8"),
    appId: plain.subarray(20 + length).toString("utf8"),
  };
}

/** What WeChat's XML carries: strings (in CDATA) and numbers (bare; a MsgId is a 64-bit bigint). */
export type Fields = Record<string, string | number | bigint>;

/** WeChat's flat XML: strings in CDATA, numbers bare. */
export function wechatXml(fields: Fields): string {
  const parts = Object.entries(fields).map(([name, value]) =>
    typeof value === "string" ? `<${name}><![CDATA[${value}]]></${name}>` : `<${name}>${value}</${name}>`,
  );
  return `<xml>${parts.join("")}</xml>`;
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return match ? (match[1] ?? match[2]) : undefined;
}

export interface Post {
  /** Path and query for posdesk. */
  path: string;
  body: string;
}

export interface OfficialAccount {
  keys: AccountKeys;
  /** The query of WeChat's server check (GET), signed with `token` (default: the account's). */
  check(echostr: string, token?: string): string;
  /** A post of `fields` (a message or an event), plain or in safe mode, as WeChat sends it. */
  post(fields: Fields, options?: PostOptions): Post;
  /** The passive reply's fields (a safe-mode reply verified and decrypted first). */
  read(reply: string, mode?: "plain" | "safe"): Record<string, string>;
}

export interface PostOptions {
  mode?: "plain" | "safe";
  /** Sign with another token (a forger's). */
  token?: string;
  /** Encrypt for another appid. */
  appId?: string;
  /** The XML body as it is to be sent, before any encryption (malformed documents). */
  rawXml?: string;
  /** In safe mode, this in `Encrypt` (signed all the same) instead of the encrypted message. */
  encrypt?: string;
}

export function officialAccount(keys: AccountKeys): OfficialAccount {
  const stamp = () => ({
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: randomBytes(6).toString("hex"),
  });
  return {
    keys,
    check(echostr, token = keys.token) {
      const { timestamp, nonce } = stamp();
      const signature = sha1([token, timestamp, nonce]);
      return `/wechat/oa?${new URLSearchParams({ signature, timestamp, nonce, echostr })}`;
    },
    post(fields, options = {}) {
      const token = options.token ?? keys.token;
      const { timestamp, nonce } = stamp();
      const openid = String(fields.FromUserName ?? "");
      const signature = sha1([token, timestamp, nonce]);
      const xml = options.rawXml ?? wechatXml(fields);
      if (options.mode !== "safe") {
        return {
          path: `/wechat/oa?${new URLSearchParams({ signature, timestamp, nonce, openid })}`,
          body: xml,
        };
      }
      const encrypt = options.encrypt ?? wechatEncrypt(keys.aesKey, options.appId ?? keys.appId, xml);
      const query = new URLSearchParams({
        signature,
        timestamp,
        nonce,
        openid,
        encrypt_type: "aes",
        msg_signature: sha1([token, timestamp, nonce, encrypt]),
      });
      const body = wechatXml({ ToUserName: String(fields.ToUserName ?? ""), Encrypt: encrypt });
      return { path: `/wechat/oa?${query}`, body };
    },
    read(reply, mode = "plain") {
      let xml = reply;
      if (mode === "safe") {
        const encrypt = tag(reply, "Encrypt") ?? "";
        const timestamp = tag(reply, "TimeStamp") ?? "";
        const nonce = tag(reply, "Nonce") ?? "";
        if (tag(reply, "MsgSignature") !== sha1([keys.token, timestamp, nonce, encrypt])) {
          throw new Error(`the reply's MsgSignature does not match: ${reply}`);
        }
        const opened = wechatDecrypt(keys.aesKey, encrypt);
        if (opened.appId !== keys.appId) throw new Error(`the reply is sealed for ${opened.appId}`);
        xml = opened.message;
      }
      const fields: Record<string, string> = {};
      for (const name of ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]) {
        const value = tag(xml, name);
        if (value !== undefined) fields[name] = value;
      }
      return fields;
    },
  };
}

/** One customer-service message the stand-in took. */
export interface SentMessage {
  touser: string;
  content: string;
  accessToken: string;
}

export interface WechatApiStandIn {
  base: string;
  /** Access tokens issued so far, in order. */
  tokensIssued: string[];
  sent: SentMessage[];
  mediaFetched: string[];
  /** What `/cgi-bin/token` says a token lives, in seconds (WeChat: 7200). */
  expiresIn: number;
  /** Calls refused for an access token that is not (or no longer) valid. */
  rejected: number;
  /** Voids every token issued so far (as a fetch elsewhere, or WeChat, may). */
  voidTokens(): void;
  /** When set, custom/send answers with this error. */
  refuseSend?: { errcode: number; errmsg: string };
  /** Media by MediaId for `/cgi-bin/media/get`. */
  media: Map<string, Buffer>;
  /** A URL of the stand-in serving TINY_PNG as a message's PicUrl, after `delayMs`. */
  pictureUrl(delayMs?: number): string;
  /** Messages sent to `openid`, waited for until there are `count` (or fails after `timeoutMs`). */
  sentTo(openid: string, count?: number, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}

const APPID_SECRET = { appid: "wx-test-appid", secret: "test-secret" };
export const STAND_IN_CREDENTIALS = APPID_SECRET;

/** The test account: the stand-in's appid, a token and an EncodingAESKey of WeChat's 43 characters. */
export const testAccount = (): OfficialAccount =>
  officialAccount({
    token: "posdesk-test-token",
    appId: APPID_SECRET.appid,
    aesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  });

let sequence = 0;
/** A 64-bit MsgId, as WeChat's are (beyond a JavaScript number's exact range), never the same twice. */
export const nextMsgId = (): bigint => BigInt(Date.now()) * 1000n + BigInt(++sequence);

export async function startWechatApi(): Promise<WechatApiStandIn> {
  const live = new Set<string>();
  const state: Omit<WechatApiStandIn, "base" | "pictureUrl" | "sentTo" | "close" | "voidTokens"> = {
    rejected: 0,
    tokensIssued: [],
    sent: [],
    mediaFetched: [],
    expiresIn: 7200,
    media: new Map(),
  };
  const reply = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const valid = (token: string | null) => {
    if (token !== null && live.has(token)) return true;
    state.rejected += 1;
    return false;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const q = url.searchParams;
    if (url.pathname === "/cgi-bin/token") {
      if (q.get("grant_type") !== "client_credential" || q.get("appid") !== APPID_SECRET.appid) {
        return reply(res, { errcode: 40013, errmsg: "invalid appid" });
      }
      if (q.get("secret") !== APPID_SECRET.secret)
        return reply(res, { errcode: 40125, errmsg: "invalid appsecret" });
      const token = `token-${state.tokensIssued.length + 1}`;
      state.tokensIssued.push(token);
      live.add(token);
      return reply(res, { access_token: token, expires_in: state.expiresIn });
    }
    if (url.pathname === "/cgi-bin/message/custom/send" && req.method === "POST") {
      const body = JSON.parse(await read(req)) as {
        touser: string;
        msgtype: string;
        text: { content: string };
      };
      if (!valid(q.get("access_token"))) return reply(res, { errcode: 40001, errmsg: "invalid credential" });
      if (state.refuseSend) return reply(res, state.refuseSend);
      state.sent.push({
        touser: body.touser,
        content: body.text.content,
        accessToken: q.get("access_token") ?? "",
      });
      return reply(res, { errcode: 0, errmsg: "ok" });
    }
    if (url.pathname === "/cgi-bin/media/get") {
      if (!valid(q.get("access_token"))) return reply(res, { errcode: 40001, errmsg: "invalid credential" });
      const media = state.media.get(q.get("media_id") ?? "");
      if (!media) return reply(res, { errcode: 40007, errmsg: "invalid media_id" });
      state.mediaFetched.push(q.get("media_id") ?? "");
      res.writeHead(200, { "Content-Type": "image/png", "Content-Length": media.length }).end(media);
      return;
    }
    if (url.pathname === "/pictures/tiny.png") {
      await new Promise((resolve) => setTimeout(resolve, Number(q.get("delay") ?? 0)));
      res.writeHead(200, { "Content-Type": "image/png" }).end(TINY_PNG);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    base,
    voidTokens: () => live.clear(),
    pictureUrl: (delayMs = 0) => `${base}/pictures/tiny.png?delay=${delayMs}`,
    async sentTo(openid: string, count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mine = state.sent.filter((m) => m.touser === openid);
        if (mine.length >= count) return mine;
        if (Date.now() > deadline)
          throw new Error(`waited for ${count} message(s) to ${openid}, got ${mine.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });
}
