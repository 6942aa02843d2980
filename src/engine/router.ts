/**
 * Routing of one understood turn. While a question is pending, the message is read as an answer before
 * anything else; then come the repairs (a correction, cancel, "say again", "don't know", small talk — in
 * repair.ts), a side question or a new problem (the interrupted flow is kept to come back to), a person,
 * hello and goodbye. An out-of-scope message is told what posdesk helps with; one that is not understood is
 * asked again, then clarified with the likeliest topics, then handed to a person.
 */
import type { Answer, Facts, FlowOutput, FlowRegistry, Step } from "../../flows/kit.js";
import { type FlowMove, flowMove } from "../analytics/record.js";
import { routeForCode } from "../domain/codes.js";
import { DID_IT_WORK, type PendingQuestion } from "../domain/dialogue.js";
import type { HandoffReason, Priority } from "../domain/handoff.js";
import { type IntentId, isTopic, type Locale, type TopicId } from "../domain/intents.js";
import type { Rating } from "../domain/rating.js";
import { list } from "../i18n.js";
import { CHITCHAT, detectCorrection, detectInterruption, givesCardNumberOnly } from "../nlu/acts.js";
import type { Understanding } from "../nlu/index.js";
import { textSize } from "../nlu/normalize.js";
import { thresholds as calibrated, type Thresholds } from "../nlu/thresholds.js";
import type { ActiveFlow, ConversationRecord } from "../store/store.js";
import { answerStrength, isBareYesNo, outcomeAtEnd, parseAnswer, readIn } from "./answer.js";
import { type FlowStep, runFlow, stateOf } from "./flow-runner.js";
import type { TurnHooks } from "./hooks.js";
import { factsOf, Repairs } from "./repair.js";
import type { Reply } from "./reply.js";
import { Satisfaction } from "./satisfaction.js";

const PRIORITY_ORDER: Priority[] = ["low", "normal", "high", "urgent"];
/** Topics whose handoffs are high priority whatever the reason (the domain's policy). */
const HIGH_PRIORITY_TOPICS: ReadonlySet<string> = new Set(["account_frozen"]);
/** In a flow that always ends with a person, replies in a row that answer nothing before it hands over. */
const POLICY_MISSES = 2;
/** Anywhere else, replies in a row the bot could not use before a person takes over (`not_understood`). */
const MISSES = 3;
/** Shown when the locale lists no topics of its own (`engine.menuTopics`). */
const DEFAULT_MENU: TopicId[] = ["card_declined", "settlement_delay", "network_failure", "terminal_dead"];

/** What a channel's own menu may offer: a troubleshooting topic, or a person. */
export type MenuChoice = TopicId | "human_agent";

/** A handoff decided during the turn; the engine opens it once the turn's replies are known. */
export interface Pending {
  reason: HandoffReason;
  priority: Priority;
  intent: Exclude<IntentId, "human_agent">;
  flow: string | null;
  facts: Facts;
  stepsTried: Step[];
  /** The states the flow passed through, for the map the agent sees (empty without a flow). */
  statePath: string[];
}

/** The per-turn state the routing steps share. */
export interface TurnContext {
  conversation: ConversationRecord;
  understanding: Understanding;
  reply: Reply;
  handoff?: Pending;
  /** When the turn happened (ISO). */
  at: string;
  /** A rating given (or its comment added) on this turn: the engine keeps it. */
  rating?: Rating;
  /** The flow steps the turn took, for the analytics funnel (src/analytics/record.ts). */
  moves?: FlowMove[];
}

/** The topics the welcome and the "what else?" menu offer, most common first (from `locales/`). */
export function menuTopics(locale: Locale): TopicId[] {
  const topics = list(locale, "engine.menuTopics").filter((t): t is TopicId => isTopic(t));
  return topics.length > 0 ? topics : DEFAULT_MENU;
}

/** Short enough to be a reply to a question rather than a new problem: "3号", "last friday". */
function isShort(u: Understanding): boolean {
  const { han, words } = textSize(u.normalized);
  return han + words <= 4;
}

export class TurnRouter {
  readonly repairs: Repairs;
  readonly satisfaction: Satisfaction;

