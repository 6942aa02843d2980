/**
 * Redis store, for several posdesk processes sharing conversations: any process can take any turn.
 * Turns of one conversation are serialised across processes by a lock with expiry (SET NX PX, released
 * with a compare-and-delete script), so there is no lost update and no double reply.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type ChainableCommander, Redis } from "ioredis";
import type { HandoffRecord, TranscriptEntry } from "../domain/handoff.js";
import { newestRatingFirst, type Rating, type RatingQuery, ratingKey } from "../domain/rating.js";
import { maskDeep, maskedJson } from "../domain/redact.js";
import { RedisIncidents } from "./redis-incidents.js";
import {
  type CandidateDecision,
  type ConversationRecord,
  DAY_HOURS,
  type HandoffQuery,
  matchesQuery,
  newestFirst,
  type PictureMime,
  type RollupCount,
  type RollupRow,
  type RollupUnit,
  type Store,
  type StoredPicture,
  type TurnWrite,
} from "./store.js";

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * Folds the rollup journal: pops up to ARGV[2] entries (each [[hour, metric, n, trend], ...], as turns
 * pushed them) from `<prefix>journal` (ARGV[1] is `<prefix>`, posdesk's `rollup:` keys), adds each count
 * to its hour, day and week hashes, and the trend ones to their day's trend hash as `<hour>:<metric>`, each
 * distinct counter once; returns how many entries are left. Atomic, so any number of processes may fold.
 * The keys are made by the script (one Redis, not a cluster).
 */
const ROLLUP_FOLD = `
local prefix = ARGV[1]
local journal = prefix .. "journal"
local entries = redis.call("LPOP", journal, tonumber(ARGV[2]))
if not entries then return 0 end
local sums = {}
local keys = {}
local function add(key, field, n)
  local fields = sums[key]
  if fields == nil then
    fields = {}
    sums[key] = fields
    keys[#keys + 1] = key
  end
  fields[field] = (fields[field] or 0) + n
end
for _, entry in ipairs(entries) do
  for _, c in ipairs(cjson.decode(entry)) do
    local hour, metric, n = c[1], c[2], c[3]
    local h = string.format("%d", hour)
    local day = string.format("%d", math.floor(hour / 24))
    add(prefix .. "hour:" .. h, metric, n)
    add(prefix .. "day:" .. day, metric, n)
    add(prefix .. "week:" .. string.format("%d", math.floor(hour / 168)), metric, n)
    if c[4] == 1 then add(prefix .. "trend:" .. day, h .. ":" .. metric, n) end
  end
end
for _, key in ipairs(keys) do
  for field, n in pairs(sums[key]) do
    if n ~= 0 then redis.call("HINCRBY", key, field, n) end
  end
end
return redis.call("LLEN", journal)`;

/** Journal entries one fold takes: a few milliseconds of Redis's time, so turns never wait long behind it. */
const FOLD_BATCH = 200;
/** How often each process folds the journal. */
const FOLD_INTERVAL_MS = 200;

interface RollupFoldCommand {
  posdeskRollupFold(prefix: string, batch: number): Promise<number>;
}

export interface RedisStoreOptions {
  /** Key prefix, so several deployments can share one Redis. */
  prefix?: string;
  /** How long a turn may hold its conversation's lock before another process may take it. */
  lockMs?: number;
  /** How long a turn waits for the lock before giving up. */
  lockWaitMs?: number;
  /** How long pictures' redacted copies are kept (they are large, and memory is Redis's only room). */
  pictureTtlSeconds?: number;
}

/** Pictures kept for agents live 30 days in Redis, long past any handoff they belong to. */
export const PICTURE_TTL_SECONDS = 30 * 24 * 3600;

export function redisClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // Back off 50 ms, 100 ms … up to 2 s between reconnects, for ever: Redis coming back is recovery.
    retryStrategy: (times) => Math.min(times * 50, 2000),
  });
  // Connection errors surface where they matter: failed commands (503) and readiness (/readyz).
  client.on("error", () => undefined);
  return client;
}

/** The store cannot take work now (Redis down, or a conversation locked too long): retry later. */
export class StoreUnavailableError extends Error {}

/** Whether `error` means Redis is unreachable rather than a bug: answered with 503 and retried by clients. */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: string } | null;
  if (!e) return false;
  if (error instanceof StoreUnavailableError || e.name === "MaxRetriesPerRequestError") return true;
  return /ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn.t writeable|max retries per request/i.test(
    `${e.code ?? ""} ${e.message ?? ""}`,
  );
}

/** Rollup buckets read per round trip. */
const ROLLUP_BATCH = 1000;

export class RedisStore implements Store {
  /** Key prefix, shared with what keeps its own keys beside the conversations (the webhook queue). */
  readonly prefix: string;
  readonly incidents: RedisIncidents;
  private readonly lockMs: number;
  private readonly lockWaitMs: number;
  private readonly pictureTtlSeconds: number;
  private readonly folding: NodeJS.Timeout;

