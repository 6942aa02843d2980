/**
 * Conversation repair: what keeps the thread when a merchant does not simply answer. A correction ("不是51，
 * 是61") routes again with the fact fixed; cancel ends the flow politely; "say again" rephrases the question;
 * a first "don't know" says where to find the answer; small talk gets one short reply and the question
 * again; out-of-scope says what posdesk helps with; two close topics are asked about; a flow put aside for
 * another topic is resumed (by itself after a side question, on request after a new problem); a finished
 * flow asks for a rating (satisfaction.ts) or whether anything else is wrong. Rasa's conversation patterns name the same cases.
 */
import type { Answer, Facts } from "../../flows/kit.js";
import { routeForCode } from "../domain/codes.js";
import type { PendingQuestion } from "../domain/dialogue.js";
import { isTopic, type TopicId } from "../domain/intents.js";
import { has } from "../i18n.js";
import type { DialogueAct } from "../nlu/acts.js";
import { extractEntities } from "../nlu/entities.js";
import type { Understanding } from "../nlu/index.js";
import { textSize } from "../nlu/normalize.js";
import type { SuspendedFlow } from "../store/store.js";
import { withFacts } from "./flow-runner.js";
import type { TurnContext, TurnRouter } from "./router.js";

/** The facts a correction may fix, as the entity extractor names them. */
const CORRECTABLE = ["responseCode", "amount", "entryMode", "cardType", "terminalSerial"] as const;

/** Mid-flow, `none` this sure is a request about something else, not a vague reply. */
const CLEARLY_NONE = 0.75;

/** The engine's own questions (not a flow's): their option labels are `engine.options.*`. */
const ENGINE = "engine";

export class Repairs {
  constructor(private readonly router: TurnRouter) {}

  /**
   * "不是51，是61", "sorry, I meant 61" (`part`: what `detectCorrection` found): the fact is fixed and the conversation routed again with it (61 is
   * a limit, not a refused card). Only a value that differs from what the bot knew counts.
   */
  correction(ctx: TurnContext, part: string): boolean {
    const { conversation, reply } = ctx;
    if (!conversation.topic) return false;
    const isCode = /^[a-z0-9]{2}$/i.test(part);
    const isAmount = !isCode && /^[0-9][0-9.,]*\s*(?:元|块|yuan|rmb)?$/i.test(part);
    const found = extractEntities(part, { expectCode: isCode, expectAmount: isAmount });
    const changed: Facts = {};
    for (const key of CORRECTABLE) {
      const value = found[key];
      if (value !== undefined && value !== conversation.facts[key]) changed[key] = value;
    }
    const entries = Object.entries(changed);
    if (entries.length === 0) return false;
    const facts = { ...conversation.facts, ...changed };
    const code = typeof changed.responseCode === "string" ? changed.responseCode : undefined;
    const topic: TopicId = (code && routeForCode(code)) || conversation.flow?.id || conversation.topic;
    reply.say("engine.corrected", { value: entries.map(([, v]) => String(v)).join(", ") });
    conversation.flow = null;
    this.router.startFlow(ctx, topic, facts, { firstMessageAnswers: false });
    return true;
  }

  /**
   * "算了", "never mind": the flow ends, nothing is escalated, and a flow put aside comes back. A flow that
   * must end with a person (frozen funds) goes to the person now instead.
   */
  cancel(ctx: TurnContext, policy: boolean): void {
    const { conversation, reply } = ctx;
    if (policy) {
      this.policyNow(ctx);
      return;
    }
    const hadFlow = conversation.flow !== null;
    conversation.flow = null;
    conversation.notUnderstood = 0;
    if (this.resume(ctx, "engine.cancelledBackTo")) return;
    reply.say(hadFlow ? "engine.cancelled" : "engine.nothingToCancel");
  }

  /** A flow that always ends with a person, cut short: the person now, with what is known so far. */
  policyNow(ctx: TurnContext): void {
    const topic = ctx.conversation.flow?.id;
    ctx.reply.say("engine.policyNow");
    this.router.escalate(ctx, "policy", topic, { outcome: "escalated", reason: "policy", priority: "high" });
    ctx.conversation.flow = null;
  }

  /** "再说一遍" with nothing pending: what posdesk can help with. */
  nothingToRepeat(ctx: TurnContext): void {
    this.router.askMenu(ctx, "engine.nothingToRepeat");
  }

  /** "再说一遍", "what do you mean?": the question again in plainer words, with its quick replies. */
  explain(ctx: TurnContext, question: PendingQuestion): void {
    const key = explanationKey(ctx, question);
    ctx.reply.askAgain(key, question.params ?? {}, question);
  }