  constructor(
    readonly flows: FlowRegistry,
    readonly thresholds: Thresholds = calibrated,
    readonly hooks?: TurnHooks,
  ) {
    this.repairs = new Repairs(this);
    this.satisfaction = new Satisfaction(this);
  }

  /** The chat was opened: a welcome with the common topics, or where the chat in progress stands. */
  opened(ctx: TurnContext): void {
    if (ctx.conversation.handoffId) ctx.reply.say("engine.withAgent");
    else this.greet(ctx);
  }

  /**
   * A topic picked from a channel's own menu: its flow starts afresh (a flow under way is put aside to come
   * back to, as for a new problem), or a person is asked for. Picking the flow already under way asks its
   * question again.
   */
  menuChoice(ctx: TurnContext, choice: MenuChoice): void {
    const { conversation } = ctx;
    if (this.inPolicyFlow(conversation)) {
      // A flow that must end with a person is not put aside by a button: the label counts as typed.
      this.route(ctx);
    } else if (choice === "human_agent") {
      this.escalate(ctx, "requested");
    } else if (conversation.flow?.id === choice && conversation.question) {
      this.repeatQuestion(ctx);
    } else {
      this.repairs.suspend(ctx, "offer", choice);
      this.startFlow(ctx, choice, {}, { firstMessageAnswers: false });
    }
  }

  /** Empty, emoji-only or binary messages: a clear answer, and the pending question again. */
  unreadable(ctx: TurnContext, raw: string): void {
    const hasSymbols = raw.trim().length > 0;
    ctx.reply.say(hasSymbols ? "engine.noText" : "engine.empty");
    const { conversation } = ctx;
    // In a flow that always ends with a person, a message with nothing to read answers nothing, as gibberish
    // does (policyAnswer): after another reply that answered nothing, the merchant is handed over now.
    if (this.inPolicyFlow(conversation)) {
      conversation.notUnderstood += 1;
      if (conversation.notUnderstood >= POLICY_MISSES) {
        this.repairs.policyNow(ctx);
        return;
      }
    }
    // The rating is asked once: an emoji or an empty message does not bring it back.
    if (conversation.question && !conversation.question.rating) this.repeatQuestion(ctx);
  }

