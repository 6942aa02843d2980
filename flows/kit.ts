/**
 * What every troubleshooting flow shares: the events a flow receives, what it emits, what it outputs, the
 * guards and actions all flows use, and the building blocks their states are made of (`ask`, `reask`,
 * `advise`, `confirmFixed`, `resolvedState`, `escalateState`). Flows import it as `kit`. A flow knows
 * nothing of channels, storage or the classifier: the engine turns each merchant message into one ANSWER
 * event and renders what the flow emits.
 */
import { type AnyStateMachine, assign, emit } from "xstate";

import {
  DID_IT_WORK,
  type Expectation,
  type Facts,
  type FactValue,
  type Step,
  type StepResult,
} from "../src/domain/dialogue.js";
import type { TopicId } from "../src/domain/intents.js";

export type { Expectation, Facts, FactValue, Step, StepResult };

/** A flow as the engine runs it: its statechart, under the intent that starts it. */
export interface FlowDefinition {
  id: TopicId;
  /** Raised when a change makes the flow's stored snapshots unusable: those restart with the facts learnt. */
  version: number;
  machine: AnyStateMachine;
  /** The flow always ends with a person (frozen funds): whatever the merchant says, it goes on to one. */
  policy?: boolean;
}

/** Every flow, by the intent that starts it (flows/index.ts). */
export type FlowRegistry = Record<TopicId, FlowDefinition>;

/** What the engine knows when a flow starts: the entities of the message that started it. */
export interface FlowInput {
  facts: Facts;
}

export interface FlowContext {
  facts: Facts;
  stepsTried: Step[];
}

/** What the answer parser could read from a merchant's reply to the current question. */
export interface Answer {
  text: string;
  /** The quick-reply option the merchant chose, by number, label or synonym. */
  option?: string;
  /** Every option whose words the reply holds, best first: a flow may care about one that did not win. */
  mentioned?: string[];
  /** A plain yes or no ("是的", "不行", "yes", "nope"). */
  yes?: boolean;
  /** The merchant does not know ("不知道", "忘了", "no idea"): each question says what happens then. */
  dontKnow?: boolean;
  responseCode?: string;
  amount?: number;
  entryMode?: "chip" | "swipe" | "contactless";
  cardType?: "credit" | "debit" | "unionpay" | "foreign";
  /** The terminal serial (SN), upper-cased: labelled ("SN: …"), or a bare token when asked for. */
  terminalSerial?: string;
}

export type FlowEvent = { type: "ANSWER"; answer: Answer };

export type FlowEmitted =
  | { type: "say"; key: string | string[]; params: Facts }
  | {
      type: "ask";
      key: string | string[];
      options: string[];
      expect: Expectation;
      params: Facts;
      /** A first "don't know" is met with where to find the answer (`<flow>.hints.<question>`). */
      hint?: boolean;
    };

export type Priority = "urgent" | "high" | "normal" | "low";
export type FlowOutput =
  | { outcome: "resolved" }
  | { outcome: "escalated"; reason: "unresolved" | "policy"; priority: Priority };

export const flowTypes = {
  context: {} as FlowContext,
  events: {} as FlowEvent,
  input: {} as FlowInput,
  emitted: {} as FlowEmitted,
  output: {} as FlowOutput,
};

export function initialContext({ input }: { input: FlowInput }): FlowContext {
  return { facts: { ...input.facts }, stepsTried: [] };
}

type Args = { context: FlowContext; event: FlowEvent };
type ContextArgs = { context: FlowContext };
type ChoiceParams = { option: string };
type StepParams = { step: string; result: StepResult };
type SayParams = { key: string | string[] };
type AskParams = { key: string | string[]; options?: string[]; expect?: Expectation; hint?: boolean };

/** Guards every flow may use. Flows add their own beside them in `setup()`. */
export const commonGuards = {
  isYes: ({ event }: Args) => event.answer.yes === true || event.answer.option === "yes",
  isNo: ({ event }: Args) => event.answer.yes === false || event.answer.option === "no",
  isDontKnow: ({ event }: Args) => event.answer.dontKnow === true,
  isOption: ({ event }: Args, params: ChoiceParams) => event.answer.option === params.option,
  /** The reply names `option` at all, even when another option fits it better ("摔坏了开不了机"). */
  mentions: ({ event }: Args, params: ChoiceParams) =>
    event.answer.mentioned?.includes(params.option) === true,
  /** The quick reply `option`, or a plain "yes" when no option matched. */
  isYesTo: ({ event }: Args, params: ChoiceParams) =>
    event.answer.option === params.option || (!event.answer.option && event.answer.yes === true),
  /** The quick reply `option`, or a plain "no" when no option matched. */
  isNoTo: ({ event }: Args, params: ChoiceParams) =>
    event.answer.option === params.option || (!event.answer.option && event.answer.yes === false),
  /** Any of the question's quick replies: where every choice is recorded and leads on alike. */
  answerHasOption: ({ event }: Args) => event.answer.option !== undefined,
  answerHasCode: ({ event }: Args) => event.answer.responseCode !== undefined,
  answerHasAmount: ({ event }: Args) => event.answer.amount !== undefined,
  answerHasEntryMode: ({ event }: Args) => event.answer.entryMode !== undefined,
  answerHasSerial: ({ event }: Args) => event.answer.terminalSerial !== undefined,
  hasFact: ({ context }: Args, params: { fact: string }) => context.facts[params.fact] !== undefined,
  hasResponseCode: ({ context }: Args) => context.facts.responseCode !== undefined,
  hasAmount: ({ context }: Args) => context.facts.amount !== undefined,
  /** A repair ticket still lacks the serial: neither given nor declared lost ("找不到"). */
  isSerialMissing: ({ context }: Args) =>
    context.facts.terminalSerial === undefined && context.facts.serialUnknown === undefined,
};

