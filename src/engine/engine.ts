/**
 * The conversation engine: one turn in, replies out, for every channel alike.
 * understand → route (router.ts) → flow step → persist → replies. Channels never see flows; flows never see
 * channels.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { FlowRegistry } from "../../flows/kit.js";
import { recordRating, recordTurn } from "../analytics/record.js";
import { RollupCounts } from "../analytics/rollup.js";
import { type Channel, type HandoffRecord, HandoffSummary, type TranscriptEntry } from "../domain/handoff.js";
import type { IntentId, Locale, TopicId } from "../domain/intents.js";
import type { Rating } from "../domain/rating.js";
import { maskCardNumbers, maskDeep, mayHoldCardNumber } from "../domain/redact.js";
import { t } from "../i18n.js";
import { type Nlu, type Understanding, understandPicture } from "../nlu/index.js";
import { textSize } from "../nlu/normalize.js";
import { type ConversationRecord, newConversationRecord, type Store } from "../store/store.js";
import { stateOf } from "./flow-runner.js";
import type { TurnHooks } from "./hooks.js";
import { KeyedMutex } from "./lock.js";
import {
  type Picture,
  PictureError,
  type PictureProblem,
  type PictureReader,
  type PictureReading,
} from "./pictures.js";
import { Reply } from "./reply.js";
import { type MenuChoice, type Pending, type TurnContext, TurnRouter } from "./router.js";
import { closingNote, keepRating } from "./satisfaction.js";
import { summarize } from "./summary.js";

export type { MenuChoice } from "./router.js";

export interface Turn {
  conversationId?: string;
  text: string;
  channel: Channel;
  /** The language the merchant chose; without it the bot follows the language they write in. */
  locale?: Locale;
  /**
   * The language a new conversation starts in when the merchant chose none (a client's interface language):
   * the welcome of an opened chat is in it, but unlike `locale` it does not hold against what they write.
   */
  localeHint?: Locale;
  /** How the channel reaches this merchant again, stored with the conversation. */
  address?: unknown;
  /** A picture of the screen or slip: the text read from it is the turn (with `text`, when given, after it). */
  picture?: Picture;
  /**
   * The chat was just opened (the widget, a new WeChat contact): no message, the bot speaks first with a
   * welcome and the common topics. `text` is ignored.
   */
  opened?: boolean;
  /**
   * The merchant picked a topic from the channel's own menu (a WeChat Official Account menu button): its
   * flow starts as a topic chosen from the welcome's quick replies does, or a person is asked for. Without
   * `text`, the topic's menu label stands as what the merchant said.
   */
  menuChoice?: MenuChoice;
  /**
   * The conversation must be this channel's own: a stored one of another channel is answered as unknown
   * (404). The web API sets it, so that nobody reaches a WeChat contact's conversation by its id.
   */
  ownChannelOnly?: boolean;
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
  /** The locale key each reply was rendered from, in the same order. */
  replyKeys: string[];
  options: string[];
  /** The option ids behind `options`, for channels that send ids back. */
  optionIds: string[];
  handoff: HandoffSummary | null;
  /** The handoff that owns the chat after this turn (opened now or earlier), or null when the bot does. */
  openHandoffId: string | null;
  /** For a picture: what was read from it (masked) and the response code found, if any. */
  seen?: { text: string; responseCode: string | null };
  /** For a picture: the id of its redacted copy kept for agents. */
  picture?: string;
  /** A satisfaction rating given on this turn (or its comment added), as kept. */
  rating?: Rating;
}

/** A handoff closed: the bot's note to the merchant, with quick replies when it asks for a rating. */
export interface ClosedHandoff {
  handoff: HandoffRecord;
  conversation: ConversationRecord;
  text: string;
  /** The locale key the note was rendered from. */
  replyKey: string;
  options: string[];
  optionIds: string[];
}

