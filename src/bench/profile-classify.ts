/**
 * The classification loop of `classify` (every message of the test set through `nlu.understand`) under the
 * CPU profiler, after a warm-up: `run.js --only classify --profile DIR`. Taken apart from the timed rounds.
 */
import type { Nlu } from "../nlu/index.js";
import { loadTestSet } from "../nlu/training.js";
import { type ProfileSummary, profileWhile, summarizeProfile, writeProfile } from "./profile.js";

export interface ClassifyProfile {
  file: string;
  messages: number;
  summary: ProfileSummary;
}

export async function profileClassification(
  nlu: Nlu,
  dir: string,
  durationMs = 4000,
): Promise<ClassifyProfile> {
  const messages = loadTestSet().map((m) => m.text);
  const pass = () => {
    for (const text of messages) nlu.understand(text);
    return messages.length;
  };
  const warmEnd = performance.now() + 1000;
  while (performance.now() < warmEnd) pass();
  const { result, profile } = await profileWhile(async () => {
    let done = 0;
    const end = performance.now() + durationMs;
    while (performance.now() < end) done += pass();
    return done;
  });
  const file = writeProfile(dir, `classify-${Date.now()}.cpuprofile`, profile);
  return { file, messages: result, summary: summarizeProfile(profile) };
}
