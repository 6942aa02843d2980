/**
 * `posdesk learn`: the merchant messages the bot got wrong, labelled by the agents who closed their
 * handoffs. Lists them; `--accept` adds them to the training phrases (`intents/<locale>/<resolution>.yaml`,
 * or under POSDESK_INTENTS_DIR), `--reject` drops them. Either way the store remembers, so a candidate is
 * offered once. A running server retrains by itself when the phrases change.
 */
import { relative } from "node:path";
import { type Candidate, pendingCandidates, recordDecisions } from "../engine/learning.js";
import { addPhrases } from "../nlu/phrases.js";
import { intentsDir } from "../paths.js";
import { openStore } from "../store/index.js";
import { UsageError } from "./usage.js";

export const LEARN_USAGE = "learn [--json] [--store PATH|URL] [--accept ID…|--accept-all] [--reject ID…]";

export interface LearnOptions {
  json: boolean;
  store?: string;
  accept: string[];
  acceptAll: boolean;
  reject: string[];
}

/** `--accept a b --reject c`, `--accept=a,b`, `--accept a --accept b`: each flag takes the ids after it. */
export function parseLearnArgs(args: readonly string[]): LearnOptions {
  const options: LearnOptions = { json: false, accept: [], acceptAll: false, reject: [] };
  let collecting: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith("--") ? splitFlag(arg) : [undefined, undefined];
    if (flag === undefined) {
      if (!collecting) throw new UsageError(`unexpected argument '${arg}'; usage: posdesk ${LEARN_USAGE}`);
      collecting.push(...ids(arg));
      continue;
    }
    collecting = undefined;
    if (flag === "--json" || flag === "--accept-all") {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      if (flag === "--json") options.json = true;
      else options.acceptAll = true;
    } else if (flag === "--store") {
      const value = inline ?? args[++i];
      if (!value) throw new UsageError("--store needs a path or URL");
      options.store = value;
    } else if (flag === "--accept" || flag === "--reject") {
      collecting = flag === "--accept" ? options.accept : options.reject;
      if (inline !== undefined) collecting.push(...ids(inline));
    } else {
      throw new UsageError(`unknown option '${flag}'; usage: posdesk ${LEARN_USAGE}`);
    }
  }
  const both = options.accept.filter((id) => options.reject.includes(id));
  if (both.length > 0) throw new UsageError(`both accepted and rejected: ${both.join(", ")}`);
  return options;
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function ids(value: string): string[] {
  return value.split(",").filter(Boolean);
}

function write(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once("drain", resolve);
  });
}

interface Decided extends Candidate {
  decision: "accepted" | "rejected";
  /** The training file it went into (relative to the intents folder), for an accepted candidate. */
  file?: string;
  added?: boolean;
  /** Why an accepted candidate was not added: already a phrase, or a message of the held-out test set. */
  skipped?: string;
}

/** Adds accepted candidates to their training files, one write per file. */
function learn(dir: string, accepted: readonly Candidate[]): Decided[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of accepted) {
    const key = `${c.locale}/${c.resolution}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const decided: Decided[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Candidate;
    const result = addPhrases(
      dir,
      first.locale,
      first.resolution,
      group.map((c) => c.text),
    );
    const file = relative(dir, result.file);
    group.forEach((c) => {
      const skipped = result.skipped.find((s) => s.text === c.text);
      decided.push({
        ...c,
        decision: "accepted",
        file,
        added: !skipped,
        ...(skipped ? { skipped: skipped.reason } : {}),
      });
    });
  }
  return decided;
}

function candidateLine(c: Candidate): string {
  return `${c.id}  ${c.locale.padEnd(5)}  ${c.predicted} -> ${c.resolution}  ${c.text}`;
}

function decidedLine(d: Decided): string {
  const where = d.decision === "rejected" ? "" : d.added ? `  ${d.file}` : `  (${d.skipped})`;
  return `${d.decision.padEnd(8)}  ${d.id}${where}  ${d.text}`;
}

export async function runLearn(args: string[]): Promise<void> {
  const options = parseLearnArgs(args);
  const store = await openStore(options.store);
  try {
    const pending = await pendingCandidates(store);
    const acting = options.acceptAll || options.accept.length > 0 || options.reject.length > 0;
    if (!acting) {
      for (const c of pending) await write(options.json ? JSON.stringify(c) : candidateLine(c));
      if (pending.length === 0 && !options.json) process.stderr.write("posdesk learn: no candidates\n");
      return;
    }
    const byId = new Map(pending.map((c) => [c.id, c]));
    const unknown = [...options.accept, ...options.reject].filter((id) => !byId.has(id));
    if (unknown.length > 0)
      throw new UsageError(`no pending candidate ${unknown.join(", ")} (see posdesk learn --json)`);
    const rejected = options.reject.map((id) => byId.get(id) as Candidate);
    const accepted = options.acceptAll
      ? pending.filter((c) => !options.reject.includes(c.id))
      : options.accept.map((id) => byId.get(id) as Candidate);
    // Phrases first: a failed write leaves the candidates pending, to accept again.
    const decided = [
      ...learn(intentsDir(), accepted),
      ...rejected.map((c): Decided => ({ ...c, decision: "rejected" })),
    ];
    await recordDecisions(store, accepted, "accepted");
    await recordDecisions(store, rejected, "rejected");
    for (const d of decided) await write(options.json ? JSON.stringify(d) : decidedLine(d));
  } finally {
    await store.close();
  }
}
