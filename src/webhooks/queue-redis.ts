/**
 * The webhook queue in Redis, shared by every process on it: each delivery is a hash, the deliveries to send
 * a sorted set by due time, the dead ones another by when they died. Claiming is one Lua script (atomic in
 * Redis), so of several processes each delivery goes to one; the others never see it until its lease runs out.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { WebhookEventType } from "./events.js";
import type { ClaimedDelivery, DeadLetter, NewDelivery, QueuedDelivery, WebhookQueue } from "./queue.js";

// KEYS[1] due set; ARGV: now, limit, lease end, claim token, hash key prefix.
const CLAIM = `
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", ARGV[1], "LIMIT", 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call("ZADD", KEYS[1], ARGV[3], id)
  redis.call("HSET", ARGV[5] .. id, "claim", ARGV[4])
  redis.call("HINCRBY", ARGV[5] .. id, "attempts", 1)
end
return ids`;

// KEYS[1] the delivery's hash, KEYS[2] due set; ARGV: claim, id.
const COMPLETE = `
if redis.call("HGET", KEYS[1], "claim") ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1])
redis.call("ZREM", KEYS[2], ARGV[2])
return 1`;

// KEYS[1] hash, KEYS[2] due set; ARGV: claim, id, due, error.
const RETRY = `
if redis.call("HGET", KEYS[1], "claim") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "claim", "", "lastError", ARGV[4])
redis.call("ZADD", KEYS[2], ARGV[3], ARGV[2])
return 1`;

// KEYS[1] hash, KEYS[2] due set, KEYS[3] dead set; ARGV: claim, id, dead at, error.
const BURY = `
if redis.call("HGET", KEYS[1], "claim") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "claim", "", "lastError", ARGV[4], "deadAt", ARGV[3])
redis.call("ZREM", KEYS[2], ARGV[2])
redis.call("ZADD", KEYS[3], ARGV[3], ARGV[2])
return 1`;

// KEYS[1] hash, KEYS[2] due set, KEYS[3] dead set; ARGV: id, due.
const REVIVE = `
if redis.call("ZREM", KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call("HSET", KEYS[1], "attempts", 0, "deadAt", "")
redis.call("ZADD", KEYS[2], ARGV[2], ARGV[1])
return 1`;

function delivery(id: string, fields: Record<string, string>): QueuedDelivery {
  return {
    id,
    eventId: fields.eventId ?? "",
    event: fields.event as WebhookEventType,
    url: fields.url ?? "",
    body: fields.body ?? "",
    createdAt: fields.createdAt ?? "",
    attempts: Number(fields.attempts ?? 0),
    lastError: fields.lastError || null,
  };
}

export class RedisWebhookQueue implements WebhookQueue {
  private readonly due: string;
  private readonly dead: string;
  private readonly hashPrefix: string;

  constructor(
    private readonly redis: Redis,
    prefix = "posdesk:",
  ) {
    this.due = `${prefix}webhooks:due`;
    this.dead = `${prefix}webhooks:dead`;
    this.hashPrefix = `${prefix}webhook:`;
  }

  private hash(id: string): string {
    return this.hashPrefix + id;
  }

  async enqueue(deliveries: NewDelivery[], dueAt: number): Promise<void> {
    if (deliveries.length === 0) return;
    const multi = this.redis.multi();
    for (const d of deliveries) {
      multi.hset(this.hash(d.id), { ...d, attempts: 0, claim: "", lastError: "" });
      multi.zadd(this.due, dueAt, d.id);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const claim = randomUUID();
    const ids = (await this.redis.eval(
      CLAIM,
      1,
      this.due,
      now,
      limit,
      now + leaseMs,
      claim,
      this.hashPrefix,
    )) as string[];
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.hash(id));
    const results = (await pipeline.exec()) ?? [];
    const claimed: ClaimedDelivery[] = [];
    for (const [i, id] of ids.entries()) {
      const fields = results[i]?.[1] as Record<string, string> | undefined;
      // A due entry without its hash (removed by hand): nothing to send, so it is dropped.
      if (!fields?.url) await this.redis.zrem(this.due, id);
      else claimed.push({ ...delivery(id, fields), claim });
    }
    return claimed;
  }

  async complete(d: ClaimedDelivery): Promise<boolean> {
    return (await this.redis.eval(COMPLETE, 2, this.hash(d.id), this.due, d.claim, d.id)) === 1;
  }

  async retry(d: ClaimedDelivery, dueAt: number, error: string): Promise<boolean> {
    return (await this.redis.eval(RETRY, 2, this.hash(d.id), this.due, d.claim, d.id, dueAt, error)) === 1;
  }

  async bury(d: ClaimedDelivery, deadAt: number, error: string): Promise<boolean> {
    const keys = [this.hash(d.id), this.due, this.dead];
    return (await this.redis.eval(BURY, 3, ...keys, d.claim, d.id, deadAt, error)) === 1;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    const ids = await this.redis.zrevrange(this.dead, 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.hash(id));
    const results = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const fields = results[i]?.[1] as Record<string, string> | undefined;
      if (!fields?.url) return [];
      return [{ ...delivery(id, fields), deadAt: new Date(Number(fields.deadAt)).toISOString() }];
    });
  }

  async revive(id: string, dueAt: number): Promise<boolean> {
    return (await this.redis.eval(REVIVE, 3, this.hash(id), this.due, this.dead, id, dueAt)) === 1;
  }

  async pending(): Promise<number> {
    return this.redis.zcard(this.due);
  }
}
