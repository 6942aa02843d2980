/**
 * Learning from handoffs: when an agent closes a handoff with the topic the merchant really meant, the
 * merchant's messages the bot classified as something else become labelled candidates for the training
 * phrases. A reviewer accepts or rejects them (`posdesk learn`); the store remembers which, so a candidate
 * is offered once.
 */
import { createHash } from "node:crypto";
import type { HandoffRecord, TranscriptEntry } from "../domain/handoff.js";
import { type IntentId, isTopic, type Locale, TROUBLESHOOTING_INTENTS } from "../domain/intents.js";
import { maskCardNumbers } from "../domain/redact.js";
import { list, section } from "../i18n.js";
import { detectAct } from "../nlu/acts.js";
import { detectLocale } from "../nlu/index.js";
import { normalize } from "../nlu/normalize.js";
import type { CandidateDecision, Store } from "../store/store.js";

export interface Candidate {
  /** A hash of locale, resolution and normalised text: the same message with the same label is one candidate. */
  id: string;
  /** The merchant's message as stored (card numbers masked). */
  text: string;
  locale: Locale;
  /** What the bot classified it as. */
  predicted: IntentId;
  /** What the agent closed the handoff with: the label the message would be learnt under. */
  resolution: IntentId;
  handoffId: string;
  conversationId: string;
}

/**
 * Intents whose messages did what they said: "转人工" asked for a person and got one. Relabelling such a
 * message with the handoff's topic would teach the model that asking for a person means that topic.
 */
const ACTED_ON: ReadonlySet<IntentId> = new Set(["human_agent", "greeting", "goodbye"]);

/** Chinese characters count one each, English words two each (a word says about as much as two characters). */
const MIN_CONTENT = 4;
const FILLERS = new Set(
  "it is the a an i my this that does do did yet just now again work works working ok 啊 吧 呢 了 呀 哦 嘛 的 啦".split(
    " ",
  ),
);

export function candidateId(locale: Locale, resolution: IntentId, text: string): string {
  return createHash("sha256")
    .update(`${locale}\n${resolution}\n${normalize(text)}`)
    .digest("hex")
    .slice(0, 12);
}

/** How much a normalised text says: Chinese characters, and English words counted as two. */
function contentOf(normalized: string, skipFillers = false): number {
  let size = 0;
  for (const run of normalized.match(/[\u3400-\u9fff]|[a-z][a-z']*/g) ?? []) {
    if (skipFillers && FILLERS.has(run)) continue;
    size += /^[a-z]/.test(run) ? 2 : 1;
  }
  return size;
}

let answerWords: { exact: Set<string>; phrases: string[] } | undefined;

/** Every quick-reply label and answer word the bot understands, normalised, longest first. */
function knownAnswers(): { exact: Set<string>; phrases: string[] } {
  if (answerWords) return answerWords;
  const words = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === "string") words.add(normalize(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  for (const locale of ["zh-CN", "en"] as const) {
    for (const kind of ["yes", "no", "no_code", "unknown"])
      list(locale, `common.synonyms.${kind}`).forEach(collect);
    collect(section(locale, "common.options"));
    collect(section(locale, "topics"));
    for (const flow of TROUBLESHOOTING_INTENTS) {
      collect(section(locale, `${flow}.options`));
      collect(section(locale, `${flow}.synonyms`));
    }
  }
  words.delete("");
  const phrases = [...words].filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  answerWords = { exact: words, phrases };
  return answerWords;
}

/**
 * A reply to the bot's question rather than a description of the problem: a quick-reply number or label,
 * a yes or no ("还是不行啊", "still not working"), a code alone, or too short to say anything.
 */
export function isBareAnswer(text: string): boolean {
  const normalized = normalize(text);
  const { exact, phrases } = knownAnswers();
  if (exact.has(normalized)) return true;
  // "不知道", "算了", "再说一遍", "谢谢": about the conversation, not the problem.
  if (detectAct(normalized) !== undefined) return true;
  if (contentOf(normalized.replace(/[0-9]+/g, " ")) < MIN_CONTENT) return true;
  let rest = normalized;
  for (const phrase of phrases) {
    rest = /^[a-z0-9' ]+$/.test(phrase)
      ? rest.replace(new RegExp(`(?<![a-z0-9])${escapeRegExp(phrase)}(?![a-z0-9])`, "g"), " ")
      : rest.replaceAll(phrase, " ");
  }
  return rest !== normalized && contentOf(rest.replace(/[0-9]+/g, " "), true) < 2;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether a closed handoff's resolution names what the merchant meant (a person is not a topic). */
function learnable(resolution: IntentId | undefined): resolution is IntentId {
  return resolution !== undefined && (isTopic(resolution) || resolution === "none");
}

/**
 * The candidates in `handoffs` (closed ones with a learnable resolution), oldest handoff first, each
 * message once. Only what the merchant said up to that escalation counts, and not what was already said
 * before an earlier handoff of the same conversation.
 */
export function findCandidates(handoffs: readonly HandoffRecord[]): Candidate[] {
  // Within a conversation a later handoff's transcript extends the earlier one's: its length orders
  // handoffs created in the same millisecond.
  const byAge = [...handoffs].sort(
    (a, b) =>
      a.summary.createdAt.localeCompare(b.summary.createdAt) ||
      a.summary.transcript.length - b.summary.transcript.length ||
      a.summary.id.localeCompare(b.summary.id),
  );
  const previous = new Map<string, { end: string; length: number }>();
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const handoff of byAge) {
    const { conversationId, transcript } = handoff.summary;
    const since = previous.get(conversationId);
    previous.set(conversationId, {
      end: handoff.closedAt ?? handoff.summary.createdAt,
      length: transcript.length,
    });
    const resolution = handoff.resolution;
    if (handoff.status !== "closed" || !learnable(resolution)) continue;
    transcript.forEach((entry, index) => {
      if (since !== undefined && (index < since.length || entry.at <= since.end)) return;
      const candidate = candidateOf(entry, resolution, handoff);
      if (!candidate || seen.has(candidate.id)) return;
      seen.add(candidate.id);
      candidates.push(candidate);
    });
  }
  return candidates;
}

function candidateOf(entry: TranscriptEntry, resolution: IntentId, handoff: HandoffRecord): Candidate | null {
  const predicted = entry.intent;
  if (entry.from !== "merchant" || predicted === undefined) return null;
  // The text read from a picture is a screen's wording, not how merchants describe a problem.
  if (entry.picture) return null;
  if (predicted === resolution || ACTED_ON.has(predicted)) return null;
  const text = maskCardNumbers(entry.text.replace(/\s+/g, " ").trim());
  if (!text || isBareAnswer(text)) return null;
  const locale = detectLocale(normalize(text)) ?? handoff.summary.locale;
  return {
    id: candidateId(locale, resolution, text),
    text,
    locale,
    predicted,
    resolution,
    handoffId: handoff.summary.id,
    conversationId: handoff.summary.conversationId,
  };
}

/** Candidates no reviewer has decided on yet. */
export async function pendingCandidates(store: Store): Promise<Candidate[]> {
  const [handoffs, decided] = await Promise.all([
    store.listHandoffs({ status: "closed" }),
    store.decisions(),
  ]);
  return findCandidates(handoffs).filter((c) => !decided.has(c.id));
}

export async function recordDecisions(
  store: Store,
  candidates: readonly Candidate[],
  decision: CandidateDecision,
): Promise<void> {
  for (const candidate of candidates) await store.recordDecision(candidate.id, decision);
}
