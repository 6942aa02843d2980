/**
 * Satisfaction: once the merchant's problem is over — a flow ended resolved with nothing put aside, or an
 * agent closed a handoff — the bot asks once for a rating, 1–5 or 满意/一般/不满意, with the five scores as
 * quick replies (in score order, so that a channel's option numbers are the scores), then for an optional
 * comment. The rating is kept in the store, on the conversation (`lastRating`), and on the handoff rated.
 *
 * The rating question takes the place of "还有别的问题吗？" rather than coming before or after it: two
 * questions at once would leave the merchant unsure which a reply answers, and three in a row (rating,
 * comment, anything else) is a survey. So its text also says that another problem can simply be told, and
 * the replies that answered "anything else?" still do — "没有了" says goodbye, "还有别的问题" shows the
 * topics — and a problem stated instead of a rating or a comment starts its flow. After the rating, and the
 * comment or its skip, nothing more is asked: the thanks says the merchant may write any time.
 *
 * Asked once: a reply that is no rating is routed as if nothing were pending, and the question is not said
 * again. Never during a handoff: while a person owns the chat the engine routes nothing. Never twice in a
 * row: not again in the same sitting (QUIET_MS) — a second problem solved, or a handoff closed, soon after a
 * rating question ends with "anything else?" / the usual closing note instead. A WeChat contact's
 * conversation never ends, so "once per conversation" would be once ever; a sitting is what a merchant
 * feels as "this chat".
 */
import type { PendingQuestion, RatingQuestion } from "../domain/dialogue.js";
import type { HandoffRecord } from "../domain/handoff.js";
import { type IntentId, isTopic, type TopicId } from "../domain/intents.js";
import { MAX_COMMENT_CHARS, RATING_SCORES, type Rating, type RatingScore } from "../domain/rating.js";
import { maskCardNumbers } from "../domain/redact.js";
import type { Understanding } from "../nlu/index.js";
import { normalize } from "../nlu/normalize.js";
import { isFeedback, isSkip, readRating } from "../nlu/rating.js";
import type { ConversationRecord, Store } from "../store/store.js";
import { answerStrength, isBareYesNo, optionLabel, parseAnswer, readIn } from "./answer.js";
import type { Reply } from "./reply.js";
import type { TurnContext, TurnRouter } from "./router.js";

/** The engine's own questions (not a flow's): their option labels are `engine.options.*`. */
const ENGINE = "engine";

/** The quick replies of the rating question: option n is score n. */
export const RATING_OPTIONS = RATING_SCORES.map((score) => `rating_${score}`);
const SKIP_OPTION = "skip_comment";

/** A sitting: the rating is not asked again within this long of the last time it was. */
export const QUIET_MS = 12 * 3600 * 1000;

/**
 * How sure the classifier must be that a reply to the rating's questions is about something else. Those
 * replies praise or blame: "客服很耐心" reads as a request for a person (0.63), "太慢了" as a printer problem
 * (0.56), "too slow" as a software update (0.85). A problem stated anew mostly is sure (89% of the held-out
 * problem messages reach 0.7), a request for a person very ("转人工", "找客服": 1.0).
 */
const SURE_PROBLEM = 0.7;
/** For a problem in a reply that speaks of the help itself ("too slow", isFeedback), a person, a hello, a bye. */
const ALL_BUT_SURE = 0.9;

/** "Anything else?", whose answers the rating question still takes. */
const ANYTHING_ELSE: PendingQuestion = {
  flow: ENGINE,
  options: ["nothing_else", "other_problem"],
  expect: "choice",
};

/** Whether the merchant may be asked for a rating at `at`: not while a person owns the chat, not twice in a sitting. */
export function mayAskRating(conversation: ConversationRecord, at: string): boolean {
  if (conversation.handoffId) return false;
  const last = conversation.ratingAskedAt;
  return last === undefined || Date.parse(at) - Date.parse(last) >= QUIET_MS;
}

/** Asks for the rating (under `key`), pending on the conversation as an engine question. */
function askRating(
  reply: Reply,
  conversation: ConversationRecord,
  key: string,
  about: Omit<RatingQuestion, "stage">,
  at: string,
): void {
  reply.ask(
    key,
    {},
    { flow: ENGINE, options: [...RATING_OPTIONS], expect: "choice", rating: { stage: "score", ...about } },
  );
  conversation.ratingAskedAt = at;
}

