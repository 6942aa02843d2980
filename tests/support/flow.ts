/**
 * Drives one flow machine directly, the way the engine does: each merchant reply goes through the real
 * answer parser against the question the flow last asked.
 */
import { type AnyStateMachine, createActor } from "xstate";
import type { Facts, FlowEmitted, FlowOutput } from "../../flows/kit.js";
import type { PendingQuestion } from "../../src/domain/dialogue.js";
import type { Locale } from "../../src/domain/intents.js";
import { parseAnswer } from "../../src/engine/answer.js";
import { t } from "../../src/i18n.js";

export interface FlowScript {
  /** The state the flow is in now (a string for flat flows). */
  readonly state: unknown;
  readonly done: boolean;
  readonly output: FlowOutput | undefined;
  readonly facts: Facts;
  readonly steps: { step: string; result: string }[];
  /** The locale keys emitted since the last call (say and ask), in order. */
  readonly keys: string[];
  /** The quick-reply options of the last question. */
  readonly options: string[];
  /** The rendered text of everything emitted since the last call. */
  readonly texts: string[];
  answer(text: string): FlowScript;
}

export function startFlow(machine: AnyStateMachine, facts: Facts = {}, locale: Locale = "zh-CN"): FlowScript {
  let batch: FlowEmitted[] = [];
  let question: PendingQuestion | undefined;
  const actor = createActor(machine, { input: { facts } });
  actor.on("*", (event) => {
    const emitted = event as FlowEmitted;
    batch.push(emitted);
    if (emitted.type === "ask")
      question = { flow: machine.id, options: emitted.options, expect: emitted.expect };
  });
  actor.start();
  const keyOf = (e: FlowEmitted) =>
    Array.isArray(e.key) ? (e.key.find((k) => t(locale, k) !== k) ?? e.key.at(-1) ?? "") : e.key;
  const script: FlowScript = {
    get state() {
      return actor.getSnapshot().value;
    },
    get done() {
      return actor.getSnapshot().status === "done";
    },
    get output() {
      return actor.getSnapshot().output as FlowOutput | undefined;
    },
    get facts() {
      return actor.getSnapshot().context.facts as Facts;
    },
    get steps() {
      return actor.getSnapshot().context.stepsTried as { step: string; result: string }[];
    },
    get keys() {
      return batch.map(keyOf);
    },
    get options() {
      return question?.options ?? [];
    },
    get texts() {
      return batch.map((e) => t(locale, e.key, e.params));
    },
    answer(text: string) {
      batch = [];
      actor.send({ type: "ANSWER", answer: parseAnswer(text, question, locale) });
      return script;
    },
  };
  return script;
}