export interface EngineOptions {
  nlu: Nlu;
  store: Store;
  flows: FlowRegistry;
  logger?: Logger;
  /** Reads pictures of the screen or slip; without one, a picture gets a hint to describe it in words. */
  pictures?: PictureReader;
  /** The language of handoff summaries (default zh-CN). */
  agentLocale?: Locale;
  defaultLocale?: Locale;
  now?: () => Date;
  /** Takes part in turns from outside the routing (incident notices): see hooks.ts. */
  hooks?: TurnHooks;
}

/** Longer messages are cut here (and the merchant told): nobody describes a terminal fault in more. */
export const MAX_MESSAGE_CHARS = 2000;
export class ConversationEngine {
  private readonly locks = new KeyedMutex();
  private readonly router: TurnRouter;
  /** The language handoff summaries are written in, and the agent console's names by default. */
  readonly agentLocale: Locale;
  private readonly defaultLocale: Locale;
  private readonly now: () => Date;
  private nlu: Nlu;

  constructor(private readonly options: EngineOptions) {
    this.router = new TurnRouter(options.flows, undefined, options.hooks);
    this.nlu = options.nlu;
    this.agentLocale = options.agentLocale ?? "zh-CN";
    this.defaultLocale = options.defaultLocale ?? "zh-CN";
    this.now = options.now ?? (() => new Date());
  }

  get store(): Store {
    return this.options.store;
  }

  /** The flows this engine runs, by topic. */
  get flows(): FlowRegistry {
    return this.options.flows;
  }

  /** Swaps the model (retrained from new phrases) for the turns that start from now on. */
  useModel(nlu: Nlu): void {
    this.nlu = nlu;
  }

  async handle(turn: Turn): Promise<TurnResult> {
    const id = turn.conversationId ?? randomUUID();
    // Stores mask card numbers on write, ids included: an id that holds one would be saved under another.
    if (maskCardNumbers(id) !== id)
      throw new EngineError("conversation id must not contain a card number", 400);
    // A picture is read before the conversation is locked: other turns of it never wait on OCR.
    const reading = turn.picture ? await this.readPicture(turn.picture) : undefined;
    return this.serialised(id, () => this.handleLocked(id, turn, reading));
  }

  private async readPicture(picture: Picture): Promise<PictureReading | PictureProblem> {
    if (picture.problem) return picture.problem;
    if (!this.options.pictures) return "unreadable";
    try {
      const reading = await this.options.pictures.read(picture);
      return reading.text.trim() ? reading : "no_text";
    } catch (error) {
      if (error instanceof PictureError) return error.problem;
      this.options.logger?.error({ err: error }, "picture not read");
      return "unreadable";
    }
  }

