/**
 * Pictures of the screen or slip in a conversation, with a stand-in reader (what OCR read is given): the
 * text read goes through the NLU, the flow goes on with it, the bot says what it saw, a bad picture gets
 * its own answer, and the redacted copy is kept for agents.
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../../src/engine/engine.js";
import { PictureError, type PictureProblem, type PictureReader } from "../../src/engine/pictures.js";
import { MemoryStore } from "../../src/store/memory.js";
import { nlu } from "../support/conversation.js";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

/** A reader that reads what it is told to: the text, or a problem. */
function readerOf(answer: string | PictureProblem, redacted = new Uint8Array([1, 2, 3])): PictureReader {
  return {
    async read() {
      if (!answer.includes("\n") && isProblem(answer)) throw new PictureError(answer);
      return { text: answer, redacted, redactedType: "image/png" };
    },
  };
}

const PROBLEMS: PictureProblem[] = [
  "not_an_image",
  "too_large",
  "too_many_pixels",
  "unreadable",
  "no_text",
  "busy",
];
const isProblem = (s: string): s is PictureProblem => (PROBLEMS as string[]).includes(s);

function engineWith(reader: PictureReader, store = new MemoryStore()) {
  return new ConversationEngine({ nlu, store, flows: FLOWS, pictures: reader });
}

const SCREEN = "收银台\n交易失败\n应答码：51\n余额不足\n金额：¥128.00\n确定";

describe("a picture of the terminal's screen", () => {
  it("is understood by what it shows: the code routes the flow and its question is skipped", async () => {
    const engine = engineWith(readerOf(SCREEN));
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    expect(turn.intent).toBe("card_declined");
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("confirmFixed");
    expect(turn.seen).toEqual({ text: SCREEN, responseCode: "51" });
    expect(turn.replies.join()).toContain("余额不足");
  });

  it("says back only the lines that say what happened", async () => {
    const engine = engineWith(readerOf(SCREEN));
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    expect(turn.replies[0]).toBe("我看到图片上写着：交易失败 / 应答码：51 / 余额不足");
  });

  it("answers the question the bot asked: the code on the screen", async () => {
    const store = new MemoryStore();
    const engine = engineWith(readerOf("消费\n交易失败\n返回码=05\n请按确认键返回"), store);
    const first = await engine.handle({ text: "此卡无法交易", channel: "web" });
    expect(first.state).toBe("askResponseCode");
    const turn = await engine.handle({
      conversationId: first.conversationId,
      text: "",
      channel: "web",
      picture: { bytes: PNG },
    });
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("confirmFixed");
    expect((await store.getConversation(first.conversationId))?.flow).not.toBeNull();
  });

  it("never takes a button on the screen for an answer", async () => {
    const engine = engineWith(readerOf("收银台\n通讯失败\n确定"));
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    expect(turn.intent).toBe("network_failure");
    // The flow's first question stands: "确定" (OK) on the screen answered nothing.
    expect(turn.options.length).toBeGreaterThan(0);
    expect(turn.state).not.toBe("confirmFixed");
  });

  it("takes what the merchant typed with the picture as part of the message", async () => {
    const engine = engineWith(readerOf("交易失败\n应答码：61\n超出金额限制"));
    const turn = await engine.handle({
      text: "客户刷5000的时候",
      channel: "web",
      picture: { bytes: PNG },
    });
    expect(turn.flow).toBe("limit_exceeded");
    expect(turn.seen?.responseCode).toBe("61");
  });

  it("keeps the redacted copy for agents and points the transcript at it", async () => {
    const store = new MemoryStore();
    const engine = engineWith(readerOf(SCREEN, new Uint8Array([9, 8, 7])), store);
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    const [said] = await store.transcript(turn.conversationId);
    expect(said).toMatchObject({ from: "merchant", text: SCREEN, intent: "card_declined" });
    expect(said?.picture).toBe(turn.picture);
    const kept = await store.getPicture(said?.picture ?? "");
    expect(kept).toMatchObject({ conversationId: turn.conversationId, mime: "image/png" });
    expect([...(kept?.bytes ?? [])]).toEqual([9, 8, 7]);
  });

  it("masks a card number read from the picture everywhere it is said or kept", async () => {
    const store = new MemoryStore();
    const engine = engineWith(readerOf("交易失败\n卡号 6222021234567894\n应答码：51\n余额不足"), store);
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    const everything = JSON.stringify([turn, await store.transcript(turn.conversationId)]);
    expect(everything).not.toContain("6222021234567894");
    expect(turn.seen?.text).toContain("622202******7894");
  });
});

describe("a picture that cannot be read", () => {
  it.each(PROBLEMS)("gets its own answer (%s), and the question asked stands", async (problem) => {
    const engine = engineWith(readerOf(problem));
    const first = await engine.handle({ text: "此卡无法交易", channel: "web" });
    const turn = await engine.handle({
      conversationId: first.conversationId,
      text: "",
      channel: "web",
      picture: { bytes: PNG },
    });
    expect(turn.replyKeys[0]).toBe(`engine.picture.${problem}`);
    expect(turn.state).toBe("askResponseCode");
    expect(turn.seen).toEqual({ text: "", responseCode: null });
  });

  it("is unreadable when the reader fails for any other reason", async () => {
    const engine = engineWith({
      async read() {
        throw new Error("worker died");
      },
    });
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    expect(turn.replyKeys[0]).toBe("engine.picture.unreadable");
  });

  it("gets a hint to describe it in words where no reader is set up", async () => {
    const engine = new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS });
    const turn = await engine.handle({ text: "", channel: "web", picture: { bytes: PNG } });
    expect(turn.replyKeys[0]).toBe("engine.picture.unreadable");
  });
});
