/**
 * Scripted conversations against the real engine (real model, real flows) over an in-memory store or a
 * given one: `const chat = talk(); await chat.say("刷卡提示51")`.
 */
import { FLOWS } from "../../flows/index.js";
import type { Channel } from "../../src/domain/handoff.js";
import type { Locale } from "../../src/domain/intents.js";
import { ConversationEngine, type TurnResult } from "../../src/engine/engine.js";
import type { PictureReader } from "../../src/engine/pictures.js";
import { loadNlu } from "../../src/nlu/model.js";
import { MemoryStore } from "../../src/store/memory.js";
import type { Store } from "../../src/store/store.js";

export const nlu = loadNlu().nlu;

export function engineFor(store: Store = new MemoryStore(), pictures?: PictureReader): ConversationEngine {
  return new ConversationEngine({ nlu, store, flows: FLOWS, ...(pictures ? { pictures } : {}) });
}

/** A stand-in for OCR: every picture reads as `text`; the bytes it was given are kept in `seen`. */
export function readerOf(text: string): PictureReader & { seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  return {
    seen,
    async read(picture) {
      seen.push(picture.bytes);
      return { text, redacted: new Uint8Array([1, 2, 3]), redactedType: "image/png" };
    },
  };
}

export interface Chat {
  readonly engine: ConversationEngine;
  readonly id: string | undefined;
  readonly last: TurnResult;
  say(text: string): Promise<TurnResult>;
}

export function talk(
  options: { engine?: ConversationEngine; locale?: Locale; channel?: Channel; id?: string } = {},
): Chat {
  const engine = options.engine ?? engineFor();
  let id = options.id;
  let last: TurnResult | undefined;
  return {
    engine,
    get id() {
      return id;
    },
    get last() {
      if (!last) throw new Error("nothing said yet");
      return last;
    },
    async say(text: string) {
      last = await engine.handle({
        text,
        channel: options.channel ?? "cli",
        ...(id ? { conversationId: id } : {}),
        ...(options.locale ? { locale: options.locale } : {}),
      });
      id = last.conversationId;
      return last;
    },
  };
}
