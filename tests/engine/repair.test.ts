/**
 * Conversation repair, as merchants trigger it on a phone: vague replies, "don't know", corrections,
 * cancelling, small talk, side questions and new problems mid-flow. Each test is one behaviour, through the
 * real engine, model and flows.
 */
import { describe, expect, it } from "vitest";
import { setup } from "xstate";
import { FLOWS } from "../../flows/index.js";
import * as kit from "../../flows/kit.js";
import { ConversationEngine } from "../../src/engine/engine.js";
import { MemoryStore } from "../../src/store/memory.js";
import { nlu, talk } from "../support/conversation.js";

describe("answer first", () => {
  it("reads 不清楚 as an answer to the pending question, never as the printer's 打印不清楚", async () => {
    const chat = talk();
    await chat.say("手续费怎么收的");
    const turn = await chat.say("不清楚");
    expect(turn.flow).toBe("fees_inquiry");
    expect(turn.replyKeys).toContain("fees_inquiry.rate.unknown");
  });

  it("reads a bare 没有 as a no, never as the settlement topic", async () => {
    const chat = talk();
    await chat.say("手续费怎么收的");
    await chat.say("不清楚");
    const turn = await chat.say("没有");
    expect(turn.flow).toBeNull();
    expect(turn.handoff).toBeNull();
    expect(turn.replyKeys).toEqual(["common.glad", "engine.rating.askAfterFlow"]);
  });

  it("reads a bare English no as 'still not working', never as a network problem", async () => {
    const chat = talk();
    await chat.say("the terminal won't turn on");
    const turn = await chat.say("no");
    expect(turn.flow).toBe("terminal_dead");
    expect(turn.state).toBe("askSerial");
  });

  it("switches topic when a reply clearly states another problem", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const turn = await chat.say("打印机不出小票了");
    expect(turn.flow).toBe("printer_problem");
    expect(turn.replyKeys[0]).toBe("engine.switchTopic");
  });
});

describe("don't know", () => {
  it("first says where to find the answer and asks again", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    const turn = await chat.say("不知道");
    expect(turn.state).toBe("askResponseCode");
    expect(turn.replyKeys).toEqual(["card_declined.hints.askCode", "card_declined.askCode"]);
  });

  it("then goes on without the answer", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("不知道");
    const turn = await chat.say("还是找不到");
    expect(turn.state).toBe("askScope");
  });

  it("after a fix, is told how to check, then handed over if still unsure", async () => {
    const chat = talk();
    await chat.say("POS机开不了机");
    const hinted = await chat.say("不知道");
    expect(hinted.replyKeys[0]).toBe("common.hints.didItWork");
    expect(hinted.flow).toBe("terminal_dead");
    const next = await chat.say("不确定");
    expect(next.state).toBe("askSerial");
  });

  it("records the gap for the agent when it hands over", async () => {
    const chat = talk({ locale: "en" });
    await chat.say("my terminal won't turn on");
    await chat.say("still not working");
    await chat.say("I can't find it");
    const turn = await chat.say("no idea");
    expect(turn.handoff?.reason).toBe("unresolved");
    expect(turn.handoff?.facts).toMatchObject({ serialUnknown: true });
  });
});

describe("don't know that hands over", () => {
  it("hands a limit nobody can name to a person, with the gap in the facts", async () => {
    const chat = talk();
    await chat.say("超出限额了");
    await chat.say("不清楚");
    const turn = await chat.say("不知道");
    expect(turn.handoff?.reason).toBe("unresolved");
    expect(turn.handoff?.facts).toMatchObject({ limitType: "unknown" });
    expect(turn.handoff?.summary).toContain("不清楚");
  });
});

describe("a policy topic reaches a person whatever the merchant answers", () => {
  it("frozen funds, then vague replies: handed over, high priority", async () => {
    const chat = talk();
    await chat.say("我的商户被冻结了，钱不给结算");
    await chat.say("收到短信了");
    await chat.say("不知道");
    const turn = await chat.say("没有");
    expect(turn.handoff).toMatchObject({ reason: "policy", priority: "high", intent: "account_frozen" });
    expect(turn.handoff?.facts.holdTypeInWords).toBe("收到短信了");
  });

  it("cancelling a policy topic hands over now instead of dropping it", async () => {
    const chat = talk();
    await chat.say("我的钱被冻结了");
    const turn = await chat.say("算了");
    expect(turn.handoff).toMatchObject({ reason: "policy", priority: "high" });
  });
});

describe("correction", () => {
  it("fixes the code and routes again: 61 is a limit, not a refused card", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const turn = await chat.say("不是51，是61");
    expect(turn.replyKeys[0]).toBe("engine.corrected");
    expect(turn.flow).toBe("limit_exceeded");
    expect(turn.replies.join()).toContain("61");
  });

  it("in English too", async () => {
    const chat = talk();
    await chat.say("card declined code 05");
    const turn = await chat.say("sorry I meant A0");
    expect(turn.flow).toBe("signin_key_error");
  });

  it("is no correction when nothing known changes", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const turn = await chat.say("说错了，是51");
    expect(turn.replyKeys).not.toContain("engine.corrected");
  });
});

describe("cancel", () => {
  it("ends the flow politely with nothing escalated", async () => {
    const chat = talk();
    await chat.say("打印机不出纸");
    const turn = await chat.say("算了，不弄了");
    expect(turn.flow).toBeNull();
    expect(turn.handoff).toBeNull();
    expect(turn.replyKeys).toEqual(["engine.cancelled"]);
  });

  it("never mind, in English", async () => {
    const chat = talk();
    await chat.say("card declined");
    const turn = await chat.say("never mind");
    expect(turn.flow).toBeNull();
    expect(turn.handoff).toBeNull();
  });
});

