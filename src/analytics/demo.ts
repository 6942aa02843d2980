/**
 * Demo traffic for the support lead's view: merchants' conversations played through the real engine and
 * switchboard into a store, spread over the last days the way a support desk's day goes (quiet at night,
 * busy late morning and afternoon). The conversations are the repository's conversation stories (every
 * topic and branch, zh and en); some merchants stop half-way, some ask for a person; agents close most
 * handoffs with what the problem really was, and some merchants answer the bot's rating question (a turn,
 * as a merchant would: "5", "4分"), now and then with a comment.
 */
import { resolve } from "node:path";
import { FLOWS } from "../../flows/index.js";
import { LiveHub } from "../channels/hub.js";
import type { Channel } from "../domain/handoff.js";
import type { Locale } from "../domain/intents.js";
import { type IntentId, isTopic, TROUBLESHOOTING_INTENTS } from "../domain/intents.js";
import { ConversationEngine, type TurnResult } from "../engine/engine.js";
import type { Nlu } from "../nlu/index.js";
import { ROOT } from "../paths.js";
import { seededRandom } from "../seeded-random.js";
import { MemoryStore } from "../store/memory.js";
import type { Store } from "../store/store.js";
import { loadStories } from "../stories/load.js";
import type { Story } from "../stories/schema.js";
import { Switchboard } from "../switchboard.js";
import { HOUR_MS } from "./rollup.js";

export const DEMO_STORIES_DIR = resolve(ROOT, "tests", "stories");

export interface DemoOptions {
  nlu: Nlu;
  store: Store;
  conversations: number;
  /** Days of traffic, ending at `end`. */
  days: number;
  /** The end of the traffic (ms); now by default. */
  end?: number;
  /** The time zone whose day the traffic follows (busy hours); the process's by default. */
  tz?: string;
  /** The same seed gives the same traffic. */
  seed?: number;
  stories?: string;
  /** Called now and then with how many conversations are done. */
  progress?: (done: number) => void;
}

export interface DemoSummary {
  conversations: number;
  turns: number;
  handoffs: number;
  closed: number;
  ratings: number;
  from: string;
  to: string;
}

/** How many merchants bring each topic, in parts of 100 (story files are named by topic). */
const TOPIC_WEIGHTS: Record<string, number> = {
  card_declined: 20,
  settlement_delay: 13,
  network_failure: 11,
  terminal_dead: 8,
  printer_problem: 7,
  signin_key_error: 7,
  card_read_error: 6,
  refund_void: 6,
  limit_exceeded: 5,
  fees_inquiry: 5,
  software_update: 4,
  account_frozen: 3,
};
/** Story files of everything else (greetings, handoffs, repairs…), shared by what is left. */
const OTHER_WEIGHT = 5;

/** Share of merchants by the hour of their day (0–23): the desk's day. */
const HOURLY = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2.5, 5, 8, 10, 10, 7, 6, 8, 9, 9, 8, 7, 7, 6, 4, 3, 2];

const CHANNELS: [Channel, number][] = [
  ["web", 45],
  ["wechat", 40],
  ["botframework", 15],
];

const PERSON = { "zh-CN": ["转人工", "我要人工客服", "找个真人"], en: ["talk to a person", "agent please"] };
const COMMENTS = {
  "zh-CN": { good: ["很快就好了", "客服很耐心", "解决了，谢谢"], bad: ["等太久了", "还是不太明白"] },
  en: { good: ["quick fix, thanks", "very helpful"], bad: ["took too long", "still confusing"] },
};
const NOTES = {
  "zh-CN": ["已电话联系商户处理", "远程协助后恢复", "已提交工单"],
  en: ["called the merchant", "fixed remotely"],
};

function weighted<T>(rand: () => number, items: readonly [T, number][]): T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let r = rand() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]?.[0] as T;
}

/** The local hour (0–23) of an instant in `tz`. */
function localHour(ms: number, format: Intl.DateTimeFormat): number {
  return Number(format.formatToParts(ms).find((p) => p.type === "hour")?.value ?? 0) % 24;
}

