/**
 * Incidents inside the turn (the engine's TurnHooks). Each time a topic's flow is about to start, the topic
 * counts as raised by that conversation; enough distinct conversations in the window make a suspected
 * incident. While an incident on the topic is confirmed, the merchant is told its message first and asked
 * whether theirs is the same: yes links them to it (no troubleshooting, a person offered), no lets the flow
 * start.
 *
 * The turn itself only reads memory: the open incidents by topic are kept here, refreshed from the store
 * when the desk's events say they changed (across processes over Redis pub/sub) and every few seconds where
 * the store is shared. Counting happens after the turn is saved, and only for a turn that raised a topic:
 * one window count (in memory, or one Redis MULTI) while no incident is open on it; while one is, the
 * conversation joins it in a batch written every half second.
 */
import { randomUUID } from "node:crypto";
import type { Answer, Facts } from "../../flows/kit.js";
import type { DeskEvent } from "../channels/hub.js";
import type { PendingQuestion } from "../domain/dialogue.js";
import type { IncidentRecord, MemberState } from "../domain/incident.js";
import { isOpen } from "../domain/incident.js";
import type { TopicId } from "../domain/intents.js";
import type { TurnHooks } from "../engine/hooks.js";
import type { Reply } from "../engine/reply.js";
import type { TurnContext, TurnRouter } from "../engine/router.js";
import type { Logger } from "../logger.js";
import type { IncidentStore, MemberUpdate } from "../store/incidents.js";
import type { IncidentSettings } from "./settings.js";

/** The pending question's `flow` for the questions asked here; option labels are `incident.options.*`. */
export const INCIDENT = "incident";
const ASK = "incident.ask";
const OFFER = "incident.offer";

/** How long conversations joining an incident wait to be written together. */
const FLUSH_MS = 500;

export interface IncidentGateOptions {
  store: IncidentStore;
  settings: IncidentSettings;
  now?: () => Date;
  logger?: Logger;
  /** The console's live events (the hub's desk events). */
  publish?: (event: DeskEvent) => void;
}

/** What a turn did about incidents, written once the turn is saved. */
interface TurnNotes {
  raised: TopicId[];
  states: { incidentId: string; state: MemberState }[];
}

/** The parameters an incident's questions carry, to render them again and to read their answers. */
type QuestionParams = {
  incident: string;
  topicId: TopicId;
  topic: string;
  message: string;
};

export class IncidentGate implements TurnHooks {
  readonly settings: IncidentSettings;
  readonly store: IncidentStore;
  private readonly now: () => Date;
  private readonly open = new Map<TopicId, IncidentRecord>();
  /** This process's view of when each open incident last gained a conversation (ms). */
  private readonly lastRaised = new Map<string, number>();
  private readonly notes = new WeakMap<TurnContext, TurnNotes>();
  private pending: MemberUpdate[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Bumped by every change made here, so a refresh that read the store before it reads again. */
  private generation = 0;

  constructor(private readonly options: IncidentGateOptions) {
    this.store = options.store;
    this.settings = options.settings;
    this.now = options.now ?? (() => new Date());
  }

  /** The open incident of `topic`, as this process knows it. */
  openOn(topic: TopicId): IncidentRecord | undefined {
    return this.open.get(topic);
  }

  /** Reads the open incidents again (at start, when the desk's events say they changed, now and then). */
  async refresh(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const generation = this.generation;
      const open = await this.store.list({ open: true });
      if (generation !== this.generation) continue;
      this.open.clear();
      for (const incident of open) this.open.set(incident.topic, incident);
      for (const id of this.lastRaised.keys())
        if (!open.some((incident) => incident.id === id)) this.lastRaised.delete(id);
      return;
    }
  }

  /** An incident changed here (confirmed, closed): the turns of this process see it at once. */
  remember(incident: IncidentRecord): void {
    this.generation += 1;
    if (isOpen(incident)) this.open.set(incident.topic, incident);
    else if (this.open.get(incident.topic)?.id === incident.id) this.open.delete(incident.topic);
  }

