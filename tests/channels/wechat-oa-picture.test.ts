/**
 * A merchant on the Official Account sends a photo of the terminal's screen: WeChat gives its MediaId, posdesk
 * fetches it from the media API, reads it by OCR, says what it saw and troubleshoots from there — in plain and
 * safe mode, against the local stand-in of WeChat's API.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screen } from "../support/pictures.js";
import { startTestServer, type TestServer } from "../support/server.js";
import {
  nextMsgId,
  STAND_IN_CREDENTIALS,
  startWechatApi,
  testAccount,
  type WechatApiStandIn,
} from "../support/wechat-oa.js";

const account = testAccount();

let api: WechatApiStandIn;
let server: TestServer;
beforeAll(async () => {
  api = await startWechatApi();
  api.media.set("screen-51", await screen(["交易失败", "应答码：51", "余额不足"]));
  server = await startTestServer({
    WECHAT_OA_TOKEN: account.keys.token,
    WECHAT_OA_APPID: account.keys.appId,
    WECHAT_OA_SECRET: STAND_IN_CREDENTIALS.secret,
    WECHAT_OA_AES_KEY: account.keys.aesKey,
    WECHAT_API_BASE: api.base,
    POSDESK_PICTURES: "on",
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await api?.close();
});

describe.each(["plain", "safe"] as const)(
  "a photo of the screen on the Official Account (%s mode)",
  (mode) => {
    it("is read, said back, and the card-declined advice for its code follows", async () => {
      const openid = `o-${randomUUID()}`;
      const { path, body } = account.post(
        {
          ToUserName: "gh_posdesk",
          FromUserName: openid,
          CreateTime: Math.floor(Date.now() / 1000),
          MsgType: "image",
          PicUrl: `${api.base}/gone.png`,
          MediaId: "screen-51",
          MsgId: nextMsgId(),
        },
        { mode },
      );
      const response = await server.call(path, {
        method: "POST",
        body,
        headers: { "Content-Type": "text/xml" },
      });
      expect(response.status).toBe(200);
      const answered = await response.text();
      // Within WeChat's 5 s the answer is passive; a slow first read (the model loading) goes out afterwards.
      const said =
        answered === "success"
          ? (await api.sentTo(openid, 1, 30_000)).map((m) => m.content).join("\n")
          : (account.read(answered, mode).Content ?? "");
      expect(said).toContain("51");
      expect(said).toContain("余额不足");
      const transcript = await server.switchboard.engine.store.transcript(`wechat-oa:${openid}`);
      expect(transcript.find((e) => e.from === "merchant")?.intent).toBe("card_declined");
    }, 60_000);
  },
);
