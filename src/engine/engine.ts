/**
 * The conversation engine: one turn in, replies out, for every channel alike.
 * understand → route → flow step → persist → replies. Channels never see flows; flows never see channels.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Facts, FlowOutput, Step } from "../../flows/kit.js";
import type { Nlu, Understanding } from "../nlu/index.js";
import { type IntentId, isTopic, type Locale, type TopicId } from "../nlu/intents.js";
import { maskCardNumbers, maskDeep } from "../nlu/redact.js";
import type { ConversationRecord, Store } from "../store/store.js";
import { answerStrength, parseAnswer } from "./answer.js";
import { type FlowRegistry, runFlow, stateName } from "./flow-runner.js";
import {
  type Channel,
  type HandoffReason,
  type HandoffRecord,
  HandoffSummary,
  type Priority,
  type TranscriptEntry,
} from "./handoff.js";
import { KeyedMutex } from "./lock.js";
import { Reply } from "./reply.js";
import { summarize } from "./summary.js";

export interface Turn {
  conversationId?: string;
  text: string;
  channel: Channel;
  /** The language the merchant chose; without it the bot follows the language they write in. */
  locale?: Locale;
  /** How the channel reaches this merchant again, stored with the conversation. */
  address?: unknown;
}

export interface TurnResult {
  conversationId: string;
  turn: number;
  intent: IntentId;
  confidence: number;
  flow: TopicId | null;
  state: string | null;
  locale: Locale;
  replies: string[];
  options: string[];
  /** The option ids behind `options`, for channels that send ids back. */
  optionIds: string[];
  handoff: HandoffSummary | null;
  /** The handoff that owns the chat after this turn (opened now or earlier), or null when the bot does. */
  openHandoffId: string | null;
}

export interface EngineOptions {
  nlu: Nlu;
  store: Store;
  flows: FlowRegistry;
  logger?: Logger;
  /** The language of handoff summaries (default zh-CN). */
  agentLocale?: Locale;
  defaultLocale?: Locale;
  now?: () => Date;
}

/** Longer messages are cut here (and the merchant told): nobody describes a terminal fault in more. */
export const MAX_MESSAGE_CHARS = 2000;
/** A different topic this sure interrupts the current flow. */
const SWITCH_CONFIDENCE = 0.55;
/** Global intents (a person, goodbye, hello) need this much confidence to act on. */
const GLOBAL_CONFIDENCE = 0.5;
/** Topics the menu offers after a greeting, most common first. */
const MENU: TopicId[] = [
  "card_declined",
  "settlement_delay",
  "network_failure",
  "terminal_dead",
  "signin_key_error",
];
const PRIORITY_ORDER: Priority[] = ["low", "normal", "high", "urgent"];
/** Topics whose handoffs are high priority whatever the reason (the domain's policy). */
const HIGH_PRIORITY_TOPICS: ReadonlySet<string> = new Set(["account_frozen"]);

interface Pending {
  reason: HandoffReason;
  priority: Priority;
  intent: Exclude<IntentId, "human_agent">;
  flow: string | null;
  facts: Facts;
  stepsTried: Step[];
}

/** The per-turn state the routing steps share. */
interface TurnContext {
  conversation: ConversationRecord;
  understanding: Understanding;
  reply: Reply;
  handoff?: Pending;
}

export class ConversationEngine {
  private readonly locks = new KeyedMutex();
  private readonly agentLocale: Locale;
  private readonly defaultLocale: Locale;
  private readonly now: () => Date;
  private nlu: Nlu;

  constructor(private readonly options: EngineOptions) {
    this.nlu = options.nlu;
    this.agentLocale = options.agentLocale ?? "zh-CN";
    this.defaultLocale = options.defaultLocale ?? "zh-CN";
    this.now = options.now ?? (() => new Date());
  }

  get store(): Store {
    return this.options.store;
  }

  /** Swaps the model (retrained from new phrases) for the turns that start from now on. */
  useModel(nlu: Nlu): void {
    this.nlu = nlu;
  }

  handle(turn: Turn): Promise<TurnResult> {
    const id = turn.conversationId ?? randomUUID();
    return this.serialised(id, () => this.handleLocked(id, turn));
  }

