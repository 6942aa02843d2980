/**
 * The story format: a YAML file of conversations, each a list of merchant messages and what must follow
 * each one. Every expectation is optional, so a story checks only what matters to it and keeps passing
 * when unrelated wording changes.
 */
import { z } from "zod";
import { Channel, HandoffReason, Priority } from "../domain/handoff.js";
import { IntentId, Locale, TROUBLESHOOTING_INTENTS } from "../domain/intents.js";

// YAML reads `say: 05` as the number 5: asking for quotes is better than guessing what was meant.
const text = z.string({ error: 'expected text (quote numbers and codes: "05")' });

/** One value or a list of them, always a list once read. */
const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z
    .union([item, z.array(item).min(1)], { error: `expected ${what}, or a list of them` })
    .transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));

const FactValue = z.union([z.string(), z.number(), z.boolean()]);
const Facts = z.record(z.string(), FactValue);
const FlowId = z.enum(TROUBLESHOOTING_INTENTS);

/** What a handoff opened on this turn must hold; every field optional, `facts` a subset. */
const HandoffExpectation = z.strictObject({
  reason: HandoffReason.optional(),
  priority: Priority.optional(),
  intent: IntentId.optional(),
  flow: FlowId.nullable().optional(),
  facts: Facts.optional(),
});
export type HandoffExpectation = z.infer<typeof HandoffExpectation>;

export const StoryTurn = z
  .strictObject({
    /** The merchant's message. */
    say: text.optional(),
    /**
     * Instead of a merchant's message, the agent closes the handoff open in the conversation as this intent
     * (the resolution): the expectations are about the bot's note to the merchant.
     */
    agentCloses: IntentId.optional(),
    intent: IntentId.optional(),
    notIntent: oneOrMany(IntentId, "an intent id").optional(),
    /** The flow active after the turn; null when none is. */
    flow: FlowId.nullable().optional(),
    state: z.string().nullable().optional(),
    /** null: no handoff on this turn; a reason: one with that reason; an object: one with those fields. */
    handoff: z
      .union([z.null(), HandoffReason.transform((reason) => ({ reason })), HandoffExpectation], {
        error: `expected null, a reason (${HandoffReason.options.join(", ")}) or { reason, priority, intent, flow, facts }`,
      })
      .optional(),
    /** Text some reply contains (each of a list). */
    reply: oneOrMany(text, 'text (quote numbers and codes: "05")').optional(),
    /** Text no reply contains. */
    notReply: oneOrMany(text, 'text (quote numbers and codes: "05")').optional(),
    /** A locale key some reply was rendered from (each of a list): survives rewording. */
    replyKey: oneOrMany(text, "a locale key").optional(),
    /** The quick replies offered, exactly, as labels or as option ids. */
    options: z.array(text).optional(),
    optionIds: z.array(text).optional(),
    /** A subset of what the conversation has learnt after the turn. */
    facts: Facts.optional(),
  })
  .refine((turn) => (turn.say === undefined) !== (turn.agentCloses === undefined), {
    message:
      "a turn is either `say` (the merchant's message) or `agentCloses` (the agent closes the handoff)",
  });
export type StoryTurn = z.infer<typeof StoryTurn>;

export const Story = z.strictObject({
  name: z.string().min(1),
  /** The language the merchant chose: the bot answers in it whatever each message is written in. */
  locale: Locale,
  /**
   * `false`: the merchant chose no language. `locale` is then only the page's (the chat starts in it) and
   * the bot follows the language the merchant writes in.
   */
  localeChosen: z.boolean().default(true),
  channel: Channel.default("cli"),
  turns: z.array(StoryTurn).min(1),
});
export type Story = z.infer<typeof Story>;

export const StoryFile = z.strictObject({
  stories: z.array(Story).min(1),
});
export type StoryFile = z.infer<typeof StoryFile>;
