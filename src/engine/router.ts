/**
 * Routing of one understood turn: an answer to the pending question goes to the flow; a new topic starts
 * (or switches to) its flow; a person, hello and goodbye are handled globally; what is not understood is
 * asked again, then clarified with the likeliest topics, then handed to a person.
 */
import type { Facts, FlowOutput, Step } from "../../flows/kit.js";
import type { Understanding } from "../nlu/index.js";
import { type IntentId, isTopic, type TopicId } from "../nlu/intents.js";
import { thresholds } from "../nlu/thresholds.js";
import type { ConversationRecord } from "../store/store.js";
import { answerStrength, parseAnswer } from "./answer.js";
import { type FlowRegistry, runFlow, stateOf } from "./flow-runner.js";
import type { HandoffReason, Priority } from "./handoff.js";
import type { Reply } from "./reply.js";

/** A different topic this sure interrupts the current flow (derived by `posdesk eval --calibrate`). */
const SWITCH_CONFIDENCE = thresholds.switchConfidence;
/** Global intents (a person, goodbye, hello) need this much confidence to act on. */
const GLOBAL_CONFIDENCE = thresholds.globalConfidence;
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

/** A handoff decided during the turn; the engine opens it once the turn's replies are known. */
export interface Pending {
  reason: HandoffReason;
  priority: Priority;
  intent: Exclude<IntentId, "human_agent">;
  flow: string | null;
  facts: Facts;
  stepsTried: Step[];
}

/** The per-turn state the routing steps share. */
export interface TurnContext {
  conversation: ConversationRecord;
  understanding: Understanding;
  reply: Reply;
  handoff?: Pending;
}

export class TurnRouter {
  constructor(private readonly flows: FlowRegistry) {}

  /** Empty, emoji-only or binary messages: a clear answer, and the pending question again. */
  unreadable(ctx: TurnContext, raw: string): void {
    const hasSymbols = raw.trim().length > 0;
    ctx.reply.say(hasSymbols ? "engine.noText" : "engine.empty");
    if (ctx.conversation.question) this.repeatQuestion(ctx);
  }

  /** The chat was opened: a welcome with the common topics, or the pending question of a chat in progress. */
  opened(ctx: TurnContext): void {
    if (ctx.conversation.handoffId) ctx.reply.say("engine.withAgent");
    else this.greet(ctx);
  }

  route(ctx: TurnContext): void {
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

  startFlow(ctx: TurnContext, topic: TopicId, facts: Facts, options = { firstMessageAnswers: true }): void {
    const { conversation, understanding: u, reply } = ctx;
    const definition = this.flows[topic];
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

  stepFlow(ctx: TurnContext, answer: ReturnType<typeof parseAnswer>): void {
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
    this.afterFlowStep(ctx, active.id, step);
    if (stuck && conversation.notUnderstood >= 3) this.escalate(ctx, "not_understood");
  }

  afterFlowStep(ctx: TurnContext, topic: TopicId, step: ReturnType<typeof runFlow>): void {
    const { conversation } = ctx;
    conversation.facts = step.facts;
    conversation.stepsTried = step.stepsTried;
    conversation.flow = step.persisted ?? null;
    if (!step.output) return;
    if (step.output.outcome === "escalated") this.escalate(ctx, step.output.reason, topic, step.output);
  }

  escalate(ctx: TurnContext, reason: HandoffReason, topic?: TopicId, output?: FlowOutput): void {
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

  goodbye(ctx: TurnContext): void {
    ctx.conversation.flow = null;
    ctx.conversation.notUnderstood = 0;
    ctx.reply.say("engine.goodbye");
  }

  greet(ctx: TurnContext): void {
    if (ctx.conversation.flow && ctx.conversation.question) {
      ctx.reply.say("engine.welcomeBack");
      this.repeatQuestion(ctx);
      return;
    }
    ctx.reply.ask("engine.welcome", {}, { flow: "menu", options: MENU, expect: "choice" });
  }

  repeatQuestion(ctx: TurnContext): void {
    const question = ctx.conversation.question;
    if (question) ctx.reply.ask(question.key ?? "engine.menu", question.params ?? {}, question);
  }

  /** Not understood: ask again; twice, offer the likeliest topics; three times, a person. */
  notUnderstood(ctx: TurnContext): void {
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
}

function factsOf(u: Understanding): Facts {
  const facts: Facts = {};
  for (const [key, value] of Object.entries(u.entities)) if (value !== undefined) facts[key] = value;
  return facts;
}

function maxPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_ORDER.indexOf(a) >= PRIORITY_ORDER.indexOf(b) ? a : b;
}
