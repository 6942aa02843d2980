/**
 * Satisfaction, as a merchant meets it: asked once for a rating when a problem is over (a flow ended
 * resolved, an agent closed the handoff), then for an optional comment. Each test one behaviour, through the
 * real engine, model and flows.
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { Rating } from "../../src/domain/rating.js";
import { ConversationEngine } from "../../src/engine/engine.js";
import { QUIET_MS } from "../../src/engine/satisfaction.js";
import { MemoryStore } from "../../src/store/memory.js";
import { Switchboard } from "../../src/switchboard.js";
import { type Chat, nlu, talk } from "../support/conversation.js";

const SCORES = ["rating_1", "rating_2", "rating_3", "rating_4", "rating_5"];

/** A declined card fixed: the rating question is pending. */
async function solved(chat: Chat = talk()): Promise<Chat> {
  await chat.say("刷卡提示51");
  await chat.say("解决了");
  return chat;
}

/** A merchant handed to a person, and the agent closing the handoff as `resolution`. */
async function closedByAgent(chat: Chat = talk(), resolution: "card_declined" | "none" = "card_declined") {
  await chat.say("此卡无法交易");
  const handoffId = (await chat.say("转人工")).handoff?.id ?? "";
  const closed = await chat.engine.closeHandoff(handoffId, resolution, "fixed on the phone");
  return { chat, handoffId, closed };
}

describe("after a flow ends resolved", () => {
  it("asks for a rating, the scores as quick replies in score order", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const turn = await chat.say("解决了");
    expect(turn.replyKeys).toEqual(["common.glad", "engine.rating.askAfterFlow"]);
    expect(turn.optionIds).toEqual(SCORES);
    expect(turn.options).toEqual(["非常不满意", "不满意", "一般", "满意", "非常满意"]);
  });

  it("waits while a problem put aside is still to come back to, and asks once it is dropped", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    await chat.say("打印机没纸了");
    await chat.say("不是");
    const solvedFirst = await chat.say("好了");
    expect(solvedFirst.replyKeys).toContain("engine.resumeOffer");
    expect(solvedFirst.replyKeys).not.toContain("engine.rating.askAfterFlow");
    const dropped = await chat.say("不用了");
    expect(dropped.replyKeys).toEqual(["engine.rating.askAfterFlow"]);
  });
});

describe("the rating", () => {
  it.each([
    ["a number", "4", 4],
    ["满意", "满意", 4],
    ["不满意", "不满意", 2],
    ["5分", "5分", 5],
    ["a quick reply's label", "非常不满意", 1],
    ["一般般吧", "一般般吧", 3],
    ["打4分", "打4分", 4],
  ])("is read from %s", async (_what, text, score) => {
    const chat = await solved();
    const turn = await chat.say(text);
    expect(turn.rating?.score).toBe(score);
    expect(turn.replyKeys).toEqual([score <= 2 ? "engine.rating.commentLow" : "engine.rating.comment"]);
  });

  it("is read in English too: very satisfied, 4/5", async () => {
    for (const [text, score] of [
      ["very satisfied", 5],
      ["4/5", 4],
    ] as const) {
      const chat = talk({ locale: "en" });
      await chat.say("card declined with code 51");
      await chat.say("yes");
      expect((await chat.say(text)).rating?.score).toBe(score);
    }
  });

  it("is kept in the store and on the conversation, with what was rated", async () => {
    const chat = await solved();
    const turn = await chat.say("5分");
    const rating = Rating.parse(turn.rating);
    expect(rating).toMatchObject({
      conversationId: turn.conversationId,
      score: 5,
      after: "flow",
      topic: "card_declined",
      channel: "cli",
    });
    expect(rating.handoffId).toBeUndefined();
    expect(await chat.engine.store.ratings()).toEqual([rating]);
    expect((await chat.engine.store.getConversation(turn.conversationId))?.lastRating).toEqual(rating);
  });

  it("given with more said in one message keeps that as its comment, and asks nothing more", async () => {
    const chat = await solved();
    const turn = await chat.say("不满意，等了太久");
    expect(turn.rating).toMatchObject({ score: 2, comment: "不满意，等了太久" });
    expect(turn.replyKeys).toEqual(["engine.rating.thanks"]);
    expect(turn.options).toEqual([]);
  });
});