  constructor(
    readonly redis: Redis,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? "posdesk:";
    this.lockMs = options.lockMs ?? 15_000;
    this.lockWaitMs = options.lockWaitMs ?? 20_000;
    this.pictureTtlSeconds = options.pictureTtlSeconds ?? PICTURE_TTL_SECONDS;
    this.incidents = new RedisIncidents(redis, this.prefix);
    if (!("posdeskRollupFold" in redis))
      redis.defineCommand("posdeskRollupFold", { numberOfKeys: 0, lua: ROLLUP_FOLD });
    // One fold at a time: while Redis is away the ticks pass instead of piling up behind it.
    let busy = false;
    this.folding = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.foldRollup()
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, FOLD_INTERVAL_MS);
    this.folding.unref();
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const json = await this.redis.get(this.key("conversation", id));
    return json === null ? undefined : (JSON.parse(json) as ConversationRecord);
  }

  async saveConversation(conversation: ConversationRecord): Promise<void> {
    await this.redis.set(this.key("conversation", conversation.id), maskedJson(conversation));
  }

  async appendTranscript(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(this.key("transcript", conversationId), ...entries.map((e) => maskedJson(e)));
  }

  async transcript(conversationId: string): Promise<TranscriptEntry[]> {
    const entries = await this.redis.lrange(this.key("transcript", conversationId), 0, -1);
    return entries.map((e) => JSON.parse(e) as TranscriptEntry);
  }

  async saveHandoff(handoff: HandoffRecord): Promise<void> {
    const masked = maskDeep(handoff);
    const { id, createdAt } = masked.summary;
    await this.redis
      .multi()
      .set(this.key("handoff", id), JSON.stringify(masked))
      .zadd(this.key("handoffs"), Date.parse(createdAt), id)
      .exec();
  }

  /** One MULTI: another process never sees the transcript of a turn without its conversation state. */
  async saveTurn(turn: TurnWrite): Promise<void> {
    const { conversation, transcript, handoff } = turn;
    const multi = this.redis.multi();
    if (transcript.length > 0)
      multi.rpush(this.key("transcript", conversation.id), ...transcript.map((e) => maskedJson(e)));
    if (handoff) {
      const masked = maskDeep(handoff);
      multi
        .set(this.key("handoff", masked.summary.id), JSON.stringify(masked))
        .zadd(this.key("handoffs"), Date.parse(masked.summary.createdAt), masked.summary.id);
    }
    multi.set(this.key("conversation", conversation.id), maskedJson(conversation));
    this.addRollup(multi, turn.rollup ?? []);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async getHandoff(id: string): Promise<HandoffRecord | undefined> {
    const json = await this.redis.get(this.key("handoff", id));
    return json === null ? undefined : (JSON.parse(json) as HandoffRecord);
  }

  async listHandoffs(query?: HandoffQuery): Promise<HandoffRecord[]> {
    const ids = await this.redis.zrevrange(this.key("handoffs"), 0, -1);
    if (ids.length === 0) return [];
    const records = await this.redis.mget(ids.map((id) => this.key("handoff", id)));
    return records
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as HandoffRecord)
      .filter((h) => matchesQuery(h, query))
      .sort(newestFirst);
  }

  /** One Redis set per decision; a candidate moves from one to the other when a reviewer changes their mind. */
  async recordDecision(candidateId: string, decision: CandidateDecision): Promise<void> {
    const other: CandidateDecision = decision === "accepted" ? "rejected" : "accepted";
    await this.redis
      .multi()
      .srem(this.key("learning", other), candidateId)
      .sadd(this.key("learning", decision), candidateId)
      .exec();
  }

  async decisions(): Promise<Map<string, CandidateDecision>> {
    const [accepted, rejected] = await Promise.all([
      this.redis.smembers(this.key("learning", "accepted")),
      this.redis.smembers(this.key("learning", "rejected")),
    ]);
    return new Map<string, CandidateDecision>([
      ...rejected.map((id): [string, CandidateDecision] => [id, "rejected"]),
      ...accepted.map((id): [string, CandidateDecision] => [id, "accepted"]),
    ]);
  }

  async savePicture(conversationId: string, bytes: Uint8Array, mime: PictureMime): Promise<string> {
    const id = randomUUID();
    const key = this.key("picture", id);
    const results = await this.redis
      .multi()
      .hset(key, {
        conversationId,
        mime,
        createdAt: new Date().toISOString(),
        bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      })
      .expire(key, this.pictureTtlSeconds)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
    return id;
  }

  async getPicture(id: string): Promise<StoredPicture | undefined> {
    const fields = await this.redis.hgetallBuffer(this.key("picture", id));
    const { conversationId, mime, createdAt, bytes } = fields;
    if (!conversationId || !mime || !createdAt || !bytes) return undefined;
    return {
      id,
      conversationId: conversationId.toString(),
      mime: mime.toString() as PictureMime,
      bytes: new Uint8Array(bytes),
      createdAt: createdAt.toString(),
    };
  }

  /**
   * A rating is a field of one hash (`ratings:data`, by conversation and time) and a member of a sorted set
   * by time (`ratings`), for periods; a comment saves it again under the same key.
   */
  async saveRating(rating: Rating): Promise<void> {
    const key = ratingKey(rating);
    const results = await this.redis
      .multi()
      .hset(this.key("ratings", "data"), key, maskedJson(rating))
      .zadd(this.key("ratings"), Date.parse(rating.at), key)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  /**
   * The analytics rollup: a turn pushes its counts to a journal (one command in its MULTI; a dozen HINCRBYs
   * cost a turn more than the rest of it), and every process folds the journal into the rollup's hashes
   * five times a second (ROLLUP_FOLD); a read folds what is left first. The rollup: one hash per unit and
   * bucket, its fields the metrics; the hourly `trend` counts in one hash per day, fields `<hour>:<metric>`,
   * so a year of them is 365 reads, not 8,760.
   */
  private addRollup(multi: ChainableCommander, counts: readonly RollupCount[]): void {
    if (counts.length === 0) return;
    multi.rpush(
      this.key("rollup", "journal"),
      JSON.stringify(counts.map((c) => [c.hour, c.metric, c.n, c.trend ? 1 : 0])),
    );
  }

  /** Folds the journal until it is empty (as far as this fold can see). */
  private async foldRollup(): Promise<void> {
    const redis = this.redis as Redis & RollupFoldCommand;
    while ((await redis.posdeskRollupFold(this.key("rollup", ""), FOLD_BATCH)) > 0);
  }

  private rollupKey(unit: RollupUnit, bucket: number): string {
    return this.key("rollup", unit, String(bucket));
  }

  async addToRollup(counts: RollupCount[]): Promise<void> {
    if (counts.length === 0) return;
    const multi = this.redis.multi();
    this.addRollup(multi, counts);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async ratings(query: RatingQuery = {}): Promise<Rating[]> {
    const max = query.to === undefined ? "+inf" : `(${Date.parse(query.to)}`;
    const min = query.from === undefined ? "-inf" : String(Date.parse(query.from));
    const keys = await this.redis.zrevrangebyscore(this.key("ratings"), max, min);
    if (keys.length === 0) return [];
    const records = await this.redis.hmget(this.key("ratings", "data"), ...keys);
    return records
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as Rating)
      .sort(newestRatingFirst);
  }

  /** The hashes of `unit` from bucket `from` to `to` (excluded), fetched a batch per round trip. */
  private async *rollupHashes(
    unit: RollupUnit,
    from: number,
    to: number,
  ): AsyncGenerator<Record<string, string>> {
    for (let start = from; start < to; start += ROLLUP_BATCH) {
      const pipeline = this.redis.pipeline();
      for (let bucket = start; bucket < Math.min(to, start + ROLLUP_BATCH); bucket++)
        pipeline.hgetall(this.rollupKey(unit, bucket));
      for (const [error, fields] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        yield fields as Record<string, string>;
      }
    }
  }

  async rollupTotals(unit: RollupUnit, from: number, to: number): Promise<Map<string, number>> {
    await this.foldRollup();
    const totals = new Map<string, number>();
    for await (const fields of this.rollupHashes(unit, from, to))
      for (const [metric, n] of Object.entries(fields))
        totals.set(metric, (totals.get(metric) ?? 0) + Number(n));
    for (const [metric, n] of totals) if (n === 0) totals.delete(metric);
    return totals;
  }

  async rollupSeries(
    unit: RollupUnit,
    from: number,
    to: number,
    metrics: readonly string[],
  ): Promise<RollupRow[]> {
    await this.foldRollup();
    const wanted = new Set(metrics);
    const rows: RollupRow[] = [];
    if (unit !== "trend") {
      let bucket = from;
      for await (const fields of this.rollupHashes(unit, from, to)) {
        for (const metric of metrics) {
          const n = Number(fields[metric] ?? 0);
          if (n !== 0) rows.push({ bucket, metric, n });
        }
        bucket += 1;
      }
      return rows;
    }
    const days = this.rollupHashes("trend", Math.floor(from / DAY_HOURS), Math.ceil(to / DAY_HOURS));
    for await (const fields of days) {
      for (const [field, value] of Object.entries(fields)) {
        const colon = field.indexOf(":");
        const bucket = Number(field.slice(0, colon));
        const metric = field.slice(colon + 1);
        const n = Number(value);
        if (bucket >= from && bucket < to && wanted.has(metric) && n !== 0) rows.push({ bucket, metric, n });
      }
    }
    return rows.sort((a, b) => a.bucket - b.bucket || a.metric.localeCompare(b.metric));
  }

  async withConversationLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const key = this.key("lock", id);
    const token = randomUUID();
    const deadline = Date.now() + this.lockWaitMs;
    let wait = 2;
    while ((await this.redis.set(key, token, "PX", this.lockMs, "NX")) !== "OK") {
      if (Date.now() > deadline) throw new StoreUnavailableError(`conversation ${id} is busy; try again`);
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 50);
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token);
    }
  }

  async ready(): Promise<boolean> {
    const timeout = sleep(1000).then(() => "timeout");
    try {
      return (await Promise.race([this.redis.ping(), timeout])) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.folding);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
