/**
 * `/wechat/oa`: WeChat's server check (GET) and its message posts (POST, XML), plain or in safe mode. Every
 * request is signed with the account's Token; a safe-mode message is opened, checked for this account's
 * appid, and its passive reply sealed the same way. What the message means is the channel's business.
 */
import { randomBytes } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { WechatOaChannel } from "./channel.js";
import type { WechatOaConfig } from "./config.js";
import { EnvelopeError, openEnvelope, sameSignature, sealEnvelope, sign } from "./crypto.js";
import {
  envelopeReply,
  type InboundMessage,
  parseEnvelope,
  parseMessage,
  textReply,
  XmlError,
} from "./xml.js";

export const WECHAT_OA_PATH = "/wechat/oa";

/** The query's string parameters (WeChat sends each once; anything else counts as absent). */
function param(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === "string" ? value : "";
}

function refuse(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

export function wechatOaRouter(options: {
  config: WechatOaConfig;
  channel: WechatOaChannel;
  bodyLimit?: string;
}): Router {
  const { config, channel } = options;
  const router = express.Router();
  const signed = (req: Request) =>
    sameSignature(sign(config.token, param(req, "timestamp"), param(req, "nonce")), param(req, "signature"));

  /** The check WeChat makes when the server URL is saved: echo `echostr` if the signature is ours. */
  router.get(WECHAT_OA_PATH, (req, res) => {
    if (!signed(req)) return refuse(res, 401, "signature does not match");
    res.type("text/plain").send(param(req, "echostr"));
  });

  router.post(
    WECHAT_OA_PATH,
    // WeChat posts text/xml; any declared type is read as text, the XML parser judges it.
    express.text({ type: () => true, limit: options.bodyLimit ?? "64kb" }),
    async (req, res) => {
      const body: unknown = req.body;
      if (typeof body !== "string" || !body.trim()) return refuse(res, 400, "an XML body is required");
      const encrypted = param(req, "encrypt_type") === "aes";
      let message: InboundMessage;
      try {
        message = encrypted ? openSafeMode(config, req, body) : openPlain(req, body, signed);
      } catch (error) {
        if (error instanceof EnvelopeError) return refuse(res, error.status, error.message);
        if (error instanceof XmlError) return refuse(res, 400, error.message);
        throw error;
      }
      const answer = await channel.receive(message);
      if (answer === "success") return res.type("text/plain").send("success");
      const reply = textReply(message, answer.passive);
      res.type("application/xml").send(encrypted ? seal(config, reply) : reply);
    },
  );
  return router;
}

function openPlain(req: Request, body: string, signed: (req: Request) => boolean): InboundMessage {
  if (!signed(req)) throw new EnvelopeError(401, "signature does not match");
  return parseMessage(body);
}

/** Safe (and compatible) mode: `msg_signature` covers the ciphertext, which holds the message and the appid. */
function openSafeMode(config: WechatOaConfig, req: Request, body: string): InboundMessage {
  const { aesKey, appId } = config;
  if (!aesKey || !appId)
    throw new EnvelopeError(400, "encrypted messages need WECHAT_OA_AES_KEY and WECHAT_OA_APPID");
  const encrypt = parseEnvelope(body);
  const expected = sign(config.token, param(req, "timestamp"), param(req, "nonce"), encrypt);
  if (!sameSignature(expected, param(req, "msg_signature")))
    throw new EnvelopeError(401, "msg_signature does not match");
  return parseMessage(openEnvelope(aesKey, appId, encrypt));
}

function seal(config: WechatOaConfig, reply: string): string {
  const { aesKey = "", appId = "" } = config;
  const encrypt = sealEnvelope(aesKey, appId, reply);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString("hex");
  return envelopeReply({
    encrypt,
    signature: sign(config.token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
  });
}
