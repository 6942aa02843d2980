/**
 * Pictures over HTTP, with the real server and the real OCR: `POST /api/chat` with an image, the answer's
 * `seen`, the redacted copy served to agents only, and the limits of the route that takes pictures.
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataUrl, screen } from "../support/pictures.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function chat(body: Record<string, unknown>) {
  const response = await server.call("/api/chat", { method: "POST", json: body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /api/chat with a picture", () => {
  it("answers from what the picture shows, and says what it saw", async () => {
    const image = dataUrl(await screen(["交易失败", "应答码：51", "余额不足"]));
    const { status, body } = await chat({ image });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      intent: "card_declined",
      flow: "card_declined",
      seen: { text: "交易失败\n应答码：51\n余额不足", responseCode: "51" },
    });
    expect((body.replies as string[])[0]).toContain("应答码：51");
  });

  it("takes text with the picture, in the same conversation", async () => {
    const first = await chat({ text: "此卡无法交易" });
    const image = dataUrl(await screen(["DECLINED", "RC:05"], "jpeg"), "image/jpeg");
    const { body } = await chat({ conversationId: first.body.conversationId, image, text: "this one" });
    expect(body).toMatchObject({ conversationId: first.body.conversationId, flow: "card_declined" });
    expect(body.seen).toMatchObject({ responseCode: "05" });
  });

  it("tells the merchant when the file is not a picture", async () => {
    const { status, body } = await chat({ image: dataUrl(Buffer.from("hello"), "image/png") });
    expect(status).toBe(200);
    expect((body.replies as string[])[0]).toMatch(/不是图片|isn't a picture/);
    expect(body.seen).toEqual({ text: "", responseCode: null });
  });

  it("tells the merchant when the picture is over 5 MB (within the route's larger body limit)", async () => {
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5.2 * 2 ** 20)]);
    const { status, body } = await chat({ image: dataUrl(big, "image/jpeg") });
    expect(status).toBe(200);
    expect((body.replies as string[])[0]).toMatch(/5 MB/);
  });

  it("refuses a body too large even for a picture with 413, and keeps serving", async () => {
    const huge = Buffer.alloc(8 * 2 ** 20, 1);
    const response = await server.call("/api/chat", { method: "POST", json: { image: dataUrl(huge) } });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "request body too large" });
    expect((await server.call("/healthz")).status).toBe(200);
  });

  it("keeps the small body limit for a message without a picture", async () => {
    const response = await server.call("/api/chat", { method: "POST", json: { text: "a".repeat(200_000) } });
    expect(response.status).toBe(413);
  });

  it.each([
    ["an image that is no data URL", { image: "https://example.com/x.png" }],
    ["neither text nor image", { locale: "en" }],
  ])("refuses %s with a JSON error", async (_what, body) => {
    const { status, body: json } = await chat(body);
    expect(status).toBe(400);
    expect(json.error).toMatch(/\w/);
  });
});

describe("the redacted copy, for agents", () => {
  it("is served with the agent token only, and linked from the transcript", async () => {
    const image = dataUrl(await screen(["交易失败", "应答码：05"]));
    const first = await chat({ image });
    const handoff = await chat({ conversationId: first.body.conversationId, text: "转人工" });
    const id = (handoff.body.handoff as { id: string }).id;
    const live = (await (await server.call(`/api/handoffs/${id}`, { agent: true })).json()) as {
      transcript: { from: string; picture?: string }[];
    };
    const picture = live.transcript.find((e) => e.picture)?.picture;
    expect(picture).toMatch(/\w/);

    expect((await server.call(`/api/pictures/${picture}`)).status).toBe(401);
    const served = await server.call(`/api/pictures/${picture}`, { agent: true });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("private, no-store");
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(meta.format).toBe("png");

    const missing = await server.call("/api/pictures/no-such-picture", { agent: true });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "no such picture" });
  });
});
