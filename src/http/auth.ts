/** The agent token: a bearer header (or `?token=` for EventSource, which cannot set headers), compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { NextFunction, Request, Response } from "express";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export function tokensMatch(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireAgent(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get("authorization") ?? "";
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const query = typeof req.query.token === "string" ? req.query.token : undefined;
    const given = bearer ?? query;
    if (given && tokensMatch(given, token)) {
      next();
      return;
    }
    res.status(401).set("WWW-Authenticate", "Bearer").json({ error: "agent token required" });
  };
}

/**
 * `AGENT_TOKEN` from the environment; otherwise the token saved beside the store at first start, or a new
 * one (saved, and reported to the caller so it can be printed once).
 */
export function resolveAgentToken(
  env: NodeJS.ProcessEnv,
  file: string,
): { token: string; generated: boolean } {
  if (env.AGENT_TOKEN) return { token: env.AGENT_TOKEN, generated: false };
  if (existsSync(file)) return { token: readFileSync(file, "utf8").trim(), generated: false };
  const token = randomBytes(24).toString("base64url");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true };
}
