/**
 * How fast the support lead's report is on a year of data, and what the rollup costs a turn.
 *
 *   node dist/src/bench/analytics.js [--conversations 1000000] [--runs 20] [--no-redis]
 *
 * 1. A year of rollup for `--conversations` conversations (src/analytics/year.ts: a week of demo traffic
 *    played through the engine, laid end to end) into a SQLite file, and into a redis-server the bench
 *    starts on a free port (Debian's `redis-server`; `--no-redis` skips it).
 * 2. posdesk's server on each store; `GET /api/analytics` for the whole year timed over HTTP: the first
 *    request, then the median and worst of `--runs` more.
 * 3. The rollup's share of a turn's write: the demo's turns (`TurnWrite`s as the engine made them) saved
 *    into fresh SQLite files (and Redis) with and without their rollup counts, alternating rounds; and the
 *    store's fold of those turns' counts (on their transcript rows), per turn.
 * Not part of `npm test` or `npm run bench`. Standard output: one JSON object; progress on standard error.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import pino from "pino";
import { seedDemo } from "../analytics/demo.js";
import { layYear, playSample } from "../analytics/year.js";
import { loadNlu } from "../nlu/model.js";
import { startServer } from "../server.js";
import { MemoryStore } from "../store/memory.js";
import { RedisStore, redisClient } from "../store/redis.js";
import { SqliteStore, TURN_SQL } from "../store/sqlite.js";
import { fileMetricNumbers, rollupFolder } from "../store/sqlite-rollup.js";
import type { Store, TurnWrite } from "../store/store.js";
import { freePort } from "./server-process.js";

const log = (message: string) => process.stderr.write(`analytics bench: ${message}\n`);

interface Timing {
  firstMs: number;
  medianMs: number;
  maxMs: number;
  runs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function timeReport(
  storeLocation: string,
  from: number,
  to: number,
  runs: number,
): Promise<Timing & { conversations: number; bytes: number }> {
  const token = "bench-token";
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    store: storeLocation,
    env: { AGENT_TOKEN: token, POSDESK_PICTURES: "off", POSDESK_SHUTDOWN_GRACE_MS: "0" },
    logger: pino({ level: "silent" }),
  });
  try {
    const query = new URLSearchParams({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      tz: "Asia/Shanghai",
    });
    const once = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/analytics?${query}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET /api/analytics answered ${response.status}: ${text}`);
      return {
        ms: performance.now() - started,
        body: JSON.parse(text) as { conversations: number },
        bytes: text.length,
      };
    };
    const first = await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await once()).ms);
    times.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      firstMs: round(first.ms),
      medianMs: round(percentile(times, 0.5)),
      maxMs: round(times.at(-1) ?? 0),
      runs,
      conversations: first.body.conversations,
      bytes: first.bytes,
    };
  } finally {
    await server.close();
  }
}

/** A redis-server of our own on a free port, when none is given. */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`redis-server did not start: ${error}`);
      await sleep(50);
    }
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The turns of the demo traffic, as the engine handed them to its store. */
class TurnRecorder extends MemoryStore {
  readonly turns: TurnWrite[] = [];
  override async saveTurn(turn: TurnWrite): Promise<void> {
    this.turns.push(structuredClone(turn));
    await super.saveTurn(turn);
  }
}

/**
 * Microseconds per saved turn with and without its rollup counts, alternating rounds, medians: on SQLite
 * files (`open` gives a store by name) or in Redis.
 */
async function turnCost(
  turns: TurnWrite[],
  open: (name: string) => Store,
  rounds = 15,
): Promise<{ withRollupUs: number; withoutUs: number; countsPerTurn: number }> {
  const withFile = open("with");
  const withoutFile = open("without");
  const bare = turns.map(({ rollup: _rollup, ...rest }) => rest);
  const times = { with: [] as number[], without: [] as number[] };
  const run = async (store: Store, list: TurnWrite[], round: number) => {
    const started = performance.now();
    for (const turn of list)
      await store.saveTurn({
        ...turn,
        conversation: { ...turn.conversation, id: `${turn.conversation.id}-${round}` },
      });
    return ((performance.now() - started) * 1000) / list.length;
  };
  for (let round = 0; round < rounds; round++) {
    times.with.push(await run(withFile, turns, round));
    times.without.push(await run(withoutFile, bare, round));
  }
  await withFile.close();
  await withoutFile.close();
  const median = (xs: number[]) =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        0.5,
      ) * 10,
    ) / 10;
  const changes = turns.reduce((a, t) => a + (t.rollup?.length ?? 0), 0);
  return {
    withRollupUs: median(times.with),
    withoutUs: median(times.without),
    countsPerTurn: Math.round((changes / turns.length) * 10) / 10,
  };
}

