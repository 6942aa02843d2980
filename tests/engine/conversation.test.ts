import { describe, expect, it } from "vitest";
import { HandoffSummary } from "../../src/domain/handoff.js";
import { talk } from "../support/conversation.js";

describe("a troubleshooting conversation", () => {
  it("starts the card_declined flow and asks for the code when the merchant gave none", async () => {
    const chat = talk();
    const turn = await chat.say("此卡无法交易");
    expect(turn.intent).toBe("card_declined");
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("askResponseCode");
    expect(turn.replies.join()).toContain("返回码");
  });

  it("does not ask for the code when the first message quoted it", async () => {
    const turn = await talk().say("刷卡提示51");
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("confirmFixed");
    expect(turn.replies.join()).toContain("余额不足");
    expect(turn.options).toEqual(["解决了", "还是不行"]);
  });

  it("keeps an answer to the current question inside the flow", async () => {
    const chat = talk();
    await chat.say("交易失败了");
    const turn = await chat.say("05");
    expect(turn.flow).toBe("card_declined");
    expect(turn.state).toBe("confirmFixed");
  });

  it("understands a quick reply given by its number", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("1");
    expect(chat.last.state).toBe("askScope");
    const turn = await chat.say("2");
    expect(turn.replies.join()).toContain("重新签到");
  });

  it("switches flows when the merchant clearly raises a new problem", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    const turn = await chat.say("打印机不出小票了");
    expect(turn.flow).toBe("printer_problem");
  });

  it("ends resolved when the fix worked, and says goodbye after", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const fixed = await chat.say("好了");
    expect(fixed.flow).toBeNull();
    expect(fixed.handoff).toBeNull();
    const bye = await chat.say("谢谢");
    expect(bye.intent).toBe("goodbye");
    expect(bye.replies.join()).toContain("不客气");
  });

  it("answers in English to a merchant who writes English", async () => {
    const turn = await talk().say("card declined code 05");
    expect(turn.replies.join()).toContain("do not honour");
  });

  it("greets with a menu of topics, and a menu choice starts that flow", async () => {
    const chat = talk();
    const hello = await chat.say("你好");
    expect(hello.intent).toBe("greeting");
    expect(hello.options.length).toBeGreaterThanOrEqual(3);
    const chosen = await chat.say("1");
    expect(chosen.flow).toBe("card_declined");
  });
});

describe("escalation", () => {
  it("hands over with everything learnt when the fix did not work", async () => {
    const chat = talk();
    await chat.say("刷卡提示05");
    const turn = await chat.say("还是不行");
    const handoff = HandoffSummary.parse(turn.handoff);
    expect(handoff).toMatchObject({
      intent: "card_declined",
      flow: "card_declined",
      reason: "unresolved",
      channel: "cli",
    });
    expect(handoff.facts.responseCode).toBe("05");
    expect(handoff.stepsTried).toEqual([{ step: "tell_customer_use_another_card", result: "not_fixed" }]);
    expect(handoff.transcript.map((e) => e.from)).toEqual(["merchant", "bot", "bot", "merchant", "bot"]);
  });

  it("keeps the topic and facts when the merchant asks for a person mid-flow", async () => {
    const chat = talk();
    await chat.say("交易失败 提示51 金额5000");
    const turn = await chat.say("转人工");
    expect(turn.handoff).toMatchObject({ intent: "card_declined", reason: "requested" });
    expect(turn.handoff?.facts).toMatchObject({ responseCode: "51", amount: 5000 });
  });

  it("gives intent none to a person asked for before any topic", async () => {
    const turn = await talk().say("我要人工客服");
    expect(turn.handoff).toMatchObject({ intent: "none", reason: "requested", flow: null });
  });

  it("escalates a risk code at once with high priority", async () => {
    const turn = await talk().say("刷卡显示41 挂失卡");
    expect(turn.handoff).toMatchObject({ intent: "card_declined", reason: "policy", priority: "high" });
  });

  it("offers the likeliest topics after two messages it did not understand, and a person after three", async () => {
    const chat = talk();
    const first = await chat.say("qzx vbn");
    expect(first.options).toEqual([]);
    const second = await chat.say("mmm kkk zzz");
    expect(second.options.length).toBeGreaterThan(0);
    const third = await chat.say("xkcd qwop");
    expect(third.handoff).toMatchObject({ reason: "not_understood", intent: "none" });
  });

  it("never hands an out-of-scope chat to a person: it says what it helps with, each time", async () => {
    const chat = talk();
    for (const text of ["今天天气怎么样", "你喜欢吃什么", "帮我订个酒店"]) {
      const turn = await chat.say(text);
      expect(turn.handoff).toBeNull();
      expect(turn.replyKeys).toContain("engine.outOfScope");
      expect(turn.options.length).toBeGreaterThan(0);
    }
  });

  it("stays quiet while a person owns the chat, and records every message", async () => {
    const chat = talk();
    await chat.say("转人工");
    const turn = await chat.say("刷卡提示51");
    expect(turn.flow).toBeNull();
    expect(turn.handoff).toBeNull();
    expect(turn.replies.join()).toContain("人工客服");
    const transcript = await chat.engine.store.transcript(turn.conversationId);
    expect(transcript.some((e) => e.from === "merchant" && e.text === "刷卡提示51")).toBe(true);
  });

  it("leaves an emoji to the person who owns the chat, and records it for them", async () => {
    const chat = talk();
    await chat.say("转人工");
    const turn = await chat.say("😭😭");
    expect(turn.replyKeys).toEqual(["engine.withAgent"]);
    const transcript = await chat.engine.store.transcript(turn.conversationId);
    expect(transcript.some((e) => e.from === "merchant" && e.text === "😭😭")).toBe(true);
  });

  it("resumes troubleshooting once the agent closes the handoff", async () => {
    const chat = talk();
    const asked = await chat.say("转人工");
    const handoffId = asked.handoff?.id ?? "";
    await chat.engine.agentMessage(handoffId, "您好，我是客服小王");
    await chat.engine.closeHandoff(handoffId, "card_declined", "customer used another card");
    const turn = await chat.say("刷卡提示51");
    expect(turn.flow).toBe("card_declined");
  });
});

describe("safety", () => {
  it("masks a card number in replies, transcript and handoff", async () => {
    const chat = talk();
    await chat.say("卡号6222021234567894被拒了 提示05");
    const turn = await chat.say("转人工");
    const everything = JSON.stringify([turn, await chat.engine.store.transcript(turn.conversationId)]);
    expect(everything).not.toContain("6222021234567894");
    expect(everything).toContain("622202******7894");
    expect(turn.handoff?.facts.maskedPan).toBe("622202******7894");
  });

  it.each([
    ["an empty message", ""],
    ["whitespace", "   \t "],
    ["emoji only", "😭😭😭"],
    ["a script tag", "<script>alert(1)</script>"],
    ["SQL-looking text", "'; DROP TABLE conversations; --"],
    ["binary noise", "\u0000\u0001\u0002\ufffd\ufffd"],
  ])("answers %s clearly", async (_name, text) => {
    const turn = await talk().say(text);
    expect(turn.replies.length).toBeGreaterThan(0);
    expect(turn.replies.every((r) => r.length > 0)).toBe(true);
  });

  it("reads only the start of a huge message and says so", async () => {
    const turn = await talk().say(`刷卡提示51${"啊".repeat(100_000)}`);
    expect(turn.replies[0]).toContain("太长");
    expect(turn.flow).toBe("card_declined");
  });
});