describe("say again", () => {
  it("rephrases the pending question with its quick replies", async () => {
    const chat = talk();
    const asked = await chat.say("打印机有问题");
    const turn = await chat.say("什么意思");
    expect(turn.replyKeys).toEqual(["printer_problem.explain.askSymptom"]);
    expect(turn.options).toEqual(asked.options);
    expect(turn.state).toBe(asked.state);
  });
});

describe("small talk", () => {
  it("answers 'are you a robot' and asks the pending question again, without handing over", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    const turn = await chat.say("你是机器人吗");
    expect(turn.handoff).toBeNull();
    expect(turn.replyKeys).toEqual(["engine.chitchat.are_you_bot", "card_declined.askCode"]);
  });

  it("thanks mid-flow is small talk; the question stays", async () => {
    const chat = talk({ locale: "en" });
    await chat.say("card declined code 51");
    const turn = await chat.say("thanks");
    expect(turn.flow).toBe("card_declined");
    expect(turn.replyKeys).toEqual(["engine.chitchat.thanks", "common.didItWork"]);
  });
});

describe("out of scope", () => {
  it("says what posdesk helps with, as quick replies", async () => {
    const turn = await talk().say("please find me a hotel");
    expect(turn.intent).toBe("none");
    expect(turn.replyKeys).toEqual(["engine.outOfScope"]);
    expect(turn.options.length).toBeGreaterThan(2);
  });

  it("mid-flow, says so and comes back to the question", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const turn = await chat.say("帮我订一张明天去上海的机票");
    expect(turn.replyKeys).toEqual(["engine.outOfScopeInFlow", "common.didItWork"]);
    expect(turn.flow).toBe("card_declined");
  });
});

describe("interruption and return", () => {
  it("answers a side question, then returns to the problem", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const side = await chat.say("顺便问下手续费多少");
    expect(side.flow).toBe("fees_inquiry");
    expect(side.replyKeys[0]).toBe("engine.sideQuestion");
    await chat.say("信用卡");
    const back = await chat.say("不用了，清楚了");
    expect(back.flow).toBe("card_declined");
    expect(back.replyKeys).toContain("engine.backTo");
    expect(back.replies.at(-1)).toContain("解决了吗");
  });

  it("after a new problem is solved, offers to come back to the first", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    await chat.say("打印机没纸了");
    await chat.say("不是");
    const solved = await chat.say("好了");
    expect(solved.replyKeys).toContain("engine.resumeOffer");
    const resumed = await chat.say("继续");
    expect(resumed.flow).toBe("card_declined");
    expect(resumed.replyKeys).toEqual(["engine.resuming", "common.didItWork"]);
  });
});

describe("completed", () => {
  it("asks for a rating in place of 'anything else?', and still takes that question's answers", async () => {
    const chat = talk();
    await chat.say("刷卡提示51");
    const solved = await chat.say("解决了");
    expect(solved.replyKeys).toEqual(["common.glad", "engine.rating.askAfterFlow"]);
    const bye = await chat.say("没有了");
    expect(bye.replyKeys).toEqual(["engine.goodbye"]);
  });
});

describe("session start", () => {
  it("greets an opened chat with the topics from locales", async () => {
    const engine = new ConversationEngine({ nlu, store: new MemoryStore(), flows: FLOWS });
    const turn = await engine.handle({ text: "", channel: "web", opened: true });
    expect(turn.replyKeys).toEqual(["engine.welcome"]);
    expect(turn.optionIds).toEqual([
      "card_declined",
      "settlement_delay",
      "network_failure",
      "terminal_dead",
      "signin_key_error",
    ]);
  });
});

describe("internal error", () => {
  it("apologises, loses nothing, and the conversation goes on", async () => {
    let failures = 1;
    const flaky = setup({
      types: kit.flowTypes,
      guards: kit.commonGuards,
      actions: {
        ...kit.commonActions,
        failOnce: () => {
          if (failures-- > 0) throw new Error("flow fault");
        },
      },
    }).createMachine({
      id: "printer_problem",
      context: kit.initialContext,
      output: kit.outputOfFinalState,
      initial: "confirmFixed",
      states: {
        confirmFixed: {
          entry: kit.ask("common.didItWork", ["yes", "no"]),
          on: { ANSWER: [{ guard: "isYes", actions: "failOnce", target: "resolved" }] },
        },
        resolved: kit.resolvedState(),
      },
    });
    const flows = {
      ...FLOWS,
      printer_problem: { id: "printer_problem" as const, version: 1, machine: flaky },
    };
    const store = new MemoryStore();
    const chat = talk({ engine: new ConversationEngine({ nlu, store, flows }) });
    await chat.say("打印机出问题了");
    const failed = await chat.say("好了");
    expect(failed.replyKeys).toEqual(["engine.internalError", "common.didItWork"]);
    expect(failed.state).toBe("confirmFixed");
    const again = await chat.say("好了");
    expect(again.replyKeys).toEqual(["common.glad", "engine.rating.askAfterFlow"]);
    const said = (await store.transcript(again.conversationId)).filter((e) => e.from === "merchant");
    expect(said.map((e) => e.text)).toEqual(["打印机出问题了", "好了", "好了"]);
  });
});
