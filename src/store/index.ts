/** Opens the store a `--store` value or `POSDESK_STORE` names: a SQLite file path (default) or `memory:`. */
import { resolve } from "node:path";
import { MemoryStore } from "./memory.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export const DEFAULT_STORE = "./data/posdesk.db";

export async function openStore(location = process.env.POSDESK_STORE || DEFAULT_STORE): Promise<Store> {
  if (location === "memory:") return new MemoryStore();
  if (/^rediss?:\/\//.test(location)) {
    throw new Error(`Redis stores (${location}) are not available in this build`);
  }
  return new SqliteStore(resolve(location));
}

export type { ConversationRecord, Store } from "./store.js";
