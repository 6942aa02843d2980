/**
 * The in-process turn loop of `turns` (scripted conversations through the real engine over a SQLite file)
 * under the CPU profiler, after the same warm-up: `run.js --only turns --profile DIR`. The profile is
 * taken apart from the timed rounds, so the profiler's own cost never reaches the reported figures.
 *
 * Under the profiler a turn may fail with SQLITE_BUSY: SQLite counts its busy wait (5 s here) in the
 * sleeps it asked for, and the profiler's signal (SIGPROF, every sampling interval) cuts each sleep short,
 * so a writer gives up after milliseconds while the checkpointing worker holds the lock. Such a turn is
 * counted and the loop goes on with the next conversation; without the profiler it does not happen.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FLOWS } from "../../flows/index.js";
import { ConversationEngine } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { SqliteStore } from "../store/sqlite.js";
import { type ProfileSummary, profileWhile, summarizeProfile, writeProfile } from "./profile.js";
import { CONVERSATIONS } from "./scripts.js";
import { converse, scriptedPass } from "./turns.js";

export interface TurnsProfile {
  file: string;
  turns: number;
  /** Conversations cut short by SQLITE_BUSY under the profiler (see above). */
  busy: number;
  summary: ProfileSummary;
}

export async function profileTurns(nlu: Nlu, dir: string, durationMs = 5000): Promise<TurnsProfile> {
  const temp = mkdtempSync(join(tmpdir(), "posdesk-bench-profile-"));
  const store = new SqliteStore(join(temp, "profile.db"));
  try {
    let ids = 0;
    const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
    const pass = scriptedPass(engine, () => `p-${ids++}`);
    const warmEnd = performance.now() + 2000;
    while (performance.now() < warmEnd) await pass(false);
    let busy = 0;
    const { result: turns, profile } = await profileWhile(async () => {
      let done = 0;
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        for (const script of CONVERSATIONS) {
          try {
            done += await converse(engine, `p-${ids++}`, script.turns);
          } catch (error) {
            if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
            busy++;
          }
        }
      }
      return done;
    });
    const file = writeProfile(dir, `turns-${Date.now()}.cpuprofile`, profile);
    return { file, turns, busy, summary: summarizeProfile(profile) };
  } finally {
    await store.close();
    rmSync(temp, { recursive: true, force: true });
  }
}
