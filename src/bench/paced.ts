/**
 * Many merchants chatting at once, at a human pace: each conversation sends a turn, waits for the reply,
 * then "types" for a random while (exponential, mean `thinkMs`) before the next. Starts are spread over
 * the first think time, so arrivals are not synchronised the way a per-second rate limiter sends them
 * (autocannon's `connectionRate` releases every connection at the same instant each second, which
 * measures a 1,000-request burst rather than 1,000 conversations). One keep-alive socket per conversation.
 * Every conversation has said its first turn (opened its connection) before the measured window starts:
 * a thousand connections opened in the same second overflow the listen queue, and what is measured is
 * the steady state of conversations under way, not a connection storm.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { percentile, round } from "./measure.js";
import { REPEATABLE } from "./scripts.js";

export interface PacedRun {
  conversations: number;
  durationS: number;
  thinkMs: number;
  turns: number;
  turnsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
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

export async function pacedLoad(
  baseUrl: string,
  options: { conversations?: number; durationS?: number; thinkMs?: number } = {},
): Promise<PacedRun> {
  const conversations = options.conversations ?? 1000;
  const durationS = options.durationS ?? 15;
  const thinkMs = options.thinkMs ?? 1000;
  const url = new URL("/api/chat", baseUrl);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error("loopback only");
  const agent = new Agent({ keepAlive: true, maxSockets: conversations, maxFreeSockets: conversations });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const rampMs = 2 * thinkMs;
  const start = performance.now() + rampMs + thinkMs;
  const end = start + durationS * 1000;
  const think = () => -Math.log(1 - Math.random()) * thinkMs;

  const merchant = async (): Promise<void> => {
    const conversationId = randomUUID();
    await sleep(Math.random() * rampMs);
    for (let turn = 0; performance.now() < end; turn++) {
      const text = REPEATABLE[turn % REPEATABLE.length];
      const sent = performance.now();
      const measured = sent >= start;
      try {
        const status = await post(agent, url, JSON.stringify({ conversationId, text }));
        if (!measured) {
          // ramp-up: opening the conversation and its connection
        } else if (status >= 200 && status < 300) latencies.push(performance.now() - sent);
        else non2xx++;
      } catch {
        if (measured) errors++;
      }
      await sleep(Math.min(think(), Math.max(0, end - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: conversations }, merchant));
  agent.destroy();
  return {
    conversations,
    durationS,
    thinkMs,
    turns: latencies.length,
    turnsPerSecond: Math.round(latencies.length / durationS),
    p50Ms: round(percentile(latencies, 50), 1),
    p90Ms: round(percentile(latencies, 90), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(percentile(latencies, 100), 1),
    errors,
    non2xx,
  };
}