  route(ctx: TurnContext): void {
    // A rating or its comment, asked once: a reply that is neither is routed as if nothing were pending.
    if (ctx.conversation.question?.rating && this.satisfaction.answer(ctx)) return;
    const { conversation, understanding: u } = ctx;
    const question = conversation.question;
    // "不是51，是61" answers the code question with 61, not 51.
    const corrected = detectCorrection(u.text);
    const languages = readIn(conversation.locale, u.locale);
    const answer = question ? parseAnswer(corrected ?? u.text, question, languages) : undefined;
    const strength = question && answer ? answerStrength(answer, question) : "none";
    // "Did it work?" is answered with what was done and how it went, the outcome last: "插卡就可以了" is a yes
    // (not a card-reading problem), "重启后还是不行" a no (not a dead terminal).
    const outcome =
      answer && strength === "weak" && question?.key === DID_IT_WORK
        ? outcomeAtEnd(languages, u.normalized)
        : undefined;
    if (answer && outcome !== undefined) {
      answer.yes = outcome;
      if (answer.option === "yes" || answer.option === "no") answer.option = outcome ? "yes" : "no";
    }
    const bare =
      strength === "strong" ||
      (strength === "weak" && (isBareYesNo(languages, u.normalized) || outcome !== undefined)) ||
      // A question that takes the merchant's own words ("3号", "上周五") hears a short reply as its answer.
      (question?.expect === "text" && isShort(u));
    const inFlow = conversation.flow !== null && question?.flow === conversation.flow.id;
    const policy = inFlow && this.inPolicyFlow(conversation);

    if (u.act && CHITCHAT.has(u.act) && !(inFlow && strength === "strong")) {
      // "are you a robot?" is small talk, not a request for a person
      this.repairs.chitchat(ctx, u.act, inFlow);
    } else if (u.act === "already_said" && !policy && strength !== "strong") {
      // before the classifier's guesses: "刚才说过了" is neither a new problem nor a request for a person
      this.repairs.alreadySaid(ctx, question);
    } else if (this.isSure(u, "human_agent") && strength !== "strong") {
      this.escalate(ctx, "requested");
    } else if (question && !inFlow && answer && this.repairs.engineQuestion(ctx, question, answer, bare)) {
      // answered one of the engine's own questions
    } else if (question && answer?.dontKnow && question.hint && !question.hinted) {
      this.repairs.hint(ctx, question);
    } else if (inFlow && !policy && answer && strength === "strong") {
      // Answer first: a reply that picks an option or gives what was asked never goes anywhere else.
      if (!this.routeByCode(ctx, answer)) this.stepFlow(ctx, answer);
    } else if (corrected && this.repairs.correction(ctx, corrected)) {
      // a fact corrected, routed again
    } else if (u.act === "cancel") {
      this.repairs.cancel(ctx, policy);
    } else if (u.act === "repeat") {
      if (question) this.repairs.explain(ctx, question);
      else this.repairs.nothingToRepeat(ctx);
    } else if (policy) {
      this.policyAnswer(ctx, answer ?? { text: u.text }, strength);
    } else if (inFlow && answer && bare) {
      this.stepFlow(ctx, answer);
    } else if (inFlow && u.entities.maskedPan && givesCardNumberOnly(u.text)) {
      // "the card is 6222…": the card given, no new problem ("card" alone reads as one)
      this.repairs.cardNumber(ctx, question, u.entities.maskedPan);
    } else if (this.newProblem(ctx)) {
      // a new problem started, the current one put aside
    } else if (inFlow && answer && strength === "weak") {
      this.stepFlow(ctx, answer);
    } else if (this.isSure(u, "goodbye")) {
      this.goodbye(ctx);
    } else if (this.isSure(u, "greeting")) {
      this.greet(ctx);
    } else if (!conversation.flow && u.intent === "none" && this.repairs.clarifyTopics(ctx)) {
      // two topics about as likely, sure only together: "A or B?"
    } else if (this.isOutOfScope(u) && (!inFlow || this.repairs.isClearlyElsewhere(ctx))) {
      this.repairs.outOfScope(ctx);
    } else if (inFlow && answer) {
      this.stepFlow(ctx, answer);
    } else {
      this.notUnderstood(ctx);
    }
  }

  /**
   * In a flow that always ends with a person (frozen funds), whatever is said is taken as the answer and the
   * flow goes on; a second reply that answers nothing, or a goodbye, hands over at once with what is known.
   */
  private policyAnswer(ctx: TurnContext, answer: Answer, strength: string): void {
    const { conversation, understanding: u } = ctx;
    const usable = strength === "strong" && !answer.dontKnow;
    const leaving = !usable && !u.act && (this.isSure(u, "goodbye") || this.isSure(u, "greeting"));
    if (leaving) {
      this.repairs.policyNow(ctx);
      return;
    }
    const misses = usable ? 0 : conversation.notUnderstood + 1;
    // The answer is kept either way (the gap or the merchant's words), then a second miss hands over now.
    this.stepFlow(ctx, answer);
    conversation.notUnderstood = misses;
    if (misses >= POLICY_MISSES && conversation.flow && !ctx.handoff) this.repairs.policyNow(ctx);
  }

  /**
   * The contract's routing by response code holds for a code given as an answer too: 61 in reply to "which
   * code?" on a refused card is the card's limit, A0 a key error.
   */
  private routeByCode(ctx: TurnContext, answer: Answer): boolean {
    const { conversation } = ctx;
    const code = answer.responseCode;
    if (!code || conversation.flow?.id !== "card_declined") return false;
    const target = routeForCode(code);
    if (!target || target === "card_declined") return false;
    conversation.flow = null;
    this.startFlow(
      ctx,
      target,
      { ...conversation.facts, responseCode: code },
      { firstMessageAnswers: false },
    );
    return true;
  }

  /** Whether the flow under way always ends with a person (frozen funds). */
  private inPolicyFlow(conversation: ConversationRecord): boolean {
    return conversation.flow !== null && this.flows[conversation.flow.id].policy === true;
  }