  beforeFlow(ctx: TurnContext, topic: TopicId, facts: Facts): boolean {
    this.notesOf(ctx).raised.push(topic);
    const incident = this.open.get(topic);
    if (incident?.status !== "confirmed") return false;
    const { conversation, reply } = ctx;
    const answered = conversation.incidents?.[incident.id];
    if (answered === "declined") return false;
    // The topic is the merchant's problem all the same: a person asked for later gets it with its facts.
    Object.assign(conversation, { topic, facts, stepsTried: [], flow: null, notUnderstood: 0 });
    if (answered === "linked") {
      reply.say("incident.stillOngoing", this.params(reply, incident));
      this.offerPerson(reply, incident);
      return true;
    }
    this.tell(reply, incident, facts);
    conversation.incidents = { ...conversation.incidents, [incident.id]: "asked" };
    this.notesOf(ctx).states.push({ incidentId: incident.id, state: "told" });
    return true;
  }

  /**
   * The incident's message and the question whether the merchant's problem is the same, with yes / no as
   * quick replies. `interrupted`: the question of the flow under way, asked again after a no.
   */
  tell(reply: Reply, incident: IncidentRecord, facts: Facts, interrupted?: PendingQuestion): void {
    const params = this.params(reply, incident);
    reply.say("incident.notice", params);
    reply.ask(ASK, params, {
      flow: INCIDENT,
      options: ["same", "different"],
      expect: "choice",
      facts,
      ...(interrupted ? { interrupted } : {}),
    });
  }

  answer(
    ctx: TurnContext,
    question: PendingQuestion,
    answer: Answer,
    bare: boolean,
    router: TurnRouter,
  ): boolean {
    if (question.flow !== INCIDENT) return false;
    const params = question.params as unknown as QuestionParams;
    if (question.key === OFFER) {
      if (answer.option === "person") router.escalate(ctx, "requested", params.topicId);
      else if (answer.option === "no_thanks") router.goodbye(ctx);
      return answer.option !== undefined;
    }
    const same = answer.option === "same" || (!answer.option && bare && answer.yes === true);
    const different = answer.option === "different" || (!answer.option && bare && answer.yes === false);
    const { conversation, reply } = ctx;
    if (!same && !different) {
      if (!question.interrupted) return false;
      // Told in the middle of a flow, the merchant went on with it: the flow's question takes the reply.
      conversation.question = question.interrupted;
      router.route(ctx);
      return true;
    }
    const state = same ? "linked" : "declined";
    conversation.incidents = { ...conversation.incidents, [params.incident]: state };
    this.notesOf(ctx).states.push({ incidentId: params.incident, state });
    if (same) {
      // Nothing on the merchant's side to fix: no troubleshooting, and a person if they want one.
      Object.assign(conversation, { flow: null, suspended: [], notUnderstood: 0 });
      reply.say("incident.linked", params);
      this.offerPerson(reply, params);
    } else if (question.interrupted) {
      conversation.question = question.interrupted;
      reply.say("incident.carryOn");
      router.repeatQuestion(ctx);
    } else {
      reply.say("incident.notSame");
      router.startFlow(ctx, params.topicId, question.facts ?? {}, { firstMessageAnswers: false });
    }
    return true;
  }

  async afterTurn(ctx: TurnContext): Promise<void> {
    const notes = this.notes.get(ctx);
    if (!notes) return;
    // Read once: the entry goes now rather than when a full GC finds its turn gone (a WeakMap's table keeps
    // every entry whose key the young generation's collections saw die until then, and grows).
    this.notes.delete(ctx);
    const conversationId = ctx.conversation.id;
    try {
      for (const topic of new Set(notes.raised)) await this.raised(topic, conversationId);
      for (const { incidentId, state } of notes.states) this.record(incidentId, conversationId, state);
    } catch (error) {
      // Counting must never cost the merchant their answer: the turn is saved already.
      this.options.logger?.error({ err: error, conversation: conversationId }, "incident counting failed");
    }
  }