  /** A first "don't know": where to find the answer, and the question once more. */
  hint(ctx: TurnContext, question: PendingQuestion): void {
    const key = typeof question.key === "string" ? siblingKey(question.key, "hints") : undefined;
    if (key && has(ctx.conversation.locale, key)) ctx.reply.say(key, question.params ?? {});
    this.router.repeatQuestion(ctx, { hinted: true });
  }

  /**
   * "刚才说过了" / "I already said": the merchant thinks an earlier message answered, but it did not (a flow
   * asks only what it does not know yet). An apology, where to find the answer the first time, and the
   * question again; it counts as a reply not understood, so the third miss brings a person. The rating is
   * asked once: with it pending, as with nothing pending, the topics are offered instead.
   */
  alreadySaid(ctx: TurnContext, question: PendingQuestion | null): void {
    const { reply } = ctx;
    if (this.router.missedAgain(ctx)) return;
    if (!question || question.rating) {
      reply.say("engine.alreadySaid.nothingPending");
      this.router.askMenu(ctx, "engine.menu");
      return;
    }
    reply.say("engine.alreadySaid.pending");
    if (question.hint && !question.hinted) this.hint(ctx, question);
    else this.router.repeatQuestion(ctx);
  }

  /**
   * A card number given beside the question ("the card is 6222…"): kept, masked, with what the flow has
   * learnt (the agent sees it if the chat is handed over), the merchant told that the first six and last four
   * digits are enough, and the question asked again. Not a new problem, and not a reply not understood.
   */
  cardNumber(ctx: TurnContext, question: PendingQuestion | null, pan: string): void {
    const { conversation, reply } = ctx;
    if (conversation.flow) conversation.flow = withFacts(conversation.flow, { maskedPan: pan });
    conversation.facts = { ...conversation.facts, maskedPan: pan };
    reply.say("engine.cardNumberNoted", { pan });
    if (question) this.router.repeatQuestion(ctx);
  }

  /** Thanks, how are you, who are you, are you a robot, a joke: one short reply, then the question again. */
  chitchat(ctx: TurnContext, act: DialogueAct, inFlow: boolean): void {
    const { conversation, reply } = ctx;
    // "谢谢" with nothing under way is a goodbye.
    if (act === "thanks" && !conversation.flow) {
      this.router.goodbye(ctx);
      return;
    }
    reply.say(`engine.chitchat.${act}`);
    if (inFlow) this.router.repeatQuestion(ctx);
    else this.router.askMenu(ctx, "engine.menu");
  }

  /** Outside POS support: say so, list what posdesk helps with, and keep any pending question. */
  outOfScope(ctx: TurnContext): void {
    const { conversation, reply } = ctx;
    if (conversation.flow && conversation.question) {
      reply.say("engine.outOfScopeInFlow");
      this.router.repeatQuestion(ctx);
      return;
    }
    this.router.askMenu(ctx, "engine.outOfScope");
  }

  /**
   * Mid-flow, only a clear request about something else is out of scope ("帮我订个酒店"); a vague or
   * one-word reply ("嗯……", "blah") is an answer the flow could not use, and is asked again.
   */
  isClearlyElsewhere(ctx: TurnContext): boolean {
    const u = ctx.understanding;
    const { han, words } = textSize(u.normalized);
    // On the held-out sets, `none` from 0.75 up was never wrong: below that, a vague reply is only unclear.
    return u.confidence >= CLEARLY_NONE && (han >= 4 || words >= 3);
  }

  /** Two topics about as likely: "您是说 A 还是 B？". */
  clarifyTopics(ctx: TurnContext): boolean {
    const { understanding: u } = ctx;
    // A response code decides the route by itself (the contract): nothing to ask.
    if (u.entities.responseCode !== undefined) return false;
    const [first, second] = u.ranking.filter((r) => isTopic(r.intent));
    if (!first || !second || first.confidence - second.confidence >= this.router.thresholds.clarifyMargin) {
      return false;
    }
    // Either the first is sure enough on its own, or the two together are: "declined and not settled"
    // splits about evenly between two topics, so neither alone reaches the threshold.
    const { minConfidence } = this.router.thresholds;
    const sure =
      first.intent === u.intent ||
      (u.intent === "none" &&
        u.ranking[0]?.intent === first.intent &&
        first.confidence + second.confidence >= minConfidence);
    if (!sure) return false;
    const topics = [first.intent, second.intent].filter((t): t is TopicId => isTopic(t));
    const [a = "", b = ""] = topics.map((t) => topicName(ctx, t));
    this.router.askMenu(ctx, "engine.whichTopic", { topics, facts: factsOf(u), params: { a, b } });
    return true;
  }

