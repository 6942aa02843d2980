/**
 * Short-lived shared records (the access token, which messages were seen): in Redis when the store is
 * Redis, so every process shares them; otherwise in this process, which is then the only one.
 */
import type { Redis } from "ioredis";

const SWEEP_EVERY_MS = 10_000;

export interface TtlStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets `key` only when it is absent: true when this call set it (a claim, a lock). */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export class MemoryTtlStore implements TtlStore {
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private swept = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry && entry.expires > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.sweep();
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    if ((await this.get(key)) !== undefined) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Expired entries go every few seconds as new ones come, so the map holds only a few minutes of messages. */
  private sweep(): void {
    const now = this.now();
    if (now - this.swept < SWEEP_EVERY_MS) return;
    this.swept = now;
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}

export class RedisTtlStore implements TtlStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "posdesk:wechat-oa:",
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, "PX", Math.max(1, Math.round(ttlMs)));
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.redis.set(this.prefix + key, value, "PX", Math.max(1, Math.round(ttlMs)), "NX")) === "OK"
    );
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