  /** Confidently about something else ("find me a hotel"), as opposed to not understood at all ("asdf"). */
  private isOutOfScope(u: Understanding): boolean {
    const top = u.ranking[0];
    return u.intent === "none" && top?.intent === "none" && top.confidence >= this.thresholds.minConfidence;
  }

  private isSure(u: Understanding, intent: IntentId): boolean {
    return u.intent === intent && u.confidence >= this.thresholds.globalConfidence;
  }

  /**
   * A problem the merchant raises: started when nothing is under way; mid-flow only when it is a clear
   * statement of another problem (the current flow is put aside to come back to), or a side question
   * announced as one ("顺便问下…"). Two topics about as likely are asked about first.
   */
  private newProblem(ctx: TurnContext): boolean {
    const { conversation, understanding: u } = ctx;
    if (!isTopic(u.intent) || u.intent === conversation.flow?.id) return false;
    const topic: TopicId = u.intent;
    if (!conversation.flow) {
      if (this.repairs.clarifyTopics(ctx)) return true;
      this.startFlow(ctx, topic, factsOf(u));
      return true;
    }
    const side = detectInterruption(u.normalized) !== undefined;
    const sure = u.confidence >= (side ? this.thresholds.minConfidence : this.thresholds.switchConfidence);
    if (!sure) return false;
    this.repairs.suspend(ctx, side ? "auto" : "offer", topic);
    this.startFlow(ctx, topic, factsOf(u));
    return true;
  }

  startFlow(ctx: TurnContext, topic: TopicId, facts: Facts, options = { firstMessageAnswers: true }): void {
    // A confirmed incident on the topic is told first (src/incidents/): the flow may not start at all.
    if (this.hooks?.beforeFlow(ctx, topic, facts, this)) return;
    const { conversation, understanding: u, reply } = ctx;
    const definition = this.flows[topic];
    conversation.topic = topic;
    conversation.notUnderstood = 0;
    let step = runFlow(definition, { facts });
    const passed: string[] = [];
    // The message that raised the problem may already answer the flow's opening question, in words
    // ("wifi 连不上" for "SIM or Wi-Fi?"); a menu choice or a bare number answers nothing yet.
    const first = step.emitted.length === 1 ? step.emitted[0] : undefined;
    if (
      options.firstMessageAnswers &&
      step.persisted &&
      first?.type === "ask" &&
      !/^\s*[0-9]\s*$/.test(u.text)
    ) {
      const question = { flow: topic, options: first.options, expect: first.expect };
      const answer = parseAnswer(u.text, question, readIn(conversation.locale, u.locale), {
        partial: false,
      });
      if (!answer.dontKnow && answerStrength(answer, question) === "strong") {
        const next = runFlow(definition, { active: step.persisted, answer });
        passed.push(step.state);
        step = { ...next, emitted: [...step.emitted.slice(0, -1), ...next.emitted] };
      }
    }
    reply.flow(topic, step.emitted);
    this.afterFlowStep(ctx, topic, step, null, passed);
  }

  stepFlow(ctx: TurnContext, answer: Answer): void {
    const { conversation, reply } = ctx;
    const active = conversation.flow;
    if (!active) return;
    const definition = this.flows[active.id];
    if (definition.version !== active.version) reply.say("engine.flowRestarted");
    const before = stateOf(active.snapshot);
    const step = runFlow(definition, { active, answer });
    reply.flow(active.id, step.emitted);
    // An answer the flow could not use leaves it where it was: three of those in a row go to a person.
    const stuck = step.persisted !== undefined && step.state === before;
    conversation.notUnderstood = stuck ? conversation.notUnderstood + 1 : 0;
    this.afterFlowStep(ctx, active.id, step, active);
    if (stuck && conversation.notUnderstood >= MISSES) this.escalate(ctx, "not_understood");
  }

