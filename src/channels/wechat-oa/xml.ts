/**
 * WeChat's XML, in and out (fast-xml-parser): the messages and events it posts, the safe-mode envelope
 * around them, and the passive reply (one text message), sealed the same way when the request was.
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";

/** What WeChat posts, decrypted: every field a string (a MsgId is a 64-bit number: as a number it would round). */
export const InboundMessage = z
  .object({
    ToUserName: z.string().min(1),
    FromUserName: z.string().min(1),
    CreateTime: z.string().regex(/^\d+$/),
    MsgType: z.string().min(1),
    MsgId: z.string().min(1).optional(),
    Content: z.string().optional(),
    PicUrl: z.string().optional(),
    MediaId: z.string().optional(),
    Format: z.string().optional(),
    /** WeChat's speech recognition of a voice message, where the account has it switched on. */
    Recognition: z.string().optional(),
    Event: z.string().optional(),
    EventKey: z.string().optional(),
  })
  .loose();
export type InboundMessage = z.infer<typeof InboundMessage>;

/** The safe-mode envelope: the message is in `Encrypt`. */
const Envelope = z.object({ Encrypt: z.string().min(1) }).loose();

export class XmlError extends Error {}

const parser = new XMLParser({
  // Everything stays a string: numbers would lose MsgId's digits, and "05" is a response code, not 5.
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  htmlEntities: false,
});
const builder = new XMLBuilder({ cdataPropName: "__cdata", suppressEmptyNode: false });

/** The children of `<xml>`, as WeChat's flat documents have them. */
function readDocument(xml: string): Record<string, unknown> {
  // WeChat never sends a DTD; refusing one leaves no room for entity expansion tricks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlError("a DTD is not accepted");
  if (XMLValidator.validate(xml) !== true) throw new XmlError("malformed XML");
  const root = (parser.parse(xml) as { xml?: unknown }).xml;
  if (typeof root !== "object" || root === null) throw new XmlError("no <xml> document");
  return root as Record<string, unknown>;
}

function fields<T>(schema: z.ZodType<T>, xml: string): T {
  const parsed = schema.safeParse(readDocument(xml));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new XmlError(`unexpected message: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}

export function parseMessage(xml: string): InboundMessage {
  return fields(InboundMessage, xml);
}

/** The `Encrypt` of a safe-mode (or compatible-mode) request. */
export function parseEnvelope(xml: string): string {
  return fields(Envelope, xml).Encrypt;
}

const cdata = (text: string) => ({ __cdata: text });

/** A passive text reply to `message`: to its sender, from the account it was sent to. */
export function textReply(message: InboundMessage, content: string, now = Date.now()): string {
  return builder.build({
    xml: {
      ToUserName: cdata(message.FromUserName),
      FromUserName: cdata(message.ToUserName),
      CreateTime: Math.floor(now / 1000),
      MsgType: cdata("text"),
      Content: cdata(content),
    },
  }) as string;
}

/** A sealed reply, as WeChat expects it back from a safe-mode request. */
export function envelopeReply(sealed: {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}): string {
  return builder.build({
    xml: {
      Encrypt: cdata(sealed.encrypt),
      MsgSignature: cdata(sealed.signature),
      TimeStamp: sealed.timestamp,
      Nonce: cdata(sealed.nonce),
    },
  }) as string;
}
