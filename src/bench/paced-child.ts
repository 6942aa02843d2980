/**
 * The paced load generator in a process of its own (a clean heap: the benchmark process holds two trained
 * models, and its garbage collections would be measured as server latency). Prints one JSON PacedRun.
 *
 *   node dist/src/bench/paced-child.js URL CONVERSATIONS DURATION_S THINK_MS [TURNS_PER_CONVERSATION]
 */
import { pacedLoad } from "./paced.js";

const [url, conversations, durationS, thinkMs, turns] = process.argv.slice(2);
if (!url) throw new Error("usage: paced-child.js URL CONVERSATIONS DURATION_S THINK_MS [TURNS]");
const run = await pacedLoad(url, {
  conversations: Number(conversations ?? 1000),
  durationS: Number(durationS ?? 15),
  thinkMs: Number(thinkMs ?? 1000),
  turnsPerConversation: Number(turns ?? 5),
});
process.stdout.write(`${JSON.stringify(run)}\n`);
