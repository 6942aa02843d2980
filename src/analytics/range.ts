/**
 * The range of a report as people write it: `from` and `to` as ISO dates or times, in a time zone. A date
 * alone is a whole day of the zone (`to=2026-11-30` includes the 30th); a time without an offset is the
 * zone's wall-clock time; a time with `Z` or an offset is that instant (`to` excluded). Without `to`, now;
 * without `from`, seven days before `to`.
 */
import { checkTimeZone, LocalClock, MAX_RANGE_DAYS, type ReportRange, ReportRangeError } from "./report.js";

const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_DAYS = 7;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface RangeQuery {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
}

export function parseRange(query: RangeQuery, now = Date.now(), defaultTz = "UTC"): ReportRange {
  const tz = checkTimeZone(query.tz?.trim() || defaultTz);
  const clock = new LocalClock(tz);
  const to = query.to === undefined ? now : instant("to", query.to, clock);
  const from =
    query.from === undefined ? to - DEFAULT_RANGE_DAYS * DAY_MS : instant("from", query.from, clock);
  if (!(from < to)) throw new ReportRangeError("from must be before to");
  if (to - from > MAX_RANGE_DAYS * DAY_MS)
    throw new ReportRangeError(`the range may cover at most ${MAX_RANGE_DAYS} days`);
  return { from, to, tz };
}

function instant(name: "from" | "to", value: string, clock: LocalClock): number {
  const m = ISO.exec(value.trim());
  if (!m)
    throw new ReportRangeError(
      `${name} must be an ISO date or time (2026-11-30, 2026-11-30T08:00:00Z), not ${JSON.stringify(value)}`,
    );
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  const parts = [y, mo, d, h ?? "0", mi ?? "0", s ?? "0", (ms ?? "0").padEnd(3, "0")].map(Number);
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0] = parts;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    throw new ReportRangeError(`${name} is not a real date or time: ${JSON.stringify(value)}`);
  // A date alone: its day starts `from`, and `to` takes the whole day in.
  const dateOnly = h === undefined;
  const wallClock = dateOnly && name === "to" ? wall + DAY_MS : wall;
  if (zone === undefined) return clock.instantOf(wallClock);
  if (zone === "Z") return wallClock;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  return wallClock - offset * 60_000;
}
