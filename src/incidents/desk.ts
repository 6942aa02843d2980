/**
 * The support lead's side of incidents: the list the console shows (count, conversations, shared facts),
 * confirming one with a message for merchants — told at once to those whose troubleshooting of the topic is
 * under way — and closing it, which tells the merchants who were told that it is over.
 *
 * Hook: `desk.on("incident.confirmed" | "incident.closed", listener)` with `{id, topic, message, count,
 * confirmedAt | closedAt}`, emitted once, by the process where the agent acted (for webhooks).
 */
import { EventEmitter } from "node:events";
import type { Facts } from "../domain/dialogue.js";
import type { TranscriptEntry } from "../domain/handoff.js";
import type { IncidentMember, IncidentRecord, IncidentStatus, MemberState } from "../domain/incident.js";
import type { TopicId } from "../domain/intents.js";
import { maskCardNumbers } from "../domain/redact.js";
import { EngineError } from "../engine/engine.js";
import { Reply } from "../engine/reply.js";
import type { Logger } from "../logger.js";
import type { ConversationRecord } from "../store/store.js";
import type { Switchboard } from "../switchboard.js";
import { type SharedFact, sharedFacts } from "./facts.js";
import { INCIDENT, type IncidentGate } from "./gate.js";

/** One conversation of an incident, as the console shows it. */
export interface IncidentConversation {
  id: string;
  /** When it raised the topic (joined the incident). */
  at: string;
  state: MemberState;
  channel: string | null;
  locale: string | null;
  /** A person has the chat. */
  withAgent: boolean;
  /** What its troubleshooting of the topic learnt (card numbers masked). */
  facts: Facts;
}

export interface IncidentView {
  id: string;
  topic: TopicId;
  status: IncidentStatus;
  count: number;
  /** Merchants who said theirs is the same problem. */
  linked: number;
  detectedAt: string;
  lastRaisedAt: string;
  message: string | null;
  confirmedAt: string | null;
  closedAt: string | null;
  /** Among the conversations shown. */
  sharedFacts: Record<string, SharedFact>;
  /** The latest `SHOWN_CONVERSATIONS` (500), oldest first. */
  conversations: IncidentConversation[];
}

/** What the hook's listeners get. */
export interface IncidentHookEvent {
  id: string;
  topic: TopicId;
  message: string | null;
  count: number;
  confirmedAt?: string;
  closedAt?: string;
}

/**
 * The conversations an incident shows, and shares facts among: the latest this many. A large incident's
 * count is all of them; reading thousands of conversations each time the console looks would not be.
 */
export const SHOWN_CONVERSATIONS = 500;

interface DeskEvents {
  "incident.confirmed": [IncidentHookEvent];
  "incident.closed": [IncidentHookEvent];
}

export interface IncidentDeskOptions {
  gate: IncidentGate;
  switchboard: Switchboard;
  logger?: Logger;
  now?: () => Date;
}

/** What was said to a merchant outside their turn, to deliver once it is recorded. */
interface Notice {
  conversation: ConversationRecord;
  texts: string[];
  options: string[];
}

export class IncidentDesk extends EventEmitter<DeskEvents> {
  private readonly gate: IncidentGate;
  private readonly switchboard: Switchboard;
  private readonly now: () => Date;

  constructor(private readonly options: IncidentDeskOptions) {
    super();
    this.gate = options.gate;
    this.switchboard = options.switchboard;
    this.now = options.now ?? (() => new Date());
  }

  private get store() {
    return this.gate.store;
  }

  /** Suspected and confirmed incidents, newest first (`all`: closed and lapsed ones too). */
  async list(options: { all?: boolean } = {}): Promise<IncidentView[]> {
    await this.gate.flush();
    const records = await this.store.list({ open: !options.all });
    const shown: IncidentRecord[] = [];
    for (const record of records) {
      // A suspected incident that went quiet for a whole window is over by itself.
      if (await this.gate.lapseIfQuiet(record)) {
        if (options.all) shown.push({ ...record, status: "lapsed" });
      } else shown.push(record);
    }
    return Promise.all(shown.map((record) => this.view(record)));
  }

  async get(id: string): Promise<IncidentView> {
    await this.gate.flush();
    return this.view(await this.require(id));
  }

  /**
   * The agent confirms the incident with `message`: from now on a merchant raising its topic is told it
   * first, and those whose troubleshooting of the topic is under way are told it now (`notified`).
   */
  async confirm(id: string, message: string): Promise<IncidentView & { notified: number }> {
    const incident = await this.require(id);
    if (incident.status !== "suspected") throw new EngineError(`incident is ${incident.status}`, 409);
    const confirmed: IncidentRecord = {
      ...incident,
      status: "confirmed",
      message: maskCardNumbers(message.trim()),
      confirmedAt: this.now().toISOString(),
    };
    await this.store.save(confirmed);
    this.gate.remember(confirmed);
    this.switchboard.hub.publishDesk({ type: "incident.confirmed", incidentId: id, topic: confirmed.topic });
    await this.gate.flush();
    const members = await this.store.members(id);
    this.emit("incident.confirmed", {
      id,
      topic: confirmed.topic,
      message: confirmed.message ?? null,
      count: members.length,
      confirmedAt: confirmed.confirmedAt as string,
    });
    let notified = 0;
    for (const member of members.filter((m) => m.state === "raised")) {
      if (!(await this.notify(member, (conversation) => this.noticeFor(confirmed, conversation)))) continue;
      this.gate.record(id, member.conversationId, "told");
      notified += 1;
    }
    return { ...(await this.get(id)), notified };
  }