/** Actions every flow may use: speaking (by locale key), asking, and recording what was learnt. */
export const commonActions = {
  say: emit<FlowContext, FlowEvent, SayParams, FlowEvent, FlowEmitted>(
    ({ context }: Args, params: SayParams) => ({
      type: "say" as const,
      key: params.key,
      params: context.facts,
    }),
  ),
  ask: emit<FlowContext, FlowEvent, AskParams, FlowEvent, FlowEmitted>(
    ({ context }: Args, params: AskParams) => ({
      type: "ask" as const,
      key: params.key,
      options: params.options ?? [],
      expect: params.expect ?? "choice",
      params: context.facts,
      ...(params.hint ? { hint: true } : {}),
    }),
  ),
  recordStep: assign<FlowContext, FlowEvent, StepParams, FlowEvent, never>({
    stepsTried: ({ context }: Args, params: StepParams) => [
      ...context.stepsTried.filter((s) => s.step !== params.step),
      { step: params.step, result: params.result },
    ],
  }),
  /** Stores the chosen option of the current question as `fact`. */
  recordOption: assign<FlowContext, FlowEvent, { fact: string }, FlowEvent, never>({
    facts: ({ context, event }: Args, params: { fact: string }) =>
      event.answer.option ? { ...context.facts, [params.fact]: event.answer.option } : context.facts,
  }),
  /** Stores a fact with a fixed value (e.g. `slip: "success"` once the merchant said so). */
  setFact: assign<FlowContext, FlowEvent, { fact: string; value: FactValue }, FlowEvent, never>({
    facts: ({ context }: Args, params: { fact: string; value: FactValue }) => ({
      ...context.facts,
      [params.fact]: params.value,
    }),
  }),
  /** Keeps the merchant's own words as `fact`, for a day or date the quick replies cannot hold. */
  recordText: assign<FlowContext, FlowEvent, { fact: string }, FlowEvent, never>({
    facts: ({ context, event }: Args, params: { fact: string }) => ({
      ...context.facts,
      [params.fact]: event.answer.text.trim(),
    }),
  }),
  /** Stores the terminal serial the answer gave (see `answerHasSerial`). */
  recordSerial: assign<FlowContext, FlowEvent, undefined, FlowEvent, never>({
    facts: ({ context, event }: Args) =>
      event.answer.terminalSerial
        ? { ...context.facts, terminalSerial: event.answer.terminalSerial }
        : context.facts,
  }),
  /** Stores whatever entities the answer carried (code, amount, entry mode, card type, serial). */
  recordAnswerEntities: assign<FlowContext, FlowEvent, undefined, FlowEvent, never>({
    facts: ({ context, event }: Args) => {
      const { responseCode, amount, entryMode, cardType, terminalSerial } = event.answer;
      const found: Facts = {};
      for (const [k, v] of Object.entries({ responseCode, amount, entryMode, cardType, terminalSerial }))
        if (v !== undefined) found[k] = v;
      return { ...context.facts, ...found };
    },
  }),
};

export const resolved = (): FlowOutput => ({ outcome: "resolved" });
export const escalated = (reason: "unresolved" | "policy", priority: Priority = "normal"): FlowOutput => ({
  outcome: "escalated",
  reason,
  priority,
});

/** The machine-level `output`: whatever the final state reached declared as its own output. */
export const outputOfFinalState = ({ event }: { event: { output?: unknown } }): FlowOutput =>
  event.output as FlowOutput;

// Building blocks of flow configs. They only name the guards and actions above, so a flow still declares
// everything it uses in `setup()`, and its states still read as its troubleshooting tree.

/** A text key, a list of keys (the first one the locale has), or keys chosen from the facts. */
export type SayKey = string | string[] | ((context: FlowContext) => string | string[]);

