/**
 * Classifications per second on one core: every message of the held-out test set through posdesk's
 * `nlu.understand`, and through NLP.js (node-nlp's NlpManager, zh + en) trained on the same phrases, in
 * alternating rounds.
 */
import type { Nlu } from "../nlu/index.js";
import { loadNlu } from "../nlu/model.js";
import { loadTestSet, loadTrainingSet } from "../nlu/training.js";
import { interleaved, type RoundOptions, ratio, type Throughput, throughput } from "./measure.js";

export interface ClassificationResult {
  messages: number;
  posdesk: Throughput;
  peer: (Throughput & { name: string; trainingMs: number }) | null;
  /** posdesk's classifications per second over NLP.js's. */
  ratio: number | null;
  /** The same, per second of CPU time. */
  cpuRatio: number | null;
}

export async function benchClassification(
  options: RoundOptions & { peer?: boolean; nlu?: Nlu } = {},
): Promise<ClassificationResult> {
  const messages = loadTestSet();
  const nlu = options.nlu ?? loadNlu().nlu;
  const posdeskPass = () => {
    for (const m of messages) nlu.understand(m.text);
    return messages.length;
  };
  if (options.peer === false) {
    const posdesk = await throughput(posdeskPass, options);
    return { messages: messages.length, posdesk, peer: null, ratio: null, cpuRatio: null };
  }
  // NLP.js loads only here (a devDependency), with the peer `posdesk eval --peer` measures accuracy against.
  const { trainPeer } = await import("../nlu/peer.js");
  const peer = await trainPeer(loadTrainingSet().examples);
  const measured = await interleaved(
    {
      posdesk: posdeskPass,
      peer: async () => {
        for (const m of messages) await peer.predict(m);
        return messages.length;
      },
    },
    { rounds: 9, roundMs: 700, ...options },
  );
  return {
    messages: messages.length,
    posdesk: measured.posdesk,
    peer: { name: peer.name, trainingMs: Math.round(peer.trainingMilliseconds), ...measured.peer },
    ratio: ratio(measured.posdesk.perSecond, measured.peer.perSecond),
    cpuRatio: ratio(measured.posdesk.perCpuSecond, measured.peer.perCpuSecond),
  };
}