  /** Ends the incident; the merchants who were told of it (and did not say theirs differs) hear it is over. */
  async close(id: string): Promise<IncidentView & { notified: number }> {
    const incident = await this.require(id);
    if (incident.status === "closed" || incident.status === "lapsed")
      throw new EngineError(`incident is already ${incident.status}`, 409);
    const closed: IncidentRecord = { ...incident, status: "closed", closedAt: this.now().toISOString() };
    await this.store.save(closed);
    this.gate.remember(closed);
    this.switchboard.hub.publishDesk({ type: "incident.closed", incidentId: id, topic: closed.topic });
    await this.gate.flush();
    const members = await this.store.members(id);
    this.emit("incident.closed", {
      id,
      topic: closed.topic,
      message: closed.message ?? null,
      count: members.length,
      closedAt: closed.closedAt as string,
    });
    let notified = 0;
    for (const member of members.filter((m) => m.state === "told" || m.state === "linked")) {
      if (await this.notify(member, (conversation) => this.overFor(closed, conversation))) notified += 1;
    }
    return { ...(await this.get(id)), notified };
  }

  /**
   * Says something to one merchant outside their turn: decided and recorded under the conversation's lock
   * (as a turn is), then delivered on their channel. False when there was nothing to say to them; once it is
   * in their transcript it counts as said, even if their channel failed to deliver it (that is logged).
   */
  private async notify(
    member: IncidentMember,
    decide: (conversation: ConversationRecord) => Omit<Notice, "conversation"> | undefined,
  ): Promise<boolean> {
    let notice: Notice | undefined;
    try {
      notice = await this.switchboard.engine.serialised(member.conversationId, async () => {
        const conversation = await this.switchboard.engine.store.getConversation(member.conversationId);
        if (!conversation || conversation.handoffId || this.switchboard.unreachable(conversation)) return;
        const said = decide(conversation);
        if (!said) return;
        const at = this.now().toISOString();
        conversation.updatedAt = at;
        await this.switchboard.engine.store.saveTurn({
          conversation,
          transcript: said.texts.map((text): TranscriptEntry => ({ from: "bot", text, at })),
        });
        return { conversation, ...said };
      });
      if (!notice) return false;
      for (const [i, text] of notice.texts.entries()) {
        const last = i === notice.texts.length - 1;
        await this.switchboard.announce(notice.conversation, text, last ? notice.options : []);
      }
    } catch (error) {
      const what = notice ? "incident notice not delivered" : "incident notice failed";
      this.options.logger?.error({ err: error, conversation: member.conversationId }, what);
    }
    return notice !== undefined;
  }

  /** The confirmed incident's message and its question, for a merchant troubleshooting its topic now. */
  private noticeFor(incident: IncidentRecord, conversation: ConversationRecord) {
    if (conversation.flow?.id !== incident.topic || conversation.incidents?.[incident.id]) return undefined;
    const reply = new Reply(conversation.locale);
    this.gate.tell(reply, incident, conversation.facts, conversation.question ?? undefined);
    conversation.question = reply.question;
    conversation.incidents = { ...conversation.incidents, [incident.id]: "asked" };
    return { texts: reply.texts, options: reply.options.map((o) => o.label) };
  }

  /** "It is over", and a question about the incident still pending is dropped (its flow's asked again). */
  private overFor(incident: IncidentRecord, conversation: ConversationRecord) {
    if (conversation.incidents?.[incident.id] === "declined") return undefined;
    const reply = new Reply(conversation.locale);
    reply.say("incident.over", { topic: reply.text(`topics.${incident.topic}`) });
    const question = conversation.question;
    if (question?.flow === INCIDENT && question.params?.incident === incident.id) {
      const back = question.interrupted;
      conversation.question = back ?? null;
      if (back) {
        reply.say("incident.carryOn");
        reply.ask(back.key ?? "engine.menu", back.params ?? {}, back);
      }
    }
    return { texts: reply.texts, options: reply.options.map((o) => o.label) };
  }

  private async view(record: IncidentRecord): Promise<IncidentView> {
    const members = await this.store.members(record.id);
    const shown = members.slice(-SHOWN_CONVERSATIONS);
    const records = await Promise.all(
      shown.map((m) => this.switchboard.engine.store.getConversation(m.conversationId)),
    );
    const conversations = shown.map((member, i): IncidentConversation => {
      const conversation = records[i];
      return {
        id: member.conversationId,
        at: member.at,
        state: member.state,
        channel: conversation?.channel ?? null,
        locale: conversation?.locale ?? null,
        withAgent: Boolean(conversation?.handoffId),
        facts: conversation?.topic === record.topic ? conversation.facts : {},
      };
    });
    return {
      id: record.id,
      topic: record.topic,
      status: record.status,
      count: members.length,
      linked: members.filter((m) => m.state === "linked").length,
      detectedAt: record.detectedAt,
      lastRaisedAt: members.at(-1)?.at ?? record.detectedAt,
      message: record.message ?? null,
      confirmedAt: record.confirmedAt ?? null,
      closedAt: record.closedAt ?? null,
      sharedFacts: sharedFacts(conversations.map((c) => c.facts)),
      conversations,
    };
  }

  private async require(id: string): Promise<IncidentRecord> {
    const incident = await this.store.get(id);
    if (!incident) throw new EngineError("no such incident", 404);
    return incident;
  }
}
