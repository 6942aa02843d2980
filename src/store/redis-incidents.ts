/**
 * Incidents in Redis, shared by every process: the window of recent raises is one sorted set per topic
 * (one MULTI per raise), so merchants spread over many processes are counted together; an incident is
 * opened by a script that claims its topic, so two processes crossing the threshold at once open one.
 *
 * Keys (under the store's prefix): `incident:<id>` the record; `incidents` ids by detection time;
 * `incident-topic:<topic>` the open incident of a topic; `incident:<id>:joined` conversations by the time
 * they joined and `incident:<id>:states` their states; `incident-window:<topic>` recent raises.
 */
import type { Redis } from "ioredis";
import type { IncidentMember, IncidentRecord, MemberState } from "../domain/incident.js";
import { isOpen, newestIncidentFirst } from "../domain/incident.js";
import type { TopicId } from "../domain/intents.js";
import { maskCardNumbers, maskedJson } from "../domain/redact.js";
import {
  byJoined,
  type IncidentQuery,
  type IncidentStore,
  type MemberUpdate,
  type RaiseCount,
} from "./incidents.js";

// KEYS: topic claim, record, index. ARGV: id, record JSON, detection time (ms). Returns the open incident's id.
const OPEN = `
local current = redis.call("get", KEYS[1])
if current then return current end
redis.call("set", KEYS[1], ARGV[1])
redis.call("set", KEYS[2], ARGV[2])
redis.call("zadd", KEYS[3], ARGV[3], ARGV[1])
return ARGV[1]`;

// KEYS: record, topic claim. ARGV: id, record JSON, "1" when it stays open. Frees the topic when it ends.
const SAVE = `
redis.call("set", KEYS[1], ARGV[2])
if ARGV[3] ~= "1" and redis.call("get", KEYS[2]) == ARGV[1] then redis.call("del", KEYS[2]) end
return 1`;

export class RedisIncidents implements IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }

  async countRaise(
    topic: TopicId,
    conversationId: string,
    at: number,
    windowMs: number,
  ): Promise<RaiseCount> {
    const key = this.key("incident-window", topic);
    const results = await this.redis
      .multi()
      .zadd(key, at, conversationId)
      .zremrangebyscore(key, "-inf", at - windowMs)
      .zcard(key)
      .pexpire(key, windowMs)
      .get(this.key("incident-topic", topic))
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
    const count = Number(results?.[2]?.[1] ?? 0);
    const open = results?.[4]?.[1];
    return typeof open === "string" ? { count, open } : { count };
  }

  async raisedSince(topic: TopicId, since: number): Promise<IncidentMember[]> {
    const flat = await this.redis.zrangebyscore(
      this.key("incident-window", topic),
      `(${since}`,
      "+inf",
      "WITHSCORES",
    );
    const members: IncidentMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      members.push({
        conversationId: flat[i] as string,
        at: new Date(Number(flat[i + 1])).toISOString(),
        state: "raised",
      });
    }
    return members;
  }

  async clearRaises(topic: TopicId): Promise<void> {
    await this.redis.del(this.key("incident-window", topic));
  }

  async open(incident: IncidentRecord, members: IncidentMember[]): Promise<IncidentRecord> {
    const id = (await this.redis.eval(
      OPEN,
      3,
      this.key("incident-topic", incident.topic),
      this.key("incident", incident.id),
      this.key("incidents"),
      incident.id,
      maskedJson(incident),
      Date.parse(incident.detectedAt),
    )) as string;
    if (id !== incident.id) {
      const current = await this.get(id);
      if (current) return current;
      throw new Error(`incident ${id} claims topic ${incident.topic} but is missing`);
    }
    await this.updateMembers(members.map((member) => ({ incidentId: incident.id, member, mode: "add" })));
    return JSON.parse(maskedJson(incident)) as IncidentRecord;
  }

  async save(incident: IncidentRecord): Promise<void> {
    await this.redis.eval(
      SAVE,
      2,
      this.key("incident", incident.id),
      this.key("incident-topic", incident.topic),
      incident.id,
      maskedJson(incident),
      isOpen(incident) ? "1" : "0",
    );
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    const json = await this.redis.get(this.key("incident", id));
    return json === null ? undefined : (JSON.parse(json) as IncidentRecord);
  }

  async list(query: IncidentQuery = {}): Promise<IncidentRecord[]> {
    const ids = await this.redis.zrevrange(this.key("incidents"), 0, -1);
    if (ids.length === 0) return [];
    const records = await this.redis.mget(ids.map((id) => this.key("incident", id)));
    return records
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as IncidentRecord)
      .filter((r) => !query.open || isOpen(r))
      .sort(newestIncidentFirst);
  }

  async updateMembers(updates: MemberUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const multi = this.redis.multi();
    for (const { incidentId, member, mode } of updates) {
      const conversationId = maskCardNumbers(member.conversationId);
      // The time it joined is set once; the state is set once (`add`) or replaced (`set`).
      multi.zadd(this.key("incident", incidentId, "joined"), "NX", Date.parse(member.at), conversationId);
      if (mode === "add")
        multi.hsetnx(this.key("incident", incidentId, "states"), conversationId, member.state);
      else multi.hset(this.key("incident", incidentId, "states"), conversationId, member.state);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async members(id: string): Promise<IncidentMember[]> {
    const [joined, states] = await Promise.all([
      this.redis.zrange(this.key("incident", id, "joined"), 0, -1, "WITHSCORES"),
      this.redis.hgetall(this.key("incident", id, "states")),
    ]);
    const members: IncidentMember[] = [];
    for (let i = 0; i + 1 < joined.length; i += 2) {
      const conversationId = joined[i] as string;
      members.push({
        conversationId,
        at: new Date(Number(joined[i + 1])).toISOString(),
        state: (states[conversationId] ?? "raised") as MemberState,
      });
    }
    return members.sort(byJoined);
  }

  async lastRaised(id: string): Promise<string | undefined> {
    const last = await this.redis.zrange(this.key("incident", id, "joined"), -1, -1, "WITHSCORES");
    return last[1] === undefined ? undefined : new Date(Number(last[1])).toISOString();
  }
}