/**
 * The note when an agent closes a handoff, with the rating question when it may be asked; the handoff's
 * topic is the agent's resolution where that is one. Says the plain closing note otherwise.
 */
export function closingNote(
  reply: Reply,
  conversation: ConversationRecord,
  handoff: HandoffRecord,
  at: string,
): void {
  if (!mayAskRating(conversation, at)) {
    reply.say("engine.handoffClosed");
    return;
  }
  const topic = topicOf(handoff.resolution) ?? topicOf(handoff.summary.intent);
  askRating(
    reply,
    conversation,
    "engine.rating.askAfterHandoff",
    { after: "handoff", topic, handoffId: handoff.summary.id },
    at,
  );
}

function topicOf(intent: IntentId | undefined): TopicId | null {
  return intent && isTopic(intent) ? intent : null;
}

/**
 * Keeps a rating given on a turn: in the store and, for one given after a handoff, on that handoff.
 * Written before the turn itself, so a store that fails leaves the question pending to be answered again.
 */
export async function keepRating(store: Store, rating: Rating): Promise<void> {
  await store.saveRating(rating);
  if (!rating.handoffId) return;
  const handoff = await store.getHandoff(rating.handoffId);
  if (handoff) await store.saveHandoff({ ...handoff, rating });
}

export class Satisfaction {
  constructor(private readonly router: TurnRouter) {}

  /** A flow ended resolved with nothing put aside: the rating question, if it may be asked now. */
  askAfterFlow(ctx: TurnContext): boolean {
    const { conversation } = ctx;
    if (ctx.handoff || !mayAskRating(conversation, ctx.at)) return false;
    askRating(
      ctx.reply,
      conversation,
      "engine.rating.askAfterFlow",
      { after: "flow", topic: conversation.topic },
      ctx.at,
    );
    return true;
  }

  /**
   * The reply to a pending rating or comment question. False when it answers neither (a new problem, a
   * person asked for…): the question is dropped, never asked again, and the message is routed as usual.
   */
  answer(ctx: TurnContext): boolean {
    const { conversation } = ctx;
    const question = conversation.question;
    const pending = question?.rating;
    if (!question || !pending) return false;
    const handled =
      pending.stage === "score" ? this.score(ctx, question, pending) : this.comment(ctx, question);
    if (!handled) conversation.question = null;
    return handled;
  }

  /**
   * The reply to the rating question: a score (with more said: its comment); else what "anything else?"
   * took; a new problem, a person or a hello go their way (false).
   */
  private score(ctx: TurnContext, question: PendingQuestion, pending: RatingQuestion): boolean {
    const { understanding: u } = ctx;
    if (u.act === "repeat") {
      this.router.repairs.explain(ctx, question);
      return true;
    }
    const reading = this.labelled(ctx, question) ?? readRating(u.text);
    if (reading && !reading.more) {
      this.rate(ctx, pending, reading.score);
      return true;
    }
    if (reading) {
      if (this.elsewhere(u)) return false;
      // "不满意，等了太久": the score, and the rest said is its comment.
      this.rate(ctx, pending, reading.score, u.text);
      return true;
    }
    const answer = this.anythingElse(ctx);
    // One of "anything else?"'s own answers counts unless the classifier is all but sure of a problem ("no
    // signal" holds "no"; "没有了" reads as settlement_delay at 0.51). A yes or no word in a problem stated
    // is no answer ("通讯失败": 失败 is a no-word), as after "anything else?".
    if (answer.option && !this.isTopicSure(u, ALL_BUT_SURE))
      return this.closing(ctx, answer.option === "other_problem");
    if (this.isTopicSure(u, this.router.thresholds.switchConfidence) || this.elsewhere(u)) return false;
    // A bare yes or no ("嗯", "ok", "不用") acknowledges the question rather than asks for more: goodbye.
    // Another problem is asked for in words ("还有别的问题", an option above) or simply told.
    if (answer.yes !== undefined) return this.closing(ctx, false);
    if (u.intent === "human_agent" || isFeedback(u.text)) {
      // Praise or blame of the help with no score ("客服很耐心", "你们太慢了"): thanked, not handed to a person
      // again nor told it was not understood. Nothing is rated; the words stay in the transcript.
      ctx.reply.say("engine.rating.thanks");
      return true;
    }
    return false;
  }