  /** A conversation's state in an incident, written with the next batch. */
  record(incidentId: string, conversationId: string, state: MemberState, mode: "add" | "set" = "set"): void {
    const at = this.now().toISOString();
    this.pending.push({ incidentId, member: { conversationId, at, state }, mode });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes the conversations waiting to join incidents now (before anything reads them). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing
      .then(() => this.store.updateMembers(batch))
      .then(() => {
        for (const incidentId of new Set(batch.map((u) => u.incidentId))) {
          const topic = [...this.open.values()].find((i) => i.id === incidentId)?.topic;
          if (topic) this.options.publish?.({ type: "incident.updated", incidentId, topic });
        }
      })
      .catch((error: unknown) => {
        this.options.logger?.error({ err: error, count: batch.length }, "incident members not written");
      });
    return this.writing;
  }

  /** A suspected incident nobody raised for a whole window lapses, and its topic is counted afresh. */
  async lapseIfQuiet(incident: IncidentRecord, at = this.now().getTime()): Promise<boolean> {
    if (incident.status !== "suspected" || !(await this.isQuiet(incident, at))) return false;
    const lapsed: IncidentRecord = { ...incident, status: "lapsed", closedAt: new Date(at).toISOString() };
    await this.store.save(lapsed);
    this.remember(lapsed);
    this.lastRaised.delete(incident.id);
    this.options.publish?.({ type: "incident.lapsed", incidentId: incident.id, topic: incident.topic });
    return true;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async raised(topic: TopicId, conversationId: string): Promise<void> {
    const now = this.now();
    const at = now.getTime();
    const open = this.open.get(topic);
    if (open && !(await this.lapseIfQuiet(open, at))) {
      this.record(open.id, conversationId, "raised", "add");
      this.lastRaised.set(open.id, at);
      return;
    }
    const { minConversations, windowMs } = this.settings;
    if (minConversations <= 0) return;
    const { count, open: opened } = await this.store.countRaise(topic, conversationId, at, windowMs);
    if (opened && opened !== open?.id) {
      // Opened a moment ago (by another process, or by another turn of this one): this conversation joins.
      this.record(opened, conversationId, "raised", "add");
      this.lastRaised.set(opened, at);
      if (!this.open.has(topic)) void this.refresh().catch(() => undefined);
      return;
    }
    if (count < minConversations) return;
    const members = await this.store.raisedSince(topic, at - windowMs);
    const detected: IncidentRecord = {
      id: randomUUID(),
      topic,
      status: "suspected",
      detectedAt: now.toISOString(),
    };
    const incident = await this.store.open(detected, members);
    this.remember(incident);
    this.lastRaised.set(incident.id, at);
    if (incident.id !== detected.id) {
      // Another process opened it a moment before: this conversation joins that one.
      this.record(incident.id, conversationId, "raised", "add");
      return;
    }
    await this.store.clearRaises(topic);
    this.options.logger?.warn({ incident: incident.id, topic, count }, "suspected incident");
    this.options.publish?.({ type: "incident.detected", incidentId: incident.id, topic });
  }

  private async isQuiet(incident: IncidentRecord, at: number): Promise<boolean> {
    const { windowMs } = this.settings;
    const known = this.lastRaised.get(incident.id);
    if (known !== undefined && at - known < windowMs) return false;
    // This process saw nothing lately; others sharing the store may have: the store says.
    await this.flush();
    const last = Date.parse((await this.store.lastRaised(incident.id)) ?? incident.detectedAt);
    this.lastRaised.set(incident.id, last);
    return at - last >= windowMs;
  }

  private offerPerson(reply: Reply, incident: IncidentRecord | QuestionParams): void {
    const params = "status" in incident ? this.params(reply, incident) : incident;
    reply.ask(OFFER, params, { flow: INCIDENT, options: ["person", "no_thanks"], expect: "choice" });
  }

  private params(reply: Reply, incident: IncidentRecord): QuestionParams {
    return {
      incident: incident.id,
      topicId: incident.topic,
      topic: reply.text(`topics.${incident.topic}`),
      message: incident.message ?? "",
    };
  }

  private notesOf(ctx: TurnContext): TurnNotes {
    let notes = this.notes.get(ctx);
    if (!notes) {
      notes = { raised: [], states: [] };
      this.notes.set(ctx, notes);
    }
    return notes;
  }
}