/** What folding costs, per turn's counts: the turns' transcript rows, with their counts, written into a file, then folded in one go. */
async function foldCost(
  turns: TurnWrite[],
  dir: string,
): Promise<{ turns: number; foldMs: number; perTurnUs: number }> {
  const file = join(dir, "fold.db");
  await new SqliteStore(file).close();
  const db = new Database(file);
  const append = db.prepare<[string, string, string | null]>(TURN_SQL.appendTranscript);
  const metrics = fileMetricNumbers(db);
  for (const turn of turns) if (turn.rollup?.length) metrics.number(turn.rollup);
  db.transaction(() => {
    for (const turn of turns) {
      const counts = turn.rollup?.length ? metrics.numbers.encode(turn.rollup) : null;
      append.run(turn.conversation.id, "[]", counts);
    }
  })();
  const fold = rollupFolder(db, metrics);
  const started = performance.now();
  fold();
  const foldMs = performance.now() - started;
  db.close();
  return {
    turns: turns.length,
    foldMs: Math.round(foldMs * 10) / 10,
    perTurnUs: Math.round(((foldMs * 1000) / turns.length) * 10) / 10,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: "string", default: "1000000" },
      runs: { type: "string", default: "20" },
      "no-redis": { type: "boolean" },
    },
  });
  const conversations = Number(values.conversations);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), "posdesk-analytics-bench-"));
  const { nlu } = loadNlu();
  const end = Date.now();
  const result: Record<string, unknown> = {
    conversations,
    node: process.version,
    loadAverage: loadavg(),
  };
  try {
    const file = join(dir, "year.db");
    const sqlite = new SqliteStore(file);
    log(`seeding a year of ${conversations} conversations into ${file}`);
    const progress = (m: string) => process.stderr.write(`  ${m}\r`);
    const sample = await playSample({ nlu, conversations, end, progress });
    const seeded = await layYear(sqlite, sample, end, progress);
    process.stderr.write("\n");
    await sqlite.close();
    result.seeded = {
      ...seeded,
      from: new Date(seeded.from).toISOString(),
      to: new Date(seeded.to).toISOString(),
    };
    log("timing GET /api/analytics over a year on SQLite");
    result.sqlite = {
      ...(await timeReport(file, seeded.from, seeded.to, runs)),
      fileBytes: statSync(file).size,
    };

    if (!values["no-redis"]) {
      // A redis-server of the bench's own: the server reads posdesk's default key prefix.
      const own = await startRedis();
      try {
        const redis = new RedisStore(redisClient(own.url));
        log(`seeding the same year into Redis (${own.url})`);
        const again = await layYear(redis, sample, end);
        // A read folds the journal the seeding pushed: the timing then reads a year already folded.
        await redis.rollupTotals("hour", 0, 1);
        const memory = Number(/used_memory:(\d+)/.exec(await redis.redis.info("memory"))?.[1] ?? 0);
        await redis.close();
        log("timing GET /api/analytics over a year on Redis");
        result.redis = {
          ...(await timeReport(own.url, again.from, again.to, runs)),
          usedMemoryBytes: memory,
        };
      } finally {
        await own.stop();
      }
    }

    log("the rollup's share of a turn's write (SQLite)");
    const recorder = new TurnRecorder();
    await seedDemo({ nlu, store: recorder, conversations: 1500, days: 1, end });
    result.turnWrite = {
      turns: recorder.turns.length,
      sqlite: await turnCost(recorder.turns, (name) => new SqliteStore(join(dir, `turns-${name}.db`))),
      fold: await foldCost(recorder.turns, dir),
    };
    if (!values["no-redis"]) {
      const own = await startRedis();
      try {
        const open = (name: string) => new RedisStore(redisClient(own.url), { prefix: `${name}:` });
        (result.turnWrite as Record<string, unknown>).redis = await turnCost(recorder.turns, open, 5);
      } finally {
        await own.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