describe("the comment", () => {
  it("is any free text, kept with the rating", async () => {
    const chat = await solved();
    await chat.say("4");
    const turn = await chat.say("步骤写得很清楚");
    expect(turn.replyKeys).toEqual(["engine.rating.thanks"]);
    expect(turn.rating).toMatchObject({ score: 4, comment: "步骤写得很清楚" });
    const [kept] = await chat.engine.store.ratings();
    expect(kept).toMatchObject({ score: 4, comment: "步骤写得很清楚" });
    expect(await chat.engine.store.ratings()).toHaveLength(1);
  });

  it("is kept with card numbers masked", async () => {
    const chat = await solved();
    await chat.say("4");
    const turn = await chat.say("谢谢，6222021234567894 这张卡也能用了");
    expect(turn.rating?.comment).toBe("谢谢，622202******7894 这张卡也能用了");
    expect(JSON.stringify(await chat.engine.store.ratings())).not.toContain("6222021234567894");
  });

  it("may be skipped: the rating stays as given", async () => {
    const chat = await solved();
    await chat.say("满意");
    const turn = await chat.say("跳过");
    expect(turn.replyKeys).toEqual(["engine.rating.skipped"]);
    expect(turn.rating).toBeUndefined();
    const [kept] = await chat.engine.store.ratings();
    expect(kept?.score).toBe(4);
    expect(kept?.comment).toBeUndefined();
  });

  it("is no comment when it states a new problem: that problem starts", async () => {
    const chat = await solved();
    await chat.say("4");
    const turn = await chat.say("昨天的钱还没到账");
    expect(turn.flow).toBe("settlement_delay");
    expect((await chat.engine.store.ratings())[0]?.comment).toBeUndefined();
  });

  it("may praise the agent without being taken for a request for one", async () => {
    const chat = await solved();
    await chat.say("5");
    const turn = await chat.say("客服很耐心");
    expect(turn.handoff).toBeNull();
    expect(turn.rating?.comment).toBe("客服很耐心");
  });
});

describe("a new problem instead of a rating", () => {
  it("starts that problem, and nothing is rated", async () => {
    const chat = await solved();
    const turn = await chat.say("打印机卡纸了");
    expect(turn.flow).toBe("printer_problem");
    expect(turn.rating).toBeUndefined();
    expect(await chat.engine.store.ratings()).toEqual([]);
  });
});

describe("feedback instead of a rating", () => {
  it("is thanked, not taken for a problem nor left unanswered, and nothing is rated", async () => {
    const chat = await solved();
    const turn = await chat.say("你们太慢了");
    expect(turn.replyKeys).toEqual(["engine.rating.thanks"]);
    expect(turn.rating).toBeUndefined();
    expect(await chat.engine.store.ratings()).toEqual([]);
  });
});

describe("asked once", () => {
  it("is not asked again after a reply that is no rating", async () => {
    const chat = await solved();
    const turn = await chat.say("qzx vbn");
    expect(turn.replyKeys).not.toContain("engine.rating.askAfterFlow");
    expect(turn.optionIds).not.toEqual(SCORES);
  });

  it("is not asked twice in a row: a second problem solved soon after asks 'anything else?'", async () => {
    const chat = await solved();
    await chat.say("5");
    await chat.say("跳过");
    await chat.say("POS机开不了机");
    const turn = await chat.say("可以了");
    expect(turn.replyKeys).toEqual(["common.glad", "engine.anythingElse"]);
  });

  it("is asked again in a later sitting", async () => {
    let now = new Date("2026-05-01T09:00:00.000Z");
    const engine = new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS, now: () => now });
    const chat = await solved(talk({ engine }));
    await chat.say("5");
    now = new Date(now.getTime() + QUIET_MS);
    await chat.say("POS机开不了机");
    const turn = await chat.say("可以了");
    expect(turn.replyKeys).toEqual(["common.glad", "engine.rating.askAfterFlow"]);
  });
});

