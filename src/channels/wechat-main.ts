/**
 * `posdesk wechat`: the bot on a WeChat account through Wechaty. The puppet comes from the environment
 * (WECHATY_PUPPET, WECHATY_PUPPET_SERVICE_TOKEN); the login QR code's URL goes to standard output, logs to
 * standard error. Runs until SIGINT or SIGTERM. With a Redis store, agents' replies sent from another
 * process (the agent console of `npm start`) reach WeChat merchants through this one.
 */
import { parseArgs } from "node:util";
import { types, WechatyBuilder } from "wechaty";
import { createPosdesk } from "../app.js";
import { UsageError } from "../commands/usage.js";
import { createLogger, type Logger } from "../logger.js";
import { Switchboard } from "../switchboard.js";
import { parseWebhookConfig } from "../webhooks/index.js";
import { qrcodeUrl, WechatChannel } from "./wechat.js";

/** Scan states in which there is a code to show (not yet scanned, or a new one after a timeout). */
const SHOW_QRCODE: ReadonlySet<types.ScanStatus> = new Set([
  types.ScanStatus.Waiting,
  types.ScanStatus.Timeout,
]);

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Wechaty on the switchboard: the channel registered, deliveries from other processes served, QR codes printed. */
export async function startWechat(
  switchboard: Switchboard,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const bot = WechatyBuilder.build({ name: "posdesk" });
  const channel = new WechatChannel(switchboard, { logger });
  channel.attach(bot);
  switchboard.register(channel);
  const unsubscribe = switchboard.serveDeliveries(channel);
  bot.on("scan", (qrcode, status) => {
    if (SHOW_QRCODE.has(status)) process.stdout.write(`WeChat login: ${qrcodeUrl(qrcode)}\n`);
  });
  await bot.start();
  return {
    async stop() {
      unsubscribe();
      await bot.stop().catch((error: unknown) => logger.error({ err: error }, "wechat: stop failed"));
    },
  };
}

function parseWechatArgs(args: string[]): { store?: string } {
  try {
    return parseArgs({ args, options: { store: { type: "string" } }, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function runWechat(args: string[]): Promise<void> {
  const values = parseWechatArgs(args);
  const logger = createLogger({ destination: "stderr" });
  // Handoffs opened from WeChat are webhook events too; with a shared store, any process may send them.
  const webhooks = parseWebhookConfig(process.env);
  const posdesk = await createPosdesk({
    ...(values.store ? { store: values.store } : {}),
    logger,
    pictures: process.env.POSDESK_PICTURES !== "off",
    ...(webhooks ? { webhooks } : {}),
  });
  const switchboard = new Switchboard(posdesk.engine, posdesk.hub, undefined, posdesk.webhooks);
  try {
    const wechat = await startWechat(switchboard, logger);
    logger.info({ signal: await untilSignal() }, "wechat: stopping");
    await wechat.stop();
  } finally {
    await posdesk.close();
  }
}