  /**
   * One turn of a conversation at a time: in this process (a mutex) and across processes (the store's lock).
   * Whatever else changes a conversation (an incident's notice) runs through it too.
   */
  serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const store = this.store;
    return this.locks.run(id, () =>
      store.withConversationLock ? store.withConversationLock(id, work) : work(),
    );
  }

  private async handleLocked(
    id: string,
    turn: Turn,
    reading?: PictureReading | PictureProblem,
  ): Promise<TurnResult> {
    const started = performance.now();
    const at = this.now().toISOString();
    const stored = await this.store.getConversation(id);
    if (stored && turn.ownChannelOnly && stored.channel !== turn.channel)
      throw new EngineError("no such conversation", 404);
    const conversation = stored ?? this.newConversation(id, turn, at);
    const typed = typeof turn.text === "string" ? turn.text : "";
    const read = typeof reading === "object" ? reading.text.trim() : "";
    const raw = [read, typed || menuLabel(conversation.locale, turn.menuChoice)]
      .filter((t) => t.trim())
      .join("\n");
    const tooLong = raw.length > MAX_MESSAGE_CHARS;
    const text = tooLong ? raw.slice(0, MAX_MESSAGE_CHARS) : raw;
    // A picture's text is understood by the lines that say what happened; the rest adds facts only.
    const understanding = read
      ? understandPicture(this.nlu, read.slice(0, MAX_MESSAGE_CHARS), typed.slice(0, MAX_MESSAGE_CHARS))
      : this.nlu.understand(text);
    conversation.locale = this.chooseLocale(conversation, turn, understanding);
    if (turn.address !== undefined) conversation.address = turn.address;
    // `turn` counts the merchant's turns (the contract's `turn`); a chat opened is not one, so their first
    // message still sets the language as a first message does.
    if (!turn.opened) conversation.turn += 1;
    let ctx: TurnContext = {
      conversation,
      understanding,
      reply: new Reply(conversation.locale),
      at,
      moves: [],
    };

    // The agent sees all that was read (masked) and the picture's redacted copy; never the original.
    const picture =
      typeof reading === "object" && reading.redacted
        ? await this.store.savePicture(id, reading.redacted, reading.redactedType ?? "image/jpeg")
        : undefined;
    const said: TranscriptEntry = {
      from: "merchant",
      text: read ? maskCardNumbers(text) : understanding.text,
      at,
      intent: understanding.intent,
      ...(picture ? { picture } : {}),
    };
    if (tooLong && !read) ctx.reply.say("engine.tooLong", { max: MAX_MESSAGE_CHARS });
    if (typeof reading === "string") ctx.reply.say(`engine.picture.${reading}`);
    else if (reading) ctx.reply.say("engine.picture.seen", { text: seenLines(understanding, read) });
    // Routing replaces the record's fields (flow, facts, question…), it never changes them in place: a
    // shallow copy is enough to undo the turn, and costs nothing beside a deep one of the flow snapshot.
    const before = { ...conversation };
    try {
      if (turn.opened) {
        this.router.opened(ctx);
      } else if (turn.menuChoice && !conversation.handoffId) {
        this.router.menuChoice(ctx, turn.menuChoice);
      } else if (typeof reading === "string" && !understanding.normalized) {
        // A picture that could not be read, and no words: it has had its own answer; the pending question stands.
        this.router.repeatQuestion(ctx);
      } else if (conversation.handoffId) {
        // The agent reads whatever the merchant sends, an emoji as much as words: the bot only says so.
        ctx.reply.say("engine.withAgent");
      } else if (!understanding.normalized) {
        this.router.unreadable(ctx, raw);
      } else {
        this.router.route(ctx);
      }
    } catch (error) {
      // A fault in a flow or the router must not leave the conversation half-changed: the turn is undone
      // (the merchant's message is still kept), the merchant is told, and the pending question stands.
      this.options.logger?.error({ conversation: id, err: error }, "turn failed");
      Object.assign(conversation, before);
      ctx = { conversation, understanding, reply: new Reply(conversation.locale), at, moves: [] };
      ctx.reply.say("engine.internalError");
      this.router.repeatQuestion(ctx);
    }
    if (ctx.reply.texts.length === 0) ctx.reply.say("engine.notUnderstood");

    const entries: TranscriptEntry[] = [
      ...(turn.opened ? [] : [said]),
      ...ctx.reply.texts.map((t): TranscriptEntry => ({ from: "bot", text: maskCardNumbers(t), at })),
    ];
    const handoff = ctx.handoff ? await this.openHandoff(conversation, ctx.handoff, at, entries) : null;
    conversation.question = ctx.reply.question;
    conversation.updatedAt = at;
    if (ctx.rating) await keepRating(this.store, ctx.rating);
    // The analytics rollup's share of the turn, from what is in memory (src/analytics/record.ts).
    const rollup = new RollupCounts();
    recordTurn(rollup, {
      before,
      after: conversation,
      said: !turn.opened,
      openedNew: turn.opened === true && !stored,
      moves: ctx.moves ?? [],
      handoff,
      responseCode: understanding.entities.responseCode,
    });
    // A rating counts once, on the turn it is given; a comment added later saves the same rating again.
    if (ctx.rating && ctx.rating.at === ctx.at) recordRating(rollup, ctx.rating);
    // Everything the turn changed is written at once: one transaction where the store has them.
    await this.store.saveTurn({
      conversation,
      transcript: entries,
      ...(handoff ? { handoff: { summary: handoff, status: "open" } } : {}),
      rollup: rollup.counts(),
    });
    if (this.options.hooks) await this.options.hooks.afterTurn(ctx);

    const state = conversation.flow ? stateOf(conversation.flow.snapshot) : null;
    const result: TurnResult = masked({
      conversationId: id,
      turn: conversation.turn,
      intent: understanding.intent,
      confidence: Math.round(understanding.confidence * 1000) / 1000,
      flow: conversation.flow?.id ?? null,
      state,
      locale: conversation.locale,
      replies: ctx.reply.texts,
      replyKeys: ctx.reply.keys,
      options: ctx.reply.options.map((o) => o.label),
      optionIds: ctx.reply.options.map((o) => o.id),
      handoff,
      openHandoffId: conversation.handoffId,
      ...(reading === undefined
        ? {}
        : {
            seen: {
              text: maskCardNumbers(read),
              responseCode: understanding.entities.responseCode ?? null,
            },
          }),
      ...(picture ? { picture } : {}),
      ...(ctx.rating ? { rating: ctx.rating } : {}),
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
        ...(pending.flow ? { statePath: pending.statePath } : {}),
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

  /**
   * Ends a handoff: the resolution is kept for learning, and the bot owns the chat again. The note to the
   * merchant asks them to rate the agent's help, with `options` as quick replies (satisfaction.ts).
   */
  async closeHandoff(handoffId: string, resolution: IntentId, note = ""): Promise<ClosedHandoff> {
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
      Object.assign(conversation, { handoffId: null, flow: null, notUnderstood: 0, updatedAt: at });
      closingNote(text, conversation, closed, at);
      conversation.question = text.question;
      await this.store.saveConversation(conversation);
      await this.store.appendTranscript(conversation.id, [{ from: "bot", text: text.texts[0] ?? "", at }]);
      return {
        handoff: closed,
        conversation,
        text: text.texts[0] ?? "",
        replyKey: text.keys[0] ?? "",
        options: text.options.map((o) => o.label),
        optionIds: text.options.map((o) => o.id),
      };
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
    return newConversationRecord({
      id,
      channel: turn.channel,
      locale: turn.locale ?? turn.localeHint ?? this.defaultLocale,
      localeFixed: turn.locale !== undefined,
      at,
    });
  }

  /** The merchant's choice wins; otherwise follow the language they write in, if the message says enough. */
  private chooseLocale(conversation: ConversationRecord, turn: Turn, u: Understanding): Locale {
    if (turn.locale) {
      conversation.localeFixed = true;
      return turn.locale;
    }
    if (conversation.localeFixed || !u.locale) return conversation.locale;
    if (conversation.turn === 0) return u.locale;
    // Later, only a message that says enough in its language changes the conversation's: a short reply
    // ("not sure", "没有") answers in its own language (answer.ts reads it in both) without switching.
    const { han, words } = textSize(u.normalized);
    return han >= SWITCH_HAN || words >= SWITCH_WORDS ? u.locale : conversation.locale;
  }
}

/** A later message switches the conversation's language with this many Chinese characters or English words. */
const SWITCH_HAN = 4;
const SWITCH_WORDS = 3;

/** `value` with every card number masked: a copy only when some string could hold one (a turn's rarely does). */
function masked<T>(value: T): T {
  return mayHoldCardNumber(value) ? maskDeep(value) : value;
}

/** A menu choice's label, as the merchant saw it on the button: what they "said". */
function menuLabel(locale: Locale, choice: MenuChoice | undefined): string {
  return choice ? t(locale, `topics.${choice}`) : "";
}

/** At most this much of a picture's text is said back when no line stands out. */
const SEEN_CHARS = 120;

/**
 * What the bot says it saw: the lines that say what happened ("交易失败 / 应答码：51 / 余额不足"), or the
 * start of the text when none stands out. Card numbers masked.
 */
function seenLines(understanding: Understanding, read: string): string {
  const lines = understanding.keyLines?.length
    ? understanding.keyLines
    : maskCardNumbers(read)
        .split(/\n+/)
        .map((l) => l.trim())
        .filter(Boolean);
  const joined = lines.join(" / ");
  return joined.length > SEEN_CHARS ? `${joined.slice(0, SEEN_CHARS)}…` : joined;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
