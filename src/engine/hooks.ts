/**
 * What may take part in a turn from outside the engine's own routing (incident notices, see
 * src/incidents/): it may answer in place of a flow about to start, answer the questions it asked itself,
 * and act once the turn is saved. The engine calls it; it never calls the engine back during a turn.
 */
import type { Answer, Facts } from "../../flows/kit.js";
import type { PendingQuestion } from "../domain/dialogue.js";
import type { TopicId } from "../domain/intents.js";
import type { TurnContext, TurnRouter } from "./router.js";

export interface TurnHooks {
  /**
   * `topic`'s flow is about to start from what the merchant said (`facts`: what the message told).
   * Returns true when the hook answered the turn instead, and the flow does not start.
   */
  beforeFlow(ctx: TurnContext, topic: TopicId, facts: Facts, router: TurnRouter): boolean;
  /** A reply to a pending question the engine does not own: true when the hook took it as its answer. */
  answer(
    ctx: TurnContext,
    question: PendingQuestion,
    answer: Answer,
    bare: boolean,
    router: TurnRouter,
  ): boolean;
  /** The turn is saved: what it means outside the conversation (counts, links). Must not throw. */
  afterTurn(ctx: TurnContext): Promise<void>;
}