  /**
   * Answers to the engine's own questions: a topic from a menu, "anything else?", "go back to the
   * problem we put aside?". Returns false when the message answers none of them (it is routed as usual).
   */
  engineQuestion(ctx: TurnContext, question: PendingQuestion, answer: Answer, bare: boolean): boolean {
    // A question of the turn hooks (an incident's): theirs to read, new problems included.
    if (question.flow !== "menu" && question.flow !== ENGINE)
      return this.router.hooks?.answer(ctx, question, answer, bare, this.router) ?? false;
    const { conversation, understanding: u } = ctx;
    const option = answer.option;
    // "通讯失败" after "anything else?" is a new problem, not a "no" (失败 is a no-word).
    const newProblem = isTopic(u.intent) && u.confidence >= this.router.thresholds.switchConfidence;
    if (!option && newProblem) return false;
    if (question.flow === "menu") {
      if (!option || !isTopic(option)) return false;
      conversation.flow = null;
      this.router.startFlow(ctx, option, question.facts ?? {}, { firstMessageAnswers: false });
      return true;
    }
    const yes = option === "resume" || option === "other_problem" || (bare && answer.yes === true);
    const no = option === "drop" || option === "nothing_else" || (bare && answer.yes === false);
    if (!yes && !no) return false;
    if (question.key === "engine.resumeOffer") {
      if (yes) return this.resume(ctx, "engine.resuming");
      conversation.suspended = conversation.suspended?.slice(0, -1) ?? [];
      this.allDone(ctx);
      return true;
    }
    if (yes) this.router.askMenu(ctx, "engine.whatElse");
    else this.router.goodbye(ctx);
    return true;
  }

  /** The current flow goes aside for `topic`; `resume` says how it comes back. */
  suspend(ctx: TurnContext, resume: SuspendedFlow["resume"], topic: TopicId): void {
    const { conversation, reply } = ctx;
    if (!conversation.flow) return;
    const previous = conversation.flow.id;
    conversation.suspended = [
      ...(conversation.suspended ?? []),
      {
        flow: conversation.flow,
        question: conversation.question,
        facts: conversation.facts,
        stepsTried: conversation.stepsTried,
        resume,
      },
    ];
    conversation.flow = null;
    const params = { topic: topicName(ctx, topic), previous: topicName(ctx, previous) };
    reply.say(resume === "auto" ? "engine.sideQuestion" : "engine.switchTopic", params);
  }

  /** A flow ended resolved: back to a flow put aside, or the rating / "anything else?". */
  completed(ctx: TurnContext): void {
    const top = ctx.conversation.suspended?.at(-1);
    if (!top) {
      this.allDone(ctx);
    } else if (top.resume === "auto") {
      this.resume(ctx, "engine.backTo");
    } else {
      ctx.reply.ask(
        "engine.resumeOffer",
        { topic: topicName(ctx, top.flow.id) },
        { flow: ENGINE, options: ["resume", "drop"], expect: "choice" },
      );
    }
  }

  /** Every problem raised is over: the rating question (it stands for "anything else?"), or that question. */
  private allDone(ctx: TurnContext): void {
    if (!this.router.satisfaction.askAfterFlow(ctx)) this.anythingElse(ctx);
  }

  private anythingElse(ctx: TurnContext): void {
    ctx.reply.ask(
      "engine.anythingElse",
      {},
      { flow: ENGINE, options: ["nothing_else", "other_problem"], expect: "choice" },
    );
  }

  /** Takes the most recent flow put aside back up, saying `key` and asking its question again. */
  private resume(ctx: TurnContext, key: string): boolean {
    const { conversation, reply } = ctx;
    const top = conversation.suspended?.at(-1);
    if (!top) return false;
    conversation.suspended = conversation.suspended?.slice(0, -1) ?? [];
    conversation.flow = top.flow;
    conversation.topic = top.flow.id;
    conversation.facts = top.facts;
    conversation.stepsTried = top.stepsTried;
    conversation.statePath = top.flow.path ?? [];
    conversation.question = top.question;
    reply.say(key, { topic: topicName(ctx, top.flow.id) });
    this.router.repeatQuestion(ctx);
    return true;
  }
}

/** The entities of a message, as facts a flow starts with. */
export function factsOf(u: Understanding): Facts {
  const facts: Facts = {};
  for (const [key, value] of Object.entries(u.entities)) if (value !== undefined) facts[key] = value;
  return facts;
}

function topicName(ctx: TurnContext, topic: string): string {
  return ctx.reply.text(`topics.${topic}`);
}

/** `card_declined.askCode` → `card_declined.<section>.askCode`. */
function siblingKey(key: string, section: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? key : `${key.slice(0, dot)}.${section}.${key.slice(dot + 1)}`;
}

function explanationKey(ctx: TurnContext, question: PendingQuestion): string {
  const key = typeof question.key === "string" ? question.key : undefined;
  const own = key ? siblingKey(key, "explain") : undefined;
  if (own && has(ctx.conversation.locale, own)) return own;
  return question.flow === "menu" ? "engine.explain.menu" : "engine.explain.generic";
}