  /** `from` is the run the step continued (null: it started one); `passed`, states it went through. */
  afterFlowStep(
    ctx: TurnContext,
    topic: TopicId,
    step: FlowStep,
    from: ActiveFlow | null = null,
    passed: string[] = [],
  ): void {
    const { conversation } = ctx;
    ctx.moves?.push(flowMove(topic, step, from, passed));
    conversation.facts = step.facts;
    conversation.stepsTried = step.stepsTried;
    conversation.statePath = step.path;
    conversation.flow = step.persisted ?? null;
    if (!step.output) return;
    if (step.output.outcome === "escalated") this.escalate(ctx, step.output.reason, topic, step.output);
    else this.repairs.completed(ctx);
  }

  escalate(ctx: TurnContext, reason: HandoffReason, topic?: TopicId, output?: FlowOutput): void {
    const { conversation, reply } = ctx;
    const intent = topic ?? conversation.flow?.id ?? conversation.topic ?? "none";
    let priority: Priority =
      output?.outcome === "escalated" ? output.priority : reason === "not_understood" ? "low" : "normal";
    if (HIGH_PRIORITY_TOPICS.has(intent)) priority = maxPriority(priority, "high");
    const flow = topic ?? conversation.flow?.id ?? conversation.topic ?? null;
    ctx.handoff = {
      reason,
      priority,
      intent,
      flow,
      facts: conversation.facts,
      statePath: flow ? (conversation.statePath ?? []) : [],
      stepsTried: conversation.stepsTried.map(
        (s): Step => (reason === "unresolved" && s.result === "advised" ? { ...s, result: "not_fixed" } : s),
      ),
    };
    // A person takes the whole conversation, problems put aside included.
    conversation.suspended = [];
    reply.question = null;
    reply.options = [];
    reply.say(`engine.handoff.${reason}`);
  }

  goodbye(ctx: TurnContext): void {
    ctx.conversation.flow = null;
    ctx.conversation.suspended = [];
    ctx.conversation.notUnderstood = 0;
    ctx.reply.say("engine.goodbye");
  }

  greet(ctx: TurnContext): void {
    if (ctx.conversation.flow && ctx.conversation.question) {
      ctx.reply.say("engine.welcomeBack");
      this.repeatQuestion(ctx);
      return;
    }
    this.askMenu(ctx, "engine.welcome");
  }

  /** The topics as quick replies, under `key`; `facts` are kept for the flow the merchant picks. */
  askMenu(
    ctx: TurnContext,
    key: string,
    options: { topics?: TopicId[]; facts?: Facts; params?: Record<string, unknown> } = {},
  ): void {
    const { topics = menuTopics(ctx.conversation.locale), facts, params = {} } = options;
    ctx.reply.ask(key, params, {
      flow: "menu",
      options: topics,
      expect: "choice",
      ...(facts ? { facts } : {}),
    });
  }

  /** The pending question once more, as it was asked (with `changes`, e.g. that its hint was given). */
  repeatQuestion(ctx: TurnContext, changes: Partial<PendingQuestion> = {}): void {
    const question = ctx.conversation.question;
    if (!question) return;
    ctx.reply.ask(question.key ?? "engine.menu", question.params ?? {}, { ...question, ...changes });
  }

  /** One more reply the bot could not use: at the third in a row the merchant is handed over (true). */
  missedAgain(ctx: TurnContext): boolean {
    ctx.conversation.notUnderstood += 1;
    if (ctx.conversation.notUnderstood < MISSES) return false;
    this.escalate(ctx, "not_understood");
    return true;
  }

  /** Not understood: ask again; twice, offer the likeliest topics; three times, a person. */
  notUnderstood(ctx: TurnContext): void {
    const { conversation, understanding: u, reply } = ctx;
    if (this.missedAgain(ctx)) return;
    if (conversation.notUnderstood === 1) {
      reply.say("engine.notUnderstood");
      if (conversation.question) this.repeatQuestion(ctx);
      return;
    }
    const candidates = u.ranking
      .map((r) => r.intent)
      .filter((i): i is TopicId => isTopic(i))
      .slice(0, 3);
    this.askMenu(ctx, "engine.clarify", candidates.length ? { topics: candidates } : {});
  }
}

function maxPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_ORDER.indexOf(a) >= PRIORITY_ORDER.indexOf(b) ? a : b;
}
