/**
 * A real-format card number through the Bot Framework and WeChat channels into a SQLite file: what the
 * merchant gets back and what the file holds show only the masked form.
 */

import type { EventEmitter } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestAdapter } from "botbuilder";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { WechatyBuilder } from "wechaty";
import { mock, PuppetMock } from "wechaty-puppet-mock";
import { PosdeskBot } from "../../src/channels/botframework.js";
import { WechatChannel } from "../../src/channels/wechat.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import { Switchboard } from "../../src/switchboard.js";
import { engineFor } from "../support/conversation.js";

const PAN = "6222021234567894";
const MASKED = "622202******7894";
const dir = mkdtempSync(join(tmpdir(), "posdesk-channel-pan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileText(prefix: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => readFileSync(join(dir, f)).toString("utf8"))
    .join("");
}

describe("a card number sent through a channel", () => {
  it("comes back and is stored masked on Bot Framework", async () => {
    const store = new SqliteStore(join(dir, "bf.db"));
    const bot = new PosdeskBot(new Switchboard(engineFor(store)));
    const sent: string[] = [];
    const adapter = new TestAdapter(async (context) => {
      context.onSendActivities(async (_ctx, activities, next) => {
        sent.push(JSON.stringify(activities));
        return next();
      });
      await bot.run(context);
    });
    await adapter.send(`卡号 ${PAN} 刷卡提示05`).startTest();
    await adapter.send("转人工").startTest();
    await store.close();
    expect(sent.join("")).not.toContain(PAN);
    expect(sent.join("")).toContain(MASKED);
    expect(fileText("bf.db")).not.toContain(PAN);
    expect(fileText("bf.db")).toContain(MASKED);
  });

  it("comes back and is stored masked on WeChat", async () => {
    const store = new SqliteStore(join(dir, "wx.db"));
    const switchboard = new Switchboard(engineFor(store));
    const mocker = new mock.Mocker();
    const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }), name: `pan-${Date.now()}` });
    const channel = new WechatChannel(switchboard, { logger: pino({ level: "silent" }) });
    channel.attach(bot);
    switchboard.register(channel);
    await bot.start();
    const me = mocker.createContact({ name: "posdesk" });
    const merchant = mocker.createContact({ name: "商户" });
    mocker.login(me);
    const received: string[] = [];
    const answered = new Promise<void>((done) => {
      (merchant as unknown as EventEmitter).on("message", (message: mock.MessageMock) => {
        if (message.payload.talkerId !== me.id) return;
        received.push(message.text() ?? "");
        if (received.length >= 2) done();
      });
    });
    merchant.say(`卡号 ${PAN} 刷卡提示05`).to(me);
    await answered;
    await bot.stop();
    await store.close();
    expect(received.join("")).not.toContain(PAN);
    expect(fileText("wx.db")).not.toContain(PAN);
    expect(fileText("wx.db")).toContain(MASKED);
  });
});
