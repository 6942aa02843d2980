/**
 * A photo of a terminal screen showing a full card number, sent to a real server process (the built
 * server, its OCR worker, a SQLite file): the text kept is masked, the copy kept for agents has the number
 * painted over (read again by OCR, its digits are gone), and neither the full number nor the original
 * picture's bytes reach the database file, its write-ahead log, the logs or any response.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OcrPictureReader } from "../../src/vision/reader.js";
import { dataUrl, screen } from "../support/pictures.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";

const PAN = "6222021234567894";
const SHOWN = "6222 0212 3456 7894";
const MASKED = "622202******7894";
// The number however OCR spaced it: its digits in order, with at most a space or dash between them.
const FULL = new RegExp(PAN.split("").join("[ -]?"));

const dir = mkdtempSync(join(tmpdir(), "posdesk-picture-pan-"));
const dbFile = join(dir, "posdesk.db");
const responses: string[] = [];
let server: ServerProcess;
let original: Buffer;
let seen: { text: string; responseCode: string | null };
let kept: Buffer;
const walSnapshots: Buffer[] = [];

async function record(response: Response): Promise<string> {
  const text = await response.text();
  responses.push(text);
  return text;
}

beforeAll(async () => {
  original = await screen(["交易失败", `卡号 ${SHOWN}`, "应答码：51", "余额不足"]);
  server = await startServerProcess({ POSDESK_STORE: dbFile, LOG_LEVEL: "debug" });
  const turn = JSON.parse(
    await record(
      await fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ image: dataUrl(original) }),
      }),
    ),
  ) as { conversationId: string; seen: typeof seen };
  seen = turn.seen;
  const escalated = JSON.parse(
    await record(
      await fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ conversationId: turn.conversationId, text: "转人工" }),
      }),
    ),
  ) as { handoff: { id: string } };
  const live = JSON.parse(await record(await server.agent(`/api/handoffs/${escalated.handoff.id}`))) as {
    transcript: { picture?: string }[];
  };
  const pictureId = live.transcript.find((e) => e.picture)?.picture;
  kept = Buffer.from(await (await server.agent(`/api/pictures/${pictureId}`)).arrayBuffer());
  await record(await fetch(`${server.url}/api/chat/${turn.conversationId}/history`));
  if (existsSync(`${dbFile}-wal`)) walSnapshots.push(readFileSync(`${dbFile}-wal`));
  await server.kill("SIGTERM");
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a card number on a picture", () => {
  it("is read, and masked in what the merchant is told was seen", () => {
    expect(seen.text).toContain(MASKED);
    expect(seen.responseCode).toBe("51");
  });

  it("is painted over on the copy kept for agents: read again, its digits are gone", async () => {
    const reader = new OcrPictureReader();
    try {
      const again = await reader.read({ bytes: kept });
      expect(again.text).toContain("交易失败");
      expect(again.text).toContain("51");
      expect(again.text).not.toMatch(FULL);
      expect(again.text).not.toMatch(/3456|7894|6222/);
    } finally {
      await reader.close();
    }
  });

  it("never reaches a response, the logs, the database file or its log", () => {
    const everything = [
      ...responses,
      server.output(),
      readFileSync(dbFile).toString("latin1"),
      ...walSnapshots.map((wal) => wal.toString("latin1")),
      existsSync(`${dbFile}-wal`) ? readFileSync(`${dbFile}-wal`).toString("latin1") : "",
    ];
    for (const text of everything) expect(text).not.toMatch(FULL);
    expect(responses.join("\n")).toContain(MASKED);
  });

  it("leaves no trace of the original picture in the database", () => {
    // A run of the original PNG's compressed pixels: the kept copy is decoded, painted and encoded anew.
    const sample = original.subarray(original.length - 200, original.length - 100);
    const stored = [readFileSync(dbFile), ...walSnapshots];
    for (const bytes of stored) expect(bytes.includes(sample)).toBe(false);
  });
});