  /** One turn of a conversation at a time: in this process (a mutex) and across processes (the store's lock). */
  private serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const store = this.store;
    return this.locks.run(id, () =>
      store.withConversationLock ? store.withConversationLock(id, work) : work(),
    );
  }

  private async handleLocked(id: string, turn: Turn): Promise<TurnResult> {
    const started = performance.now();
    const at = this.now().toISOString();
    const raw = typeof turn.text === "string" ? turn.text : "";
    const tooLong = raw.length > MAX_MESSAGE_CHARS;
    const text = tooLong ? raw.slice(0, MAX_MESSAGE_CHARS) : raw;
    const conversation = (await this.store.getConversation(id)) ?? this.newConversation(id, turn, at);
    const understanding = this.nlu.understand(text);
    conversation.locale = this.chooseLocale(conversation, turn, understanding);
    if (turn.address !== undefined) conversation.address = turn.address;
    conversation.turn += 1;
    const ctx: TurnContext = { conversation, understanding, reply: new Reply(conversation.locale) };

    const said: TranscriptEntry = {
      from: "merchant",
      text: understanding.text,
      at,
      intent: understanding.intent,
    };
    if (tooLong) ctx.reply.say("engine.tooLong", { max: MAX_MESSAGE_CHARS });
    if (!understanding.normalized) {
      this.unreadable(ctx, raw);
    } else if (conversation.handoffId) {
      ctx.reply.say("engine.withAgent");
    } else {
      this.route(ctx);
    }
    if (ctx.reply.texts.length === 0) ctx.reply.say("engine.notUnderstood");

    const entries: TranscriptEntry[] = [
      said,
      ...ctx.reply.texts.map((t): TranscriptEntry => ({ from: "bot", text: maskCardNumbers(t), at })),
    ];
    const handoff = ctx.handoff ? await this.openHandoff(conversation, ctx.handoff, at, entries) : null;
    conversation.question = ctx.reply.question;
    conversation.updatedAt = at;
    // Everything the turn changed is written at once: one transaction where the store has them.
    await this.store.saveTurn({
      conversation,
      transcript: entries,
      ...(handoff ? { handoff: { summary: handoff, status: "open" } } : {}),
    });

    const state = conversation.flow ? stateOf(conversation.flow.snapshot) : null;
    const result: TurnResult = maskDeep({
      conversationId: id,
      turn: conversation.turn,
      intent: understanding.intent,
      confidence: Math.round(understanding.confidence * 1000) / 1000,
      flow: conversation.flow?.id ?? null,
      state,
      locale: conversation.locale,
      replies: ctx.reply.texts,
      options: ctx.reply.options.map((o) => o.label),
      optionIds: ctx.reply.options.map((o) => o.id),
      handoff,
      openHandoffId: conversation.handoffId,
    });
    this.options.logger?.info(
      {
        conversation: id,
        channel: conversation.channel,
        intent: result.intent,
        confidence: result.confidence,
        flow: result.flow,
        state,
        handoff: handoff?.reason ?? null,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      "turn",
    );
    return result;
  }

  /** Empty, emoji-only or binary messages: a clear answer, and a count towards a person. */
  private unreadable(ctx: TurnContext, raw: string): void {
    const hasSymbols = raw.trim().length > 0;
    ctx.reply.say(hasSymbols ? "engine.noText" : "engine.empty");
    if (ctx.conversation.question) this.repeatQuestion(ctx);
  }

  private route(ctx: TurnContext): void {
    const { conversation, understanding: u } = ctx;
    const question = conversation.question;
    const answer = question ? parseAnswer(u.text, question, conversation.locale) : undefined;
    const strength = question && answer ? answerStrength(answer, question) : "none";
    const sure = u.confidence >= GLOBAL_CONFIDENCE;

    const newTopic = isTopic(u.intent) && u.intent !== conversation.flow?.id ? u.intent : undefined;
    const menuChoice = question?.flow === "menu" && strength === "strong" ? answer?.option : undefined;

    if (u.intent === "human_agent" && sure && strength !== "strong") {
      this.escalate(ctx, "requested");
    } else if (menuChoice && isTopic(menuChoice)) {
      this.startFlow(ctx, menuChoice, {}, { firstMessageAnswers: false });
    } else if (conversation.flow && answer && strength === "strong") {
      this.stepFlow(ctx, answer);
    } else if (newTopic && (!conversation.flow || u.confidence >= SWITCH_CONFIDENCE || strength === "none")) {
      if (conversation.flow) ctx.reply.say("engine.switchTopic");
      this.startFlow(ctx, newTopic, factsOf(u));
    } else if (conversation.flow && answer && strength === "weak") {
      this.stepFlow(ctx, answer);
    } else if (u.intent === "goodbye" && sure) {
      this.goodbye(ctx);
    } else if (u.intent === "greeting" && sure) {
      this.greet(ctx);
    } else if (conversation.flow && answer) {
      this.stepFlow(ctx, answer);
    } else {
      this.notUnderstood(ctx);
    }
  }

  private startFlow(
    ctx: TurnContext,
    topic: TopicId,
    facts: Facts,
    options = { firstMessageAnswers: true },
  ): void {
    const { conversation, understanding: u, reply } = ctx;
    const definition = this.options.flows[topic];
    conversation.topic = topic;
    conversation.notUnderstood = 0;
    let step = runFlow(definition, { facts });
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
      const answer = parseAnswer(u.text, question, conversation.locale);
      if (answerStrength(answer, question) === "strong") {
        const next = runFlow(definition, { active: step.persisted, answer });
        step = { ...next, emitted: [...step.emitted.slice(0, -1), ...next.emitted] };
      }
    }
    reply.flow(topic, step.emitted);
    this.afterFlowStep(ctx, topic, step);
  }

  private stepFlow(ctx: TurnContext, answer: ReturnType<typeof parseAnswer>): void {
    const { conversation, reply } = ctx;
    const active = conversation.flow;
    if (!active) return;
    const definition = this.options.flows[active.id];
    if (definition.version !== active.version) reply.say("engine.flowRestarted");
    const before = stateOf(active.snapshot);
    const step = runFlow(definition, { active, answer });
    reply.flow(active.id, step.emitted);
    // An answer the flow could not use leaves it where it was: three of those in a row go to a person.
    const stuck = step.persisted !== undefined && step.state === before;
    conversation.notUnderstood = stuck ? conversation.notUnderstood + 1 : 0;
    this.afterFlowStep(ctx, active.id, step);
    if (stuck && conversation.notUnderstood >= 3) this.escalate(ctx, "not_understood");
  }

  private afterFlowStep(ctx: TurnContext, topic: TopicId, step: ReturnType<typeof runFlow>): void {
    const { conversation } = ctx;
    conversation.facts = step.facts;
    conversation.stepsTried = step.stepsTried;
    conversation.flow = step.persisted ?? null;
    if (!step.output) return;
    if (step.output.outcome === "escalated") this.escalate(ctx, step.output.reason, topic, step.output);
  }

  private escalate(ctx: TurnContext, reason: HandoffReason, topic?: TopicId, output?: FlowOutput): void {
    const { conversation, reply } = ctx;
    const intent = topic ?? conversation.flow?.id ?? conversation.topic ?? "none";
    let priority: Priority =
      output?.outcome === "escalated" ? output.priority : reason === "not_understood" ? "low" : "normal";
    if (HIGH_PRIORITY_TOPICS.has(intent)) priority = maxPriority(priority, "high");
    ctx.handoff = {
      reason,
      priority,
      intent,
      flow: topic ?? conversation.flow?.id ?? conversation.topic ?? null,
      facts: conversation.facts,
      stepsTried: conversation.stepsTried.map(
        (s): Step => (reason === "unresolved" && s.result === "advised" ? { ...s, result: "not_fixed" } : s),
      ),
    };
    reply.question = null;
    reply.options = [];
    reply.say(`engine.handoff.${reason}`);
  }

  private goodbye(ctx: TurnContext): void {
    ctx.conversation.flow = null;
    ctx.conversation.notUnderstood = 0;
    ctx.reply.say("engine.goodbye");
  }

  private greet(ctx: TurnContext): void {
    if (ctx.conversation.flow && ctx.conversation.question) {
      ctx.reply.say("engine.welcomeBack");
      this.repeatQuestion(ctx);
      return;
    }
    ctx.reply.ask("engine.welcome", {}, { flow: "menu", options: MENU, expect: "choice" });
  }

  private repeatQuestion(ctx: TurnContext): void {
    const question = ctx.conversation.question;
    if (question) ctx.reply.ask(question.key ?? "engine.menu", question.params ?? {}, question);
  }

  /** Not understood: ask again; twice, offer the likeliest topics; three times, a person. */
  private notUnderstood(ctx: TurnContext): void {
    const { conversation, understanding: u, reply } = ctx;
    conversation.notUnderstood += 1;
    if (conversation.notUnderstood >= 3) {
      this.escalate(ctx, "not_understood");
      return;
    }
    if (conversation.notUnderstood === 1) {
      reply.say("engine.notUnderstood");
      return;
    }
    const candidates = u.ranking
      .map((r) => r.intent)
      .filter((i): i is TopicId => isTopic(i))
      .slice(0, 3);
    reply.ask(
      "engine.clarify",
      {},
      { flow: "menu", options: candidates.length ? candidates : MENU, expect: "choice" },
    );
  }

  /** The handoff this turn opens; `entries` are the turn's own transcript entries, not yet stored. */
  private async openHandoff(
    conversation: ConversationRecord,
    pending: Pending,
    at: string,
    entries: TranscriptEntry[],
  ): Promise<HandoffSummary> {
    const summary = HandoffSummary.parse(
      maskDeep({
        id: randomUUID(),
        conversationId: conversation.id,
        channel: conversation.channel,
        locale: conversation.locale,
        intent: pending.intent,
        flow: pending.flow,
        reason: pending.reason,
        priority: pending.priority,
        facts: pending.facts,
        stepsTried: pending.stepsTried,
        summary: summarize(this.agentLocale, pending),
        transcript: [...(await this.store.transcript(conversation.id)), ...entries],
        createdAt: at,
      }),
    );
    conversation.handoffId = summary.id;
    conversation.flow = null;
    return summary;
  }

  /** An agent's message to the merchant: recorded in the transcript; the channel delivers it. */
  async agentMessage(
    handoffId: string,
    text: string,
  ): Promise<{ conversation: ConversationRecord; text: string }> {
    const handoff = await this.requireHandoff(handoffId);
    const masked = maskCardNumbers(text);
    return this.serialised(handoff.summary.conversationId, async () => {
      const conversation = await this.requireConversation(handoff.summary.conversationId);
      await this.store.appendTranscript(conversation.id, [
        { from: "agent", text: masked, at: this.now().toISOString() },
      ]);
      if (handoff.status === "open") await this.store.saveHandoff({ ...handoff, status: "claimed" });
      return { conversation, text: masked };
    });
  }

  async claimHandoff(handoffId: string, agent: string): Promise<HandoffRecord> {
    const handoff = await this.requireHandoff(handoffId);
    if (handoff.status === "closed") throw new EngineError("handoff is closed", 409);
    const claimed: HandoffRecord = { ...handoff, status: "claimed", claimedBy: agent };
    await this.store.saveHandoff(claimed);
    return claimed;
  }

  /** Ends a handoff: the resolution is kept for learning, and the bot owns the chat again. */
  async closeHandoff(
    handoffId: string,
    resolution: IntentId,
    note = "",
  ): Promise<{ handoff: HandoffRecord; conversation: ConversationRecord; text: string }> {
    const handoff = await this.requireHandoff(handoffId);
    if (handoff.status === "closed") throw new EngineError("handoff is already closed", 409);
    return this.serialised(handoff.summary.conversationId, async () => {
      const at = this.now().toISOString();
      const closed: HandoffRecord = {
        ...handoff,
        status: "closed",
        resolution,
        note: maskCardNumbers(note),
        closedAt: at,
      };
      await this.store.saveHandoff(closed);
      const conversation = await this.requireConversation(handoff.summary.conversationId);
      const text = new Reply(conversation.locale);
      text.say("engine.handoffClosed");
      Object.assign(conversation, {
        handoffId: null,
        flow: null,
        question: null,
        notUnderstood: 0,
        updatedAt: at,
      });
      await this.store.saveConversation(conversation);
      await this.store.appendTranscript(conversation.id, [{ from: "bot", text: text.texts[0] ?? "", at }]);
      return { handoff: closed, conversation, text: text.texts[0] ?? "" };
    });
  }

  /** A handoff's summary with the transcript as it is now. */
  async liveHandoff(handoffId: string): Promise<HandoffRecord> {
    const handoff = await this.requireHandoff(handoffId);
    const transcript = await this.store.transcript(handoff.summary.conversationId);
    return { ...handoff, summary: { ...handoff.summary, transcript } };
  }

  private async requireHandoff(id: string): Promise<HandoffRecord> {
    const handoff = await this.store.getHandoff(id);
    if (!handoff) throw new EngineError("no such handoff", 404);
    return handoff;
  }

  private async requireConversation(id: string): Promise<ConversationRecord> {
    const conversation = await this.store.getConversation(id);
    if (!conversation) throw new EngineError("no such conversation", 404);
    return conversation;
  }

  private newConversation(id: string, turn: Turn, at: string): ConversationRecord {
    return {
      id,
      channel: turn.channel,
      locale: turn.locale ?? this.defaultLocale,
      localeFixed: turn.locale !== undefined,
      topic: null,
      flow: null,
      question: null,
      facts: {},
      stepsTried: [],
      notUnderstood: 0,
      handoffId: null,
      turn: 0,
      createdAt: at,
      updatedAt: at,
    };
  }

  /** The merchant's choice wins; otherwise follow the language they write in, if the message says enough. */
  private chooseLocale(conversation: ConversationRecord, turn: Turn, u: Understanding): Locale {
    if (turn.locale) {
      conversation.localeFixed = true;
      return turn.locale;
    }
    if (conversation.localeFixed || !u.locale) return conversation.locale;
    const saysEnough =
      conversation.turn === 0 || u.normalized.replace(/[^a-z\u3400-\u9fff]/g, "").length >= 6;
    return saysEnough ? u.locale : conversation.locale;
  }
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function factsOf(u: Understanding): Facts {
  const facts: Facts = {};
  for (const [key, value] of Object.entries(u.entities)) if (value !== undefined) facts[key] = value;
  return facts;
}

function stateOf(snapshot: unknown): string | null {
  const value = (snapshot as { value?: unknown } | null)?.value;
  return value === undefined ? null : stateName(value);
}

function maxPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_ORDER.indexOf(a) >= PRIORITY_ORDER.indexOf(b) ? a : b;
}
