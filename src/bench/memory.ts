/**
 * Memory per idle conversation in the server: posdesk's server (memory-child.ts, with --expose-gc) over a
 * temporary SQLite file; after a warm-up its heap and resident size are taken (garbage collected first) as
 * the baseline, then `conversations` new conversations each say one message through /api/chat (the card
 * declined flow, left waiting for a response code) and the same figures are taken again.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ratio, round } from "./measure.js";
import { conversationId } from "./scripts.js";
import { posdeskEnv } from "./server-process.js";

const CHILD = join(import.meta.dirname, "memory-child.js");

export interface MemorySample {
  heapUsed: number;
  rss: number;
  external: number;
}

export interface MemoryResult {
  conversations: number;
  /** Whether the server's garbage was collected before each sample (--expose-gc). */
  collected: boolean;
  baseline: MemorySample;
  after: MemorySample;
  /** (after − baseline) ÷ conversations, in bytes. */
  perConversation: MemorySample;
  /** heapUsed after over the baseline. */
  heapRatio: number | null;
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (reply) => resolve(reply as T));
    child.send(message);
  });
}

async function openConversations(url: string, count: number, concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const response = await fetch(`${url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversationId: conversationId(), text: "此卡无法交易" }),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`server answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function benchMemory(conversations = 10_000): Promise<MemoryResult> {
  const dir = mkdtempSync(join(tmpdir(), "posdesk-bench-memory-"));
  const child = fork(CHILD, [], {
    execArgv: ["--expose-gc"],
    env: { ...process.env, ...posdeskEnv(join(dir, "memory.db")) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.once("message", (message) => resolve(message as { url: string }));
      child.once("exit", (code) => reject(new Error(`memory server exited with ${code}`)));
    });
    const sample = async () => {
      const { memory, collected } = await ask<{ memory: MemorySample; collected: boolean }>(child, "measure");
      return { sample: { heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external }, collected };
    };
    // Warm-up: the code paths, caches and pools a first conversation fills, not counted.
    await openConversations(url, 500);
    const baseline = await sample();
    await openConversations(url, conversations);
    const after = await sample();
    const per = (key: keyof MemorySample) =>
      round((after.sample[key] - baseline.sample[key]) / conversations);
    return {
      conversations,
      collected: baseline.collected,
      baseline: baseline.sample,
      after: after.sample,
      perConversation: { heapUsed: per("heapUsed"), rss: per("rss"), external: per("external") },
      heapRatio: ratio(after.sample.heapUsed, baseline.sample.heapUsed, 3),
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
