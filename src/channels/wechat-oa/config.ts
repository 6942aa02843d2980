/**
 * The Official Account's settings, from the environment. The channel is on when `WECHAT_OA_TOKEN` is set;
 * what else is needed follows from what is set (safe mode needs the appid to check, the API the secret).
 */
import { z } from "zod";

export const DEFAULT_API_BASE = "https://api.weixin.qq.com";
/** WeChat waits 5 s for an answer; what is not ready by then goes out through the customer-service API. */
export const DEFAULT_REPLY_BUDGET_MS = 4000;

export interface WechatOaConfig {
  /** The Token of the account's server settings (服务器配置): signs every request. */
  token: string;
  appId?: string;
  /** The AppSecret: without it there is no access token, so only passive replies. */
  secret?: string;
  /** The 43-character EncodingAESKey, for safe (安全模式) and compatible mode. */
  aesKey?: string;
  apiBase: string;
  replyBudgetMs: number;
}

const Env = z
  .object({
    WECHAT_OA_TOKEN: z.string().trim().min(1),
    WECHAT_OA_APPID: z.string().trim().min(1).optional(),
    WECHAT_OA_SECRET: z.string().trim().min(1).optional(),
    WECHAT_OA_AES_KEY: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{43}$/, "must be the 43 letters and digits of the EncodingAESKey")
      .optional(),
    WECHAT_API_BASE: z.url().optional(),
    WECHAT_OA_REPLY_BUDGET_MS: z.coerce.number().int().min(0).max(4900).optional(),
  })
  .refine((env) => !env.WECHAT_OA_AES_KEY || env.WECHAT_OA_APPID, {
    message: "WECHAT_OA_APPID is needed with WECHAT_OA_AES_KEY (decrypted messages carry the appid to check)",
  })
  .refine((env) => !env.WECHAT_OA_SECRET || env.WECHAT_OA_APPID, {
    message: "WECHAT_OA_APPID is needed with WECHAT_OA_SECRET (the access token is asked for by appid)",
  });

/** The settings, or undefined when the channel is off (no token); a clear error when they do not fit. */
export function wechatOaConfig(env: Record<string, string | undefined>): WechatOaConfig | undefined {
  // An empty variable is as good as unset (a blank line in an env file).
  const set = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith("WECHAT") && value?.trim()),
  );
  if (!set.WECHAT_OA_TOKEN) return undefined;
  const parsed = Env.safeParse(set);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `WeChat Official Account settings: ${issue?.path.join(".") || ""} ${issue?.message ?? ""}`.trim(),
    );
  }
  const e = parsed.data;
  return {
    token: e.WECHAT_OA_TOKEN,
    ...(e.WECHAT_OA_APPID ? { appId: e.WECHAT_OA_APPID } : {}),
    ...(e.WECHAT_OA_SECRET ? { secret: e.WECHAT_OA_SECRET } : {}),
    ...(e.WECHAT_OA_AES_KEY ? { aesKey: e.WECHAT_OA_AES_KEY } : {}),
    apiBase: (e.WECHAT_API_BASE ?? DEFAULT_API_BASE).replace(/\/+$/, ""),
    replyBudgetMs: e.WECHAT_OA_REPLY_BUDGET_MS ?? DEFAULT_REPLY_BUDGET_MS,
  };
}
