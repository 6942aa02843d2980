/**
 * Many merchants chatting at once, at a human pace: `conversations` of them at any moment, each saying
 * `turnsPerConversation` turns, waiting for each reply and then "typing" for a random while (exponential,
 * mean `thinkMs`) before the next; when a conversation ends, a new merchant takes its place after another
 * think time. Each conversation has its own keep-alive connection, opened by its first turn (as a new
 * merchant's browser would), so first turns pay for a new connection and a new conversation, later turns
 * for an existing one: the two are reported apart. Starts are spread over one conversation's length, so
 * arrivals are not synchronised the way a per-second rate limiter sends them (autocannon's
 * `connectionRate` releases every connection at the same instant each second, which measures a burst
 * rather than conversations); only turns sent after that ramp are measured.
 */
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { percentile, round } from "./measure.js";
import { conversationId, REPEATABLE } from "./scripts.js";

export interface LatencySummary {
  turns: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PacedRun {
  conversations: number;
  turnsPerConversation: number;
  durationS: number;
  thinkMs: number;
  /** Answered turns (2xx) in the measured window, first and later together. */
  turns: number;
  /** Answered turns (2xx) over the whole run, the ramp-up included: what the server worked for. */
  answered: number;
  turnsPerSecond: number;
  /** A conversation's first turn: a new connection, a new conversation. */
  first: LatencySummary;
  /** Its later turns: an open connection, a stored conversation. */
  later: LatencySummary;
  errors: number;
  /** The errors by kind (ECONNRESET, timeout…): why turns got no answer. */
  errorKinds: Record<string, number>;
  non2xx: number;
  /** The machine's 1-minute load average when the measured window began. */
  loadAverage: number;
}

export interface PacedOptions {
  conversations?: number;
  turnsPerConversation?: number;
  durationS?: number;
  thinkMs?: number;
}

export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  return {
    turns: latencies.length,
    p50Ms: round(percentile(latencies, 50), 1),
    p90Ms: round(percentile(latencies, 90), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(percentile(latencies, 100), 1),
  };
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

export async function pacedLoad(baseUrl: string, options: PacedOptions = {}): Promise<PacedRun> {
  const conversations = options.conversations ?? 1000;
  const turnsPerConversation = options.turnsPerConversation ?? 5;
  const durationS = options.durationS ?? 15;
  const thinkMs = options.thinkMs ?? 1000;
  const url = new URL("/api/chat", baseUrl);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error("loopback only");
  const first: number[] = [];
  const later: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  let non2xx = 0;
  let answered = 0;
  const rampMs = turnsPerConversation * thinkMs;
  const start = performance.now() + rampMs + thinkMs;
  const end = start + durationS * 1000;
  const think = () => Math.min(-Math.log(1 - Math.random()) * thinkMs, Math.max(0, end - performance.now()));

  const conversation = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const id = conversationId();
    try {
      for (let turn = 0; turn < turnsPerConversation && performance.now() < end; turn++) {
        if (turn > 0) await sleep(think());
        const text = REPEATABLE[turn % REPEATABLE.length];
        const sent = performance.now();
        const measured = sent >= start && sent < end;
        try {
          const status = await post(agent, url, JSON.stringify({ conversationId: id, text }));
          const ok = status >= 200 && status < 300;
          if (ok) answered++;
          if (!measured) {
            // ramp-up
          } else if (ok) (turn === 0 ? first : later).push(performance.now() - sent);
          else non2xx++;
        } catch (error) {
          if (!measured) continue;
          errors++;
          const kind = (error as { code?: string }).code ?? (error as Error).message;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        }
      }
    } finally {
      agent.destroy();
    }
  };
  const merchantSeat = async (): Promise<void> => {
    await sleep(Math.random() * rampMs);
    while (performance.now() < end) {
      await conversation();
      await sleep(think());
    }
  };
  let loadAverage = Number.NaN;
  const noteLoad = setTimeout(() => {
    loadAverage = round(loadavg()[0] ?? Number.NaN, 2);
  }, start - performance.now());
  await Promise.all(Array.from({ length: conversations }, merchantSeat));
  clearTimeout(noteLoad);
  const turns = first.length + later.length;
  return {
    conversations,
    turnsPerConversation,
    durationS,
    thinkMs,
    turns,
    answered,
    turnsPerSecond: Math.round(turns / durationS),
    first: summarizeLatencies(first),
    later: summarizeLatencies(later),
    errors,
    errorKinds,
    non2xx,
    loadAverage,
  };
}