/** The `say` action for `key`. */
export function say(key: SayKey) {
  if (typeof key === "function")
    return { type: "say", params: ({ context }: ContextArgs) => ({ key: key(context) }) } as const;
  return { type: "say", params: { key } } as const;
}

/**
 * The `ask` action: a question with its quick replies and what a bare answer to it means. With `hint`, a
 * merchant who does not know is first told where to find the answer (`<flow>.hints.<question>`) and asked
 * once more; the question's `ifUnknown` transition takes a second "don't know".
 */
export const ask = (
  key: string,
  options: readonly string[],
  expect?: Expectation,
  more: { hint?: boolean } = {},
) => {
  const params: AskParams = { key, options: [...options] };
  if (expect) params.expect = expect;
  if (more.hint) params.hint = true;
  return { type: "ask", params } as const;
};

/** The `isOption` guard: the merchant chose `option`. */
export const isOption = (option: string) => ({ type: "isOption", params: { option } }) as const;
/** The `mentions` guard: the reply names `option`, whichever option it chose. */
export const mentions = (option: string) => ({ type: "mentions", params: { option } }) as const;
/** The `isYesTo` guard: `option`, or a plain yes. */
export const isYesTo = (option: string) => ({ type: "isYesTo", params: { option } }) as const;
/** The `isNoTo` guard: `option`, or a plain no. */
export const isNoTo = (option: string) => ({ type: "isNoTo", params: { option } }) as const;
/** The `recordOption` action: store the chosen option as `fact`. */
export const recordOption = (fact: string) => ({ type: "recordOption", params: { fact } }) as const;
/** The `setFact` action: store `fact` with a fixed value. */
export const setFact = (fact: string, value: FactValue) =>
  ({ type: "setFact", params: { fact, value } }) as const;
/** The `recordStep` action for a step the bot advised. */
export const advised = (step: string) =>
  ({ type: "recordStep", params: { step, result: "advised" } }) as const;

/**
 * The transition for "don't know": go on to `target` without the answer. `fact`, when given, records the
 * gap (`<fact>: "unknown"`), so a handoff tells the agent what the merchant could not say.
 */
export const ifUnknown = (target: string, fact?: string) =>
  fact
    ? ({ guard: "isDontKnow", actions: setFact(fact, "unknown"), target } as const)
    : ({ guard: "isDontKnow", target } as const);

/**
 * For a flow that always ends with a person: an answer that fits no option is kept in the merchant's own
 * words as `fact` and the flow goes on, so nothing the merchant says can keep them from the person.
 */
export const noteAndGoOn = (target: string, fact: string) =>
  ({ target, actions: { type: "recordText", params: { fact } } }) as const;

/** The transition for an answer that fits no option: say so and ask the same question again. */
export const reask = (state: string) =>
  ({ target: state, reenter: true, actions: say("common.notUnderstood") }) as const;

/** A fix: say it, record its steps as advised, then go on to `next`. */
export const adviseThen = (next: string, key: SayKey, ...steps: string[]) =>
  ({ entry: [say(key), ...steps.map(advised)], always: next }) as const;

/** A fix: say it, record its steps as advised, then ask whether it worked (`confirmFixed`). */
export const advise = (key: SayKey, ...steps: string[]) => adviseThen("confirmFixed", key, ...steps);

/**
 * The `confirmFixed` state: "did it work?" — yes is `resolved`, no goes to `ifNot` (`escalate` unless
 * said), anything else asks again. `first` are transitions a flow tries before those.
 */
export function confirmFixed<const T extends readonly object[] = []>(
  options: { ifNot?: string; first?: T } = {},
) {
  return {
    entry: ask(DID_IT_WORK, ["yes", "no"], undefined, { hint: true }),
    on: {
      ANSWER: [
        ...((options.first ?? []) as T),
        { guard: "isYes", target: "resolved" },
        { guard: "isNo", target: options.ifNot ?? "escalate" },
        // Still not sure after being told how to check: a person takes it from here.
        ifUnknown(options.ifNot ?? "escalate", "fixed"),
        reask("confirmFixed"),
      ] as const,
    },
  } as const;
}

/** The `resolved` final state: glad it works. */
export const resolvedState = () => ({ type: "final", entry: say("common.glad"), output: resolved }) as const;

/**
 * A final state that hands the conversation to a person, saying `say` first when given. Without options it
 * is the plain `escalate` of a fix that did not work: unresolved, normal priority.
 */
export function escalateState(
  options: { say?: SayKey; reason?: "unresolved" | "policy"; priority?: Priority } = {},
) {
  const output = () => escalated(options.reason ?? "unresolved", options.priority ?? "normal");
  if (options.say === undefined) return { type: "final", output } as const;
  return { type: "final", entry: say(options.say), output } as const;
}