describe("after an agent closes a handoff", () => {
  it("asks the merchant to rate the agent's help, the scores as quick replies", async () => {
    const { closed } = await closedByAgent();
    expect(closed.replyKey).toBe("engine.rating.askAfterHandoff");
    expect(closed.optionIds).toEqual(SCORES);
    expect(closed.options).toHaveLength(5);
    expect(closed.conversation.question?.rating).toMatchObject({ stage: "score", after: "handoff" });
  });

  it("keeps the rating on the handoff rated, the agent's resolution its topic", async () => {
    const { chat, handoffId } = await closedByAgent(talk(), "card_declined");
    const turn = await chat.say("非常满意");
    expect(turn.rating).toMatchObject({ score: 5, after: "handoff", handoffId, topic: "card_declined" });
    expect((await chat.engine.store.getHandoff(handoffId))?.rating?.score).toBe(5);
    await chat.say("客服很专业");
    expect((await chat.engine.store.getHandoff(handoffId))?.rating?.comment).toBe("客服很专业");
  });

  it("rates the handoff's own topic when the agent's resolution is none, and no topic when it had none", async () => {
    const { chat } = await closedByAgent(talk(), "none");
    expect((await chat.say("3")).rating?.topic).toBe("card_declined");

    const direct = talk();
    const handoffId = (await direct.say("转人工")).handoff?.id ?? "";
    await direct.engine.closeHandoff(handoffId, "none");
    expect((await direct.say("3")).rating?.topic).toBeNull();
  });

  it("says only the closing note when the merchant was asked a moment ago", async () => {
    const chat = await solved();
    await chat.say("5");
    const handoffId = (await chat.say("转人工")).handoff?.id ?? "";
    const closed = await chat.engine.closeHandoff(handoffId, "card_declined");
    expect(closed.replyKey).toBe("engine.handoffClosed");
    expect(closed.options).toEqual([]);
  });
});

describe("never during a handoff", () => {
  it("drops a rating pending when the merchant asks for a person: a score then goes to the agent", async () => {
    const chat = await solved();
    const handedOver = await chat.say("转人工");
    expect(handedOver.handoff?.reason).toBe("requested");
    expect(handedOver.options).toEqual([]);
    const turn = await chat.say("5");
    expect(turn.replyKeys).toEqual(["engine.withAgent"]);
    expect(await chat.engine.store.ratings()).toEqual([]);
  });
});

describe("the onRating hook", () => {
  it("tells a listener of each rating, and again when its comment is added", async () => {
    const switchboard = new Switchboard(
      new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS }),
    );
    const heard: Rating[] = [];
    switchboard.onRating((rating) => {
      heard.push(rating);
    });
    const say = async (text: string, conversationId?: string) =>
      switchboard.handle({ text, channel: "web", ...(conversationId ? { conversationId } : {}) });
    const { conversationId } = await say("刷卡提示51");
    await say("解决了", conversationId);
    await say("4", conversationId);
    await say("很快", conversationId);
    expect(heard.map((r) => [r.score, r.comment])).toEqual([
      [4, undefined],
      [4, "很快"],
    ]);
    expect(heard[1]?.at).toBe(heard[0]?.at);
  });

  it("does not fail the turn when a listener throws", async () => {
    const switchboard = new Switchboard(
      new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS }),
    );
    switchboard.onRating(() => {
      throw new Error("webhook down");
    });
    switchboard.onRating(async () => {
      throw new Error("webhook down, later");
    });
    const { conversationId } = await switchboard.handle({ text: "刷卡提示51", channel: "web" });
    await switchboard.handle({ text: "解决了", channel: "web", conversationId });
    const turn = await switchboard.handle({ text: "5", channel: "web", conversationId });
    expect(turn.replyKeys).toEqual(["engine.rating.comment"]);
  });

  it("stops telling a listener once it unsubscribes", async () => {
    const switchboard = new Switchboard(
      new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS }),
    );
    let heard = 0;
    const stop = switchboard.onRating(() => {
      heard += 1;
    });
    stop();
    const { conversationId } = await switchboard.handle({ text: "刷卡提示51", channel: "web" });
    await switchboard.handle({ text: "解决了", channel: "web", conversationId });
    await switchboard.handle({ text: "5", channel: "web", conversationId });
    expect(heard).toBe(0);
  });
});
