/**
 * A topic picked from a channel's own menu (a WeChat Official Account button, `Turn.menuChoice`): the
 * merchant "says" the button's label, and the topic's flow starts as if chosen from the welcome's topics.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { MenuChoice, TurnResult } from "../../src/engine/engine.js";
import { t } from "../../src/i18n.js";
import { engineFor } from "../support/conversation.js";

function menu() {
  const engine = engineFor();
  const conversationId = `menu-${randomUUID()}`;
  return {
    engine,
    conversationId,
    says: (text: string): Promise<TurnResult> => engine.handle({ conversationId, channel: "wechat", text }),
    picks: (menuChoice: MenuChoice): Promise<TurnResult> =>
      engine.handle({ conversationId, channel: "wechat", text: "", menuChoice }),
  };
}

describe("a topic picked from a channel's menu", () => {
  it("starts its flow, with the button's label as what the merchant said", async () => {
    const chat = menu();
    const turn = await chat.picks("card_declined");
    expect(turn).toMatchObject({ flow: "card_declined", state: "askResponseCode", turn: 1 });
    const [said] = await chat.engine.store.transcript(chat.conversationId);
    expect(said).toMatchObject({ from: "merchant", text: t("zh-CN", "topics.card_declined") });
  });

  it("the flow already under way asks its question again", async () => {
    const chat = menu();
    await chat.says("此卡无法交易");
    const turn = await chat.picks("card_declined");
    expect(turn.state).toBe("askResponseCode");
    expect(turn.replies).toEqual([t("zh-CN", "card_declined.askCode")]);
  });

  it("another topic puts the flow under way aside, to come back to", async () => {
    const chat = menu();
    await chat.says("此卡无法交易");
    const turn = await chat.picks("printer_problem");
    expect(turn.flow).toBe("printer_problem");
    const conversation = await chat.engine.store.getConversation(chat.conversationId);
    expect(conversation?.suspended?.map((s) => s.flow.id)).toEqual(["card_declined"]);
  });

  it("a person, when the button asks for one", async () => {
    const turn = await menu().picks("human_agent");
    expect(turn.handoff).toMatchObject({ reason: "requested", intent: "none", channel: "wechat" });
  });

  it("does not put aside a flow that must end with a person (frozen funds)", async () => {
    const chat = menu();
    await chat.says("我的资金被冻结了");
    const turn = await chat.picks("printer_problem");
    expect(turn.flow).toBe("account_frozen");
  });

  it("while a person has the chat, the bot only says so", async () => {
    const chat = menu();
    await chat.says("转人工");
    const turn = await chat.picks("card_declined");
    expect(turn.replies).toEqual([t("zh-CN", "engine.withAgent")]);
  });
});
