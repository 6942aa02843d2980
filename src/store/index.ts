/** Opens the store a `--store` value or `POSDESK_STORE` names: a SQLite file path (default), `redis://…` or `memory:`. */
import { resolve } from "node:path";
import { MemoryStore } from "./memory.js";
import { RedisStore, redisClient } from "./redis.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export const DEFAULT_STORE = "./data/posdesk.db";

export async function openStore(location = process.env.POSDESK_STORE || DEFAULT_STORE): Promise<Store> {
  if (location === "memory:") return new MemoryStore();
  if (/^rediss?:\/\//.test(location)) return new RedisStore(redisClient(location));
  return new SqliteStore(resolve(location));
}

export type { ConversationRecord, Store } from "./store.js";
