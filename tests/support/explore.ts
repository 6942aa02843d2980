/**
 * Plays a flow through every kind of reply a merchant can give at each question (each quick reply, yes,
 * no, don't know, response codes, an amount, an entry mode, a card type, a serial, the day of a sale, words
 * that fit nothing), breadth first from a start with no facts and from one with each of those codes, and
 * collects every fact key and step id the flow recorded on the way. As replies, one code of each class and
 * every code a flow names: all codes at every question would play the same situations many times over.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AnyStateMachine, createActor, type Snapshot } from "xstate";
import type { Answer, Facts, FlowEmitted, Step } from "../../flows/kit.js";
import { codeClass, KNOWN_CODES } from "../../src/domain/codes.js";

export interface Recorded {
  facts: Set<string>;
  steps: Set<string>;
  /** How many distinct situations were played. */
  situations: number;
}

const FLOWS_DIR = join(import.meta.dirname, "../../flows");
const namedInFlows = readdirSync(FLOWS_DIR)
  .map((file) => readFileSync(join(FLOWS_DIR, file), "utf8"))
  .join("\n");
const classes = new Set<string | undefined>();
const REPLY_CODES = [...KNOWN_CODES].filter((code) => {
  const first = !classes.has(codeClass(code));
  classes.add(codeClass(code));
  return first || namedInFlows.includes(`"${code}"`);
});

const REPLIES: Answer[] = [
  { text: "是的", yes: true },
  { text: "不是", yes: false },
  { text: "不知道", dontKnow: true },
  { text: "嗯……让我想想" },
  { text: "5000元", amount: 5000 },
  { text: "插卡", entryMode: "chip" },
  { text: "刷卡", entryMode: "swipe" },
  { text: "挥卡", entryMode: "contactless" },
  { text: "信用卡", cardType: "credit" },
  { text: "外卡", cardType: "foreign" },
  { text: "N86012345678", terminalSerial: "N86012345678" },
  { text: "昨天的交易" },
  { text: "今天刚做的" },
  ...REPLY_CODES.map((code): Answer => ({ text: code, responseCode: code })),
];

/**
 * A situation is told apart by its state, which facts and steps are known, and the code: not by every
 * value, or the same questions would be played again for each combination of answers, in every order.
 * The values an option-driven branch needs are in the definition's own params, which the names test
 * reads besides; what only running shows (a step chosen by the code, a fact read from the words) is here.
 */
function situationOf(value: unknown, facts: Facts, steps: Step[]): string {
  const known = Object.keys(facts).sort();
  return JSON.stringify([value, known, facts.responseCode ?? null, steps.map((s) => s.step).sort()]);
}

type Situation = { snapshot: Snapshot<unknown>; options: string[] };

export function explore(machine: AnyStateMachine, limit = 4000): Recorded {
  const recorded: Recorded = { facts: new Set(), steps: new Set(), situations: 0 };
  const seen = new Set<string>();
  const queue: Situation[] = [];

  const play = (facts: Facts, from?: Situation, answer?: Answer) => {
    let options = from?.options ?? [];
    const actor = createActor(machine, {
      input: { facts },
      ...(from ? { snapshot: from.snapshot as never } : {}),
    });
    actor.on("*", (event) => {
      const emitted = event as FlowEmitted;
      if (emitted.type === "ask") options = emitted.options;
    });
    actor.start();
    if (answer) actor.send({ type: "ANSWER", answer });
    const snapshot = actor.getSnapshot();
    const persisted = actor.getPersistedSnapshot();
    actor.stop();
    const context = snapshot.context as { facts: Facts; stepsTried: Step[] };
    for (const fact of Object.keys(context.facts)) recorded.facts.add(fact);
    for (const { step } of context.stepsTried) recorded.steps.add(step);
    const key = situationOf(snapshot.value, context.facts, context.stepsTried);
    if (snapshot.status !== "active" || seen.has(key) || seen.size >= limit) return;
    seen.add(key);
    queue.push({ snapshot: persisted, options });
  };

  play({});
  for (const code of REPLY_CODES) play({ responseCode: code });
  while (queue.length) {
    const situation = queue.shift() as Situation;
    const choices = situation.options.map(
      (option): Answer => ({ text: option, option, mentioned: [option] }),
    );
    for (const answer of [...choices, ...REPLIES]) play({}, situation, answer);
  }
  recorded.situations = seen.size;
  return recorded;
}
