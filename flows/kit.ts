/**
 * What every troubleshooting flow shares: the events a flow receives, what it emits, what it outputs, and
 * the guards and actions all flows use. A flow knows nothing of channels, storage or the classifier: the
 * engine turns each merchant message into one ANSWER event and renders what the flow emits.
 */
import { assign, emit } from "xstate";

export type FactValue = string | number | boolean;
export type Facts = Record<string, FactValue>;

export type StepResult = "fixed" | "not_fixed" | "advised" | "skipped";
export interface Step {
  step: string;
  result: StepResult;
}

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
  /** A plain yes or no ("是的", "不行", "yes", "nope"). */
  yes?: boolean;
  responseCode?: string;
  amount?: number;
  entryMode?: "chip" | "swipe" | "contactless";
}

export type FlowEvent = { type: "ANSWER"; answer: Answer };

/** What a question expects, so the answer parser knows how to read a bare "51" or "5000". */
export type Expectation = "choice" | "code" | "amount" | "text";

export type FlowEmitted =
  | { type: "say"; key: string | string[]; params: Facts }
  | { type: "ask"; key: string | string[]; options: string[]; expect: Expectation; params: Facts };

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
type ChoiceParams = { option: string };
type StepParams = { step: string; result: StepResult };
type SayParams = { key: string | string[] };
type AskParams = { key: string | string[]; options?: string[]; expect?: Expectation };

/** Guards every flow may use. Flows add their own beside them in `setup()`. */
export const commonGuards = {
  isYes: ({ event }: Args) => event.answer.yes === true || event.answer.option === "yes",
  isNo: ({ event }: Args) => event.answer.yes === false || event.answer.option === "no",
  isOption: ({ event }: Args, params: ChoiceParams) => event.answer.option === params.option,
  answerHasCode: ({ event }: Args) => event.answer.responseCode !== undefined,
  answerHasAmount: ({ event }: Args) => event.answer.amount !== undefined,
  hasFact: ({ context }: Args, params: { fact: string }) => context.facts[params.fact] !== undefined,
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
  /** Stores whatever entities the answer carried (code, amount, entry mode). */
  recordAnswerEntities: assign<FlowContext, FlowEvent, undefined, FlowEvent, never>({
    facts: ({ context, event }: Args) => {
      const { responseCode, amount, entryMode } = event.answer;
      const found: Facts = {};
      for (const [k, v] of Object.entries({ responseCode, amount, entryMode }))
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