  /** A quick reply's own label, exactly as shown ("满意" is 4: it is the fourth button). */
  private labelled(ctx: TurnContext, question: PendingQuestion) {
    const { locale } = ctx.conversation;
    const index = question.options.findIndex(
      (option) => normalize(optionLabel(locale, ENGINE, option)) === ctx.understanding.normalized,
    );
    const score = RATING_SCORES[RATING_OPTIONS.indexOf(question.options[index] ?? "")];
    return score === undefined ? undefined : { score, more: false };
  }

  private rate(ctx: TurnContext, pending: RatingQuestion, score: RatingScore, said?: string): void {
    const { conversation, reply } = ctx;
    const comment = said === undefined ? "" : commentOf(said);
    const rating: Rating = {
      conversationId: conversation.id,
      score,
      ...(comment ? { comment } : {}),
      after: pending.after,
      topic: pending.topic,
      ...(pending.handoffId ? { handoffId: pending.handoffId } : {}),
      channel: conversation.channel,
      at: ctx.at,
    };
    conversation.lastRating = rating;
    ctx.rating = rating;
    if (comment) {
      reply.say("engine.rating.thanks");
      return;
    }
    reply.ask(
      score <= 2 ? "engine.rating.commentLow" : "engine.rating.comment",
      {},
      {
        flow: ENGINE,
        options: [SKIP_OPTION],
        expect: "text",
        rating: { ...pending, stage: "comment" },
      },
    );
  }

  /** "想说点什么吗？": anything said is the comment, unless it skips it or is about something else. */
  private comment(ctx: TurnContext, question: PendingQuestion): boolean {
    const { conversation, understanding: u, reply } = ctx;
    const given = conversation.lastRating;
    if (!given) return false;
    if (u.act === "repeat") {
      this.router.repairs.explain(ctx, question);
      return true;
    }
    const option = parseAnswer(u.text, question, readIn(conversation.locale, u.locale)).option;
    const skipped =
      option === SKIP_OPTION ||
      isSkip(u.text) ||
      u.act === "cancel" ||
      u.act === "dont_know" ||
      u.act === "thanks" ||
      this.isSure(u, "goodbye", ALL_BUT_SURE);
    if (skipped) {
      reply.say("engine.rating.skipped");
      return true;
    }
    if (this.elsewhere(u)) return false;
    const rating: Rating = { ...given, comment: commentOf(u.text) };
    conversation.lastRating = rating;
    ctx.rating = rating;
    reply.say("engine.rating.thanks");
    return true;
  }

  /** How the reply reads as an answer to "anything else?": an option of it, or a bare yes or no. */
  private anythingElse(ctx: TurnContext): { option?: string; yes?: boolean } {
    const { conversation, understanding: u } = ctx;
    const languages = readIn(conversation.locale, u.locale);
    const answer = parseAnswer(u.text, ANYTHING_ELSE, languages);
    if (answer.option === "nothing_else" || answer.option === "other_problem")
      return { option: answer.option };
    const bare = answerStrength(answer, ANYTHING_ELSE) === "weak" && isBareYesNo(languages, u.normalized);
    return bare && answer.yes !== undefined ? { yes: answer.yes } : {};
  }

  /** "还有别的问题" shows the topics; "没有了" says goodbye. */
  private closing(ctx: TurnContext, more: boolean): boolean {
    if (more) this.router.askMenu(ctx, "engine.whatElse");
    else this.router.goodbye(ctx);
    return true;
  }

  /** Free text that is surely about something else than the rating: a new problem, a person, a hello. */
  private elsewhere(u: Understanding): boolean {
    if (u.entities.responseCode !== undefined) return true;
    const problem = isFeedback(u.text) ? ALL_BUT_SURE : SURE_PROBLEM;
    return (
      this.isTopicSure(u, problem) ||
      this.isSure(u, "human_agent", ALL_BUT_SURE) ||
      this.isSure(u, "greeting", ALL_BUT_SURE)
    );
  }

  private isTopicSure(u: Understanding, confidence: number): boolean {
    return isTopic(u.intent) && u.confidence >= confidence;
  }

  private isSure(
    u: Understanding,
    intent: IntentId,
    confidence = this.router.thresholds.globalConfidence,
  ): boolean {
    return u.intent === intent && u.confidence >= confidence;
  }
}

/** The merchant's words as a comment: card numbers masked, at most MAX_COMMENT_CHARS. */
function commentOf(text: string): string {
  return maskCardNumbers(text).trim().slice(0, MAX_COMMENT_CHARS);
}
