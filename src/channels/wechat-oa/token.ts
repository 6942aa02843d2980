/**
 * The API's access token: fetched once, cached, and fetched again shortly before it expires (WeChat's last
 * two hours). Shared through the TtlStore, so with Redis every process uses one token: each fetch makes
 * the previous token die within minutes, so processes fetching their own would keep voiding each other's.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { TtlStore } from "./ttl-store.js";

export interface IssuedToken {
  token: string;
  /** How long WeChat says it lives (`expires_in`), in milliseconds. */
  expiresInMs: number;
}

interface Cached {
  token: string;
  /** When to fetch a new one: a little before the token expires. */
  refreshAt: number;
}

export interface AccessTokenOptions {
  /** The shared record's key (per appid). */
  key: string;
  /** Fetch a new token this long before the old one expires (at most half its life). */
  refreshBeforeMs?: number;
  /** How long another process's fetch is waited for before fetching here anyway. */
  waitForOthersMs?: number;
  now?: () => number;
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
const DEFAULT_WAIT_FOR_OTHERS_MS = 3000;
const LOCK_MS = 10_000;

export class AccessTokens {
  private cached: Cached | undefined;
  private fetching: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly shared: TtlStore,
    private readonly options: AccessTokenOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    if (this.cached && this.cached.refreshAt > this.now()) return this.cached.token;
    const fromShared = await this.readShared();
    if (fromShared) {
      this.cached = fromShared;
      return fromShared.token;
    }
    // One fetch at a time in this process, whoever asks meanwhile shares it.
    this.fetching ??= this.refresh().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  /** WeChat refused `token` (expired early, voided by a fetch elsewhere): the next `get` fetches anew. */
  async invalidate(token: string): Promise<void> {
    if (this.cached?.token === token) this.cached = undefined;
    // Only that token: another process may already have put a good one in its place.
    if ((await this.readShared())?.token === token) await this.shared.delete(this.options.key);
  }

  private async readShared(): Promise<Cached | undefined> {
    const json = await this.shared.get(this.options.key);
    if (!json) return undefined;
    const cached = JSON.parse(json) as Cached;
    return cached.refreshAt > this.now() ? cached : undefined;
  }

  private async refresh(): Promise<string> {
    const lock = `${this.options.key}:lock`;
    const mine = await this.shared.add(lock, "1", LOCK_MS);
    try {
      if (!mine) {
        const fetched = await this.awaitOthers();
        if (fetched) return fetched;
      }
      const issued = await this.issue();
      const lead = Math.min(
        this.options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS,
        issued.expiresInMs / 2,
      );
      const cached: Cached = { token: issued.token, refreshAt: this.now() + issued.expiresInMs - lead };
      this.cached = cached;
      await this.shared.set(this.options.key, JSON.stringify(cached), issued.expiresInMs - lead);
      return cached.token;
    } finally {
      if (mine) await this.shared.delete(lock);
    }
  }

  /** Another process is fetching: its token, once it is in the shared record. */
  private async awaitOthers(): Promise<string | undefined> {
    const deadline = Date.now() + (this.options.waitForOthersMs ?? DEFAULT_WAIT_FOR_OTHERS_MS);
    while (Date.now() < deadline) {
      await sleep(50);
      const fetched = await this.readShared();
      if (fetched) {
        this.cached = fetched;
        return fetched.token;
      }
    }
    return undefined;
  }
}
