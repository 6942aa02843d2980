/**
 * Classifications per second on one core: every message of the held-out test set through posdesk's
 * `nlu.understand`, and through NLP.js (node-nlp's NlpManager, zh + en) trained on the same phrases.
 */
import { loadNlu } from "../nlu/model.js";
import { loadTestSet, loadTrainingSet } from "../nlu/training.js";
import { type RoundOptions, round, type Throughput, throughput } from "./measure.js";

export interface ClassificationResult {
  messages: number;
  posdesk: Throughput;
  peer: (Throughput & { name: string; trainingMs: number }) | null;
  /** posdesk's classifications per second over NLP.js's. */
  ratio: number | null;
}

export async function benchClassification(
  options: RoundOptions & { peer?: boolean } = {},
): Promise<ClassificationResult> {
  const messages = loadTestSet();
  const { nlu } = loadNlu();
  const posdesk = await throughput(() => {
    for (const m of messages) nlu.understand(m.text);
    return messages.length;
  }, options);

  if (options.peer === false) return { messages: messages.length, posdesk, peer: null, ratio: null };
  // NLP.js loads only here (a devDependency), with the peer `posdesk eval --peer` measures accuracy against.
  const { trainPeer } = await import("../nlu/peer.js");
  const peer = await trainPeer(loadTrainingSet().examples);
  const peerRate = await throughput(async () => {
    for (const m of messages) await peer.predict(m);
    return messages.length;
  }, options);
  return {
    messages: messages.length,
    posdesk,
    peer: { name: peer.name, trainingMs: Math.round(peer.trainingMilliseconds), ...peerRate },
    ratio: round(posdesk.perSecond / peerRate.perSecond, 1),
  };
}
