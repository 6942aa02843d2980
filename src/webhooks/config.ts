/**
 * Webhook settings from the environment. No `POSDESK_WEBHOOK_URLS`, no webhooks. Anything malformed stops
 * the start (as a mistyped widget origin does): a webhook that silently never fires is worse than an error.
 */
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events.js";

export interface WebhookConfig {
  urls: string[];
  secret: string;
  /** The events sent; every event when absent. */
  events?: ReadonlySet<WebhookEventType>;
  /** How long one request may take before it counts as failed (and is retried). */
  timeoutMs: number;
  /** Attempts in all, the first included; then the delivery is dead-lettered. */
  maxAttempts: number;
  /** Requests in flight at once, from this process. */
  concurrency: number;
  /** The wait before the first retry; it doubles with each attempt (with jitter), up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

export const WEBHOOK_DEFAULTS = {
  timeoutMs: 5_000,
  maxAttempts: 12,
  concurrency: 4,
  retryMs: 5_000,
  maxRetryMs: 3_600_000,
} as const;

/** A secret shorter than this is refused: it signs what reaches outside systems. */
export const MIN_SECRET_LENGTH = 16;

export class WebhookConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new WebhookConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
}

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookConfigError(`POSDESK_WEBHOOK_URLS: "${raw}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new WebhookConfigError(`POSDESK_WEBHOOK_URLS: "${raw}" is not http(s)`);
  // fetch refuses URLs with credentials; the receiver authenticates posdesk by the signature instead.
  if (url.username || url.password)
    throw new WebhookConfigError(`POSDESK_WEBHOOK_URLS: a URL must not hold a user name or password`);
  return url.href;
}

/** `handoff.opened,incident.*`: event types, or a family with `.*`; `*` is every event. */
function parseEvents(raw: string): ReadonlySet<WebhookEventType> | undefined {
  const chosen = new Set<WebhookEventType>();
  for (const name of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (name === "*") return undefined;
    const matching = name.endsWith(".*")
      ? WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith(name.slice(0, -1)))
      : WEBHOOK_EVENT_TYPES.filter((type) => type === name);
    if (matching.length === 0)
      throw new WebhookConfigError(
        `POSDESK_WEBHOOK_EVENTS: unknown event "${name}" (events: ${WEBHOOK_EVENT_TYPES.join(", ")})`,
      );
    for (const type of matching) chosen.add(type);
  }
  if (chosen.size === 0) throw new WebhookConfigError("POSDESK_WEBHOOK_EVENTS names no event");
  return chosen;
}

export function parseWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig | undefined {
  const urls = (env.POSDESK_WEBHOOK_URLS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseUrl);
  if (urls.length === 0) return undefined;
  const secret = env.POSDESK_WEBHOOK_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH)
    throw new WebhookConfigError(
      `POSDESK_WEBHOOK_SECRET must be set, at least ${MIN_SECRET_LENGTH} characters, with POSDESK_WEBHOOK_URLS`,
    );
  const events = env.POSDESK_WEBHOOK_EVENTS?.trim() ? parseEvents(env.POSDESK_WEBHOOK_EVENTS) : undefined;
  const retryMs = integer(env, "POSDESK_WEBHOOK_RETRY_MS", WEBHOOK_DEFAULTS.retryMs, 1, 86_400_000);
  return {
    urls: [...new Set(urls)],
    secret,
    ...(events ? { events } : {}),
    timeoutMs: integer(env, "POSDESK_WEBHOOK_TIMEOUT_MS", WEBHOOK_DEFAULTS.timeoutMs, 100, 120_000),
    maxAttempts: integer(env, "POSDESK_WEBHOOK_MAX_ATTEMPTS", WEBHOOK_DEFAULTS.maxAttempts, 1, 100),
    concurrency: integer(env, "POSDESK_WEBHOOK_CONCURRENCY", WEBHOOK_DEFAULTS.concurrency, 1, 64),
    retryMs,
    maxRetryMs: Math.max(retryMs, WEBHOOK_DEFAULTS.maxRetryMs),
  };
}

/** The wait before retrying after `attempts` failed attempts: doubling, capped, with "equal jitter". */
export function retryDelay(
  attempts: number,
  config: Pick<WebhookConfig, "retryMs" | "maxRetryMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(config.maxRetryMs, config.retryMs * 2 ** Math.max(0, attempts - 1));
  // Half fixed, half random: never sooner than half the back-off, and processes retrying together spread out.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
