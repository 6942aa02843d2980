/**
 * Runs stories through the real bot: the trained model, the real flows and the conversation engine, over an
 * in-memory store, one fresh conversation per story. A turn is a merchant's message, or an agent closing the
 * conversation's open handoff. A story stops at its first failing turn: what follows depends on a turn that
 * already went another way.
 */
import { FLOWS } from "../../flows/index.js";
import type { FlowRegistry } from "../../flows/kit.js";
import { ConversationEngine, type TurnResult } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { MemoryStore } from "../store/memory.js";
import { checkTurn, type TurnSnapshot } from "./check.js";
import type { Story, StoryTurn } from "./schema.js";

export interface StoryResult {
  file: string;
  story: string;
  passed: boolean;
  /** The first turn (from 1) that did not go as the story says. */
  failedTurn?: number;
  /** That turn as the story wrote it: the message and its expectations. */
  expected?: StoryTurn;
  /** What the bot did on that turn. */
  got?: TurnSnapshot;
  /** One line per expectation that was not met. */
  problems?: string[];
}

export interface RunnerOptions {
  /** The model to use; by default the one `npm start` uses (cached, or trained from intents/). */
  nlu?: Nlu;
  flows?: FlowRegistry;
}

export type RunStory = (story: Story, file: string) => Promise<StoryResult>;

/** A story runner sharing one model across stories; each story still gets its own store and conversation. */
export function storyRunner(options: RunnerOptions = {}): RunStory {
  const nlu = options.nlu ?? loadNlu().nlu;
  const flows = options.flows ?? FLOWS;
  return async (story, file) => {
    const store = new MemoryStore();
    const engine = new ConversationEngine({ nlu, store, flows });
    const conversationId = `story-${story.name}`;
    let openHandoff: string | null = null;
    for (const [index, turn] of story.turns.entries()) {
      let got: TurnSnapshot;
      try {
        if (turn.agentCloses) {
          if (!openHandoff)
            return failure(file, story, index, turn, undefined, [
              "no handoff is open for the agent to close",
            ]);
          const closed = await engine.closeHandoff(openHandoff, turn.agentCloses);
          openHandoff = null;
          got = closingSnapshot(closed, closed.conversation.facts);
        } else {
          const result = await engine.handle({
            conversationId,
            text: turn.say ?? "",
            channel: story.channel,
            ...(story.localeChosen ? { locale: story.locale } : { localeHint: story.locale }),
          });
          openHandoff = result.openHandoffId;
          const facts = (await store.getConversation(conversationId))?.facts ?? {};
          got = snapshot(result, facts);
        }
      } catch (error) {
        // A crash is a failed turn like any other, so one broken story does not stop the rest.
        return failure(file, story, index, turn, undefined, [`the bot failed: ${(error as Error).message}`]);
      }
      const problems = checkTurn(turn, got);
      if (problems.length > 0) return failure(file, story, index, turn, got, problems);
    }
    return { file, story: story.name, passed: true };
  };
}

function snapshot(result: TurnResult, facts: TurnSnapshot["facts"]): TurnSnapshot {
  const { handoff } = result;
  return {
    intent: result.intent,
    confidence: result.confidence,
    flow: result.flow,
    state: result.state,
    replies: result.replies,
    replyKeys: result.replyKeys,
    options: result.options,
    optionIds: result.optionIds,
    handoff: handoff
      ? {
          reason: handoff.reason,
          priority: handoff.priority,
          intent: handoff.intent,
          flow: handoff.flow,
          facts: handoff.facts,
        }
      : null,
    facts,
  };
}

/** The bot's note when the agent closes the handoff, as a turn: no message was understood. */
function closingSnapshot(
  closed: { text: string; replyKey: string; options: string[]; optionIds: string[] },
  facts: TurnSnapshot["facts"],
): TurnSnapshot {
  return {
    intent: "none",
    confidence: 0,
    flow: null,
    state: null,
    replies: [closed.text],
    replyKeys: [closed.replyKey],
    options: closed.options,
    optionIds: closed.optionIds,
    handoff: null,
    facts,
  };
}

function failure(
  file: string,
  story: Story,
  index: number,
  expected: StoryTurn,
  got: TurnSnapshot | undefined,
  problems: string[],
): StoryResult {
  return {
    file,
    story: story.name,
    passed: false,
    failedTurn: index + 1,
    expected,
    ...(got ? { got } : {}),
    problems,
  };
}
