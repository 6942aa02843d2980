/**
 * The states a conversation passed through in its flow, as the handoff records them for the agent's map:
 * in order, eventless states included, a question asked again counted once, kept across a side topic.
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { HandoffSummary } from "../../src/domain/handoff.js";
import { extendPath, MAX_PATH, runFlow } from "../../src/engine/flow-runner.js";
import { MemoryStore } from "../../src/store/memory.js";
import { engineFor, talk } from "../support/conversation.js";
import { DECLINED_NOT_FIXED } from "../support/merchants.js";

describe("the state path of a handoff", () => {
  it("records every state from the start to the escalation, the eventless ones included", async () => {
    const chat = talk();
    let turn: Awaited<ReturnType<typeof chat.say>> | undefined;
    for (const text of DECLINED_NOT_FIXED.says) turn = await chat.say(text);
    expect(HandoffSummary.parse(turn?.handoff).statePath).toEqual(DECLINED_NOT_FIXED.statePath);
  });

  it("ends where the merchant asked for a person mid-flow", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    const turn = await chat.say("转人工");
    expect(turn.handoff?.reason).toBe("requested");
    expect(turn.handoff?.statePath).toEqual(["triage", "askResponseCode"]);
  });

  it("counts a question asked again once", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("嗯……让我想想");
    const turn = await chat.say("转人工");
    expect(turn.handoff?.statePath).toEqual(["triage", "askResponseCode"]);
  });

  it("is absent from a handoff with no flow", async () => {
    const turn = await talk().say("转人工");
    expect(turn.handoff?.flow).toBeNull();
    expect(turn.handoff).not.toHaveProperty("statePath");
  });

  it("is the side question's own path while that flow runs", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("没显示代码");
    await chat.say("顺便问下手续费怎么算");
    expect(chat.last.flow).toBe("fees_inquiry");
    const turn = await chat.say("转人工");
    expect(turn.handoff?.flow).toBe("fees_inquiry");
    expect(turn.handoff?.statePath?.[0]).toBe("triage");
    expect(turn.handoff?.statePath).not.toContain("askScope");
  });

  it("is the earlier flow's path again once the side question is done and it resumes", async () => {
    const chat = talk();
    await chat.say("此卡无法交易");
    await chat.say("没显示代码");
    await chat.say("顺便问下手续费怎么算");
    await chat.say("1");
    await chat.say("2");
    expect(chat.last.flow).toBe("card_declined");
    const turn = await chat.say("转人工");
    expect(turn.handoff?.flow).toBe("card_declined");
    expect(turn.handoff?.statePath).toEqual(["triage", "askResponseCode", "askScope"]);
  });

  it("survives the conversation being stored and read back between turns", async () => {
    const store = new MemoryStore();
    const first = talk({ engine: engineFor(store) });
    await first.say("此卡无法交易");
    const second = talk({ engine: engineFor(store), id: first.id });
    await second.say("没显示代码");
    const turn = await second.say("转人工");
    expect(turn.handoff?.statePath).toEqual(["triage", "askResponseCode", "askScope"]);
  });

  it("keeps only the latest states of a very long path", () => {
    const states = Array.from({ length: MAX_PATH + 20 }, (_, i) => `s${i}`);
    const path = extendPath([], states);
    expect(path).toHaveLength(MAX_PATH);
    expect(path.at(-1)).toBe(`s${MAX_PATH + 19}`);
  });

  it("starts afresh when a flow's snapshot is of an older version", () => {
    const definition = FLOWS.card_declined;
    const started = runFlow(definition, {});
    const stale = { ...started.persisted, version: definition.version - 1 } as NonNullable<
      typeof started.persisted
    >;
    const step = runFlow(definition, { active: stale, answer: { text: "51", responseCode: "51" } });
    expect(step.path).toEqual(["triage", "askResponseCode"]);
  });
});
