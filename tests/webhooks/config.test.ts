/** Webhook settings from the environment, the back-off between attempts, and the signature helpers. */
import { describe, expect, it } from "vitest";
import {
  parseWebhookConfig,
  retryDelay,
  WEBHOOK_DEFAULTS,
  WebhookConfigError,
} from "../../src/webhooks/config.js";
import { uuidv7 } from "../../src/webhooks/ids.js";
import { sign, verifySignature } from "../../src/webhooks/signature.js";

const SECRET = "a-secret-of-sixteen+";
/** Far in the future, so no id made before in this process is later. */
const T = 4_102_444_800_000;
const URLS = "https://ops.example.com/hooks, http://10.0.0.5:8080/posdesk";

describe("the webhook settings", () => {
  it("are off when no URL is set", () => {
    expect(parseWebhookConfig({})).toBeUndefined();
    expect(
      parseWebhookConfig({ POSDESK_WEBHOOK_URLS: " , ", POSDESK_WEBHOOK_SECRET: SECRET }),
    ).toBeUndefined();
  });

  it("take comma-separated URLs and the defaults", () => {
    expect(parseWebhookConfig({ POSDESK_WEBHOOK_URLS: URLS, POSDESK_WEBHOOK_SECRET: SECRET })).toEqual({
      urls: ["https://ops.example.com/hooks", "http://10.0.0.5:8080/posdesk"],
      secret: SECRET,
      ...WEBHOOK_DEFAULTS,
    });
  });

  it("take the time-out, attempts, concurrency and first retry from the environment", () => {
    const config = parseWebhookConfig({
      POSDESK_WEBHOOK_URLS: URLS,
      POSDESK_WEBHOOK_SECRET: SECRET,
      POSDESK_WEBHOOK_TIMEOUT_MS: "2500",
      POSDESK_WEBHOOK_MAX_ATTEMPTS: "3",
      POSDESK_WEBHOOK_CONCURRENCY: "8",
      POSDESK_WEBHOOK_RETRY_MS: "1000",
    });
    expect(config).toMatchObject({ timeoutMs: 2500, maxAttempts: 3, concurrency: 8, retryMs: 1000 });
  });

  it("filter events by name or by family", () => {
    const config = parseWebhookConfig({
      POSDESK_WEBHOOK_URLS: URLS,
      POSDESK_WEBHOOK_SECRET: SECRET,
      POSDESK_WEBHOOK_EVENTS: "handoff.opened, incident.*",
    });
    expect([...(config?.events ?? [])].sort()).toEqual([
      "handoff.opened",
      "incident.closed",
      "incident.confirmed",
    ]);
  });

  it.each([
    ["no secret", { POSDESK_WEBHOOK_URLS: URLS }],
    ["a short secret", { POSDESK_WEBHOOK_URLS: URLS, POSDESK_WEBHOOK_SECRET: "short" }],
    [
      "a URL that is not one",
      { POSDESK_WEBHOOK_URLS: "ops.example.com/hooks", POSDESK_WEBHOOK_SECRET: SECRET },
    ],
    [
      "a URL not over http(s)",
      { POSDESK_WEBHOOK_URLS: "ftp://ops.example.com/", POSDESK_WEBHOOK_SECRET: SECRET },
    ],
    [
      "a URL with a password",
      { POSDESK_WEBHOOK_URLS: "https://u:p@ops.example.com/", POSDESK_WEBHOOK_SECRET: SECRET },
    ],
    [
      "an unknown event",
      { POSDESK_WEBHOOK_URLS: URLS, POSDESK_WEBHOOK_SECRET: SECRET, POSDESK_WEBHOOK_EVENTS: "handoff.eaten" },
    ],
    [
      "a time-out that is not a number",
      { POSDESK_WEBHOOK_URLS: URLS, POSDESK_WEBHOOK_SECRET: SECRET, POSDESK_WEBHOOK_TIMEOUT_MS: "5s" },
    ],
    [
      "no attempt at all",
      { POSDESK_WEBHOOK_URLS: URLS, POSDESK_WEBHOOK_SECRET: SECRET, POSDESK_WEBHOOK_MAX_ATTEMPTS: "0" },
    ],
  ])("refuse %s", (_what, env) => {
    expect(() => parseWebhookConfig(env)).toThrow(WebhookConfigError);
  });
});

describe("the wait between attempts", () => {
  const config = { retryMs: 1000, maxRetryMs: 60_000 };

  it("doubles with each failed attempt, from half to all of the back-off", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, config, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelay(n, config, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it("is spread at random inside that range (jitter)", () => {
    expect(retryDelay(3, config, () => 0.5)).toBe(3000);
  });

  it("stops growing at the cap", () => {
    expect(retryDelay(30, config, () => 1)).toBe(60_000);
  });
});

describe("a signature", () => {
  const body = '{"id":"e1","type":"incident.closed"}';
  const now = 1_764_500_000_000;
  const timestamp = String(now / 1000);

  it("is HMAC-SHA256 over timestamp, a dot and the body, in hex", () => {
    // Computed independently: printf '%s' '1764500000.{"id":"e1","type":"incident.closed"}' | openssl dgst -sha256 -hmac a-secret-of-sixteen+
    expect(sign(SECRET, timestamp, body)).toBe(
      "sha256=1696c5ab3364a1330aa45904527e28e4c8a1a531dfab96bbdce1e8f2bbc73056",
    );
  });

  it("verifies for the same secret, body and a recent timestamp", () => {
    const signature = sign(SECRET, timestamp, body);
    expect(verifySignature({ secret: SECRET, body, timestamp, signature, now })).toBe(true);
  });

  it.each([
    ["another body", { body: `${body} ` }],
    ["another secret", { secret: `${SECRET}!` }],
    ["a timestamp older than five minutes", { now: now + 301_000 }],
    ["no timestamp", { timestamp: undefined }],
  ])("does not verify with %s", (_what, change) => {
    const signature = sign(SECRET, timestamp, body);
    expect(verifySignature({ secret: SECRET, body, timestamp, signature, now, ...change })).toBe(false);
  });
});

describe("delivery ids", () => {
  it("are version-7 UUIDs, each made later sorting later, also within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(T));
    expect(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    ).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidv7(T + 60_000) > (ids.at(-1) ?? "")).toBe(true);
  });

  it("begin with the time they were made", () => {
    expect(
      uuidv7(T + 3_600_000)
        .replace("-", "")
        .slice(0, 12),
    ).toBe((T + 3_600_000).toString(16).padStart(12, "0"));
  });
});
