/**
 * Prints the top self-time functions and files of a .cpuprofile (from `node --cpu-prof`, the benchmark's
 * `--profile`, or Chrome DevTools).
 *
 *   node dist/src/bench/profile-summary.js FILE.cpuprofile [--top N]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type CpuProfile, formatSummary, summarizeProfile } from "./profile.js";

const { values, positionals } = parseArgs({
  options: { top: { type: "string" } },
  allowPositionals: true,
  strict: true,
});
if (positionals.length === 0) throw new Error("usage: profile-summary.js FILE.cpuprofile [--top N]");
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const summary = summarizeProfile(profile, { top: Number(values.top ?? 20) });
  process.stdout.write(`${formatSummary(summary, file)}\n\n`);
}
