/**
 * NLP.js (node-nlp's `NlpManager`, a devDependency) as the peer posdesk is measured against: trained on the
 * same phrases, each in its own language (zh, en) with NLP.js's own normalisers, tokenisers and neural
 * classifier, and its own defaults (below its threshold of 0.5 the intent is `None`). Loaded with a dynamic
 * import, so only `posdesk eval --peer` ever loads it.
 */
import { createRequire } from "node:module";
import { IntentId, type Locale } from "../domain/intents.js";
import type { Guess, Predict } from "./evaluate.js";
import type { LabelledExample } from "./training.js";

interface NlpManager {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, utterance: string): Promise<{ intent: string; score: number }>;
}
type NlpManagerClass = new (settings: Record<string, unknown>) => NlpManager;

export interface Peer {
  name: string;
  /** NLP.js's own training, once the phrases are added. */
  trainingMilliseconds: number;
  /** Is told each message's language (posdesk is not): NLP.js keeps one model per language. */
  predict: Predict;
}

const LANGUAGE: Record<Locale, string> = { "zh-CN": "zh", en: "en" };
// A variable specifier keeps TypeScript (and bundlers) from resolving node-nlp, which has no types.
const NODE_NLP = "node-nlp";

/** "NLP.js 4.27.0": the peer and its version, without loading it. */
export function peerName(): string {
  const { version } = createRequire(import.meta.url)(`${NODE_NLP}/package.json`) as { version: string };
  return `NLP.js ${version}`;
}

export async function trainPeer(examples: readonly LabelledExample[]): Promise<Peer> {
  const { NlpManager } = ((await import(NODE_NLP)) as { default: { NlpManager: NlpManagerClass } }).default;
  const manager = new NlpManager({
    languages: Object.values(LANGUAGE),
    autoSave: false,
    autoLoad: false,
    calculateSentiment: false,
    nlu: { log: false },
  });
  for (const e of examples) manager.addDocument(LANGUAGE[e.locale], e.text, e.intent);
  const start = performance.now();
  await quietly(() => manager.train());
  const trainingMilliseconds = performance.now() - start;
  const predict = async (example: LabelledExample): Promise<Guess> => {
    const { intent, score } = await manager.process(LANGUAGE[example.locale], example.text);
    const known = IntentId.safeParse(intent);
    return { intent: known.success ? known.data : "none", confidence: score };
  };
  return { name: peerName(), trainingMilliseconds, predict };
}

// NLP.js's Chinese tokeniser announces "Compiling dictionary" on standard output, which carries only data.
async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  try {
    return await run();
  } finally {
    console.log = log;
  }
}