export async function seedDemo(options: DemoOptions): Promise<DemoSummary> {
  const rand = seededRandom(options.seed ?? 20261130);
  const end = options.end ?? Date.now();
  const start = end - options.days * 24 * HOUR_MS;
  const hourFormat = new Intl.DateTimeFormat("en-US", {
    hour: "2-digit",
    hourCycle: "h23",
    ...(options.tz ? { timeZone: options.tz } : {}),
  });

  // Stories by topic, weighted; each story file is one topic or one of the other kinds of conversation.
  const byWeight: [Story[], number][] = [];
  const others: Story[] = [];
  for (const { file, stories } of loadStories(options.stories ?? DEMO_STORIES_DIR)) {
    const topic = file.replace(/\.ya?ml$/, "");
    if (TOPIC_WEIGHTS[topic]) byWeight.push([stories, TOPIC_WEIGHTS[topic]]);
    else others.push(...stories);
  }
  if (others.length > 0) byWeight.push([others, OTHER_WEIGHT]);
  if (byWeight.length === 0) throw new Error("no conversation stories to play");
  // Stories test every branch, the unhappy ones as often as the happy: each is played once aside to see how
  // it ends, so that merchants who say a whole story end as a desk's merchants do (most solved by the bot).
  const endings = await storyEndings(
    options.nlu,
    byWeight.flatMap(([stories]) => stories),
  );

  let clock = start;
  const engine = new ConversationEngine({
    nlu: options.nlu,
    store: options.store,
    flows: FLOWS,
    now: () => new Date(clock),
  });
  const switchboard = new Switchboard(engine, new LiveHub());
  const summary: DemoSummary = {
    conversations: 0,
    turns: 0,
    handoffs: 0,
    closed: 0,
    ratings: 0,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
  };

  // Start times, drawn hour by hour along the desk's day, then in order.
  const hours: [number, number][] = [];
  for (let h = Math.floor(start / HOUR_MS); h < Math.ceil(end / HOUR_MS); h++)
    hours.push([h, HOURLY[localHour(h * HOUR_MS, hourFormat)] ?? 1]);
  const starts = Array.from({ length: options.conversations }, () => {
    const hour = weighted(rand, hours);
    return Math.min(end - 1, Math.max(start, hour * HOUR_MS + Math.floor(rand() * HOUR_MS)));
  }).sort((a, b) => a - b);

  for (const [i, at] of starts.entries()) {
    const pool = weighted(rand, byWeight);
    const fate = rand();
    // 10% stop part-way (no reply to the bot's last question), 10% ask for a person; the rest say all
    // their story, which ends solved for 70% of them where the topic has such stories.
    const ending = weighted(rand, ENDINGS);
    const fitting = fate < 0.8 ? pool.filter((s) => endings.get(s) === ending) : pool;
    const candidates = fitting.length > 0 ? fitting : pool;
    const story = candidates[Math.floor(rand() * candidates.length)] as Story;
    const channel = weighted(rand, CHANNELS);
    const id = `demo-${channel}-${String(i).padStart(6, "0")}-${Math.floor(rand() * 0xffffff).toString(16)}`;
    clock = at;
    const turn = (text: string, opened = false): Promise<TurnResult> =>
      switchboard.handle({
        conversationId: id,
        text,
        channel,
        locale: story.locale,
        ...(opened ? { opened } : {}),
      });

    // Some chats start with the welcome (the widget, a new WeChat contact).
    if (channel !== "botframework" && rand() < 0.3) await turn("", true);
    const said = sayings(story);
    let messages = said;
    if (fate >= 0.9)
      messages = [...said.slice(0, 1 + Math.floor(rand() * said.length)), pick(rand, PERSON[story.locale])];
    else if (fate >= 0.8 && said.length >= 2)
      messages = said.slice(0, 1 + Math.floor(rand() * (said.length - 1)));
    // A reply a while after the bot's last message: the rating and its comment.
    const later = (text: string): Promise<TurnResult> => {
      clock += 20_000 + Math.floor(rand() * 40_000);
      return turn(text);
    };
    let handoff: TurnResult["handoff"] = null;
    let resolvedTopic: IntentId | null = null;
    for (const text of messages) {
      clock += 15_000 + Math.floor(rand() * 75_000);
      const result = await turn(text);
      summary.turns += 1;
      if (result.handoff) {
        handoff = result.handoff;
        summary.handoffs += 1;
        break;
      }
      if (result.flow) resolvedTopic = result.flow;
    }
    summary.conversations += 1;

    if (handoff && rand() < 0.75) {
      // An agent takes it within half an hour and closes it with what the problem really was.
      clock += 120_000 + Math.floor(rand() * 1_800_000);
      const resolution =
        isTopic(handoff.intent) && rand() < 0.8 ? handoff.intent : pick(rand, TROUBLESHOOTING_INTENTS);
      await switchboard.close(handoff.id, resolution, pick(rand, NOTES[story.locale]));
      summary.closed += 1;
      if (rand() < 0.45 && (await rate(later, options.store, rand, { id, locale: story.locale, high: 0.7 })))
        summary.ratings += 1;
    } else if (!handoff && resolvedTopic && rand() < 0.35) {
      if (await rate(later, options.store, rand, { id, locale: story.locale, high: 0.8 }))
        summary.ratings += 1;
    }
    if (i % 100 === 99) options.progress?.(i + 1);
  }
  return summary;
}

type Ending = "resolved" | "handedOff" | "other";
/** How the whole stories merchants tell end: mostly solved by the bot. */
const ENDINGS: [Ending, number][] = [
  ["resolved", 70],
  ["handedOff", 22],
  ["other", 8],
];

/** How each story ends when told in full: played once through the engine over a store of its own. */
async function storyEndings(nlu: Nlu, stories: Story[]): Promise<Map<Story, Ending>> {
  const store = new MemoryStore();
  const engine = new ConversationEngine({ nlu, store, flows: FLOWS });
  const endings = new Map<Story, Ending>();
  for (const [i, story] of stories.entries()) {
    const id = `ending-${i}`;
    for (const text of sayings(story))
      await engine.handle({
        conversationId: id,
        text,
        channel: story.channel,
        locale: story.locale,
      });
    const outcome = (await store.getConversation(id))?.outcome;
    endings.set(story, outcome ?? "other");
  }
  return endings;
}

/** What the merchant says in a story, up to where an agent steps in (the demo's agents act on their own). */
function sayings(story: Story): string[] {
  const said: string[] = [];
  for (const turn of story.turns) {
    if (turn.say === undefined) break;
    said.push(turn.say);
  }
  return said;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/**
 * The merchant answers the rating question if the bot asked it (the engine decides: not twice in a sitting,
 * not during a handoff): a score, said as merchants say it, and sometimes a comment after it. True when rated.
 */
async function rate(
  turn: (text: string) => Promise<TurnResult>,
  store: Store,
  rand: () => number,
  r: { id: string; locale: Locale; high: number },
): Promise<boolean> {
  if ((await store.getConversation(r.id))?.question?.rating?.stage !== "score") return false;
  const score = rand() < r.high ? (rand() < 0.6 ? 5 : 4) : pick(rand, [1, 2, 3, 3]);
  await turn(r.locale === "zh-CN" && rand() < 0.5 ? `${score}分` : String(score));
  if (rand() < 0.3) await turn(pick(rand, COMMENTS[r.locale][score >= 4 ? "good" : "bad"]));
  return true;
}
