import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOnlyPng, screen } from "../support/pictures.js";

// `posdesk read` as outside scripts run it: the built bin, files in, one JSON line per file out.
const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "posdesk-read-"));
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  writeFileSync(file("declined.png"), await screen(["交易失败", "应答码：51", "余额不足"]));
  writeFileSync(file("pan.jpg"), await screen(["DECLINED", "CARD 6222 0212 3456 7894", "RC:05"], "jpeg"));
  writeFileSync(file("notes.txt"), "交易失败 51");
  writeFileSync(file("bomb.png"), headerOnlyPng(20_000, 20_000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(files: string[]) {
  const run = spawnSync(process.execPath, [BIN, "read", ...files, "--json"], { encoding: "utf8" });
  const lines = run.stdout.split("\n").filter(Boolean);
  return { ...run, json: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("posdesk read", () => {
  it("writes one JSON line per picture, as classify does, and goes on past files it cannot read", () => {
    const run = read([
      file("declined.png"),
      file("notes.txt"),
      file("missing.png"),
      file("bomb.png"),
      file("pan.jpg"),
    ]);
    expect(run.status).toBe(0);
    expect(run.json).toHaveLength(5);
    expect(run.json[0]).toEqual({
      file: file("declined.png"),
      text: "交易失败\n应答码：51\n余额不足",
      intent: "card_declined",
      confidence: expect.any(Number),
      locale: "zh-CN",
      entities: { responseCode: "51" },
    });
    expect(run.json[1]).toEqual({ file: file("notes.txt"), error: "not a PNG or JPEG picture" });
    expect(run.json[2]).toEqual({ file: file("missing.png"), error: "no such file" });
    expect(run.json[3]).toEqual({ file: file("bomb.png"), error: "more than 40 megapixels" });
    expect(run.json[4]).toMatchObject({
      intent: "card_declined",
      locale: "en",
      entities: { responseCode: "05" },
    });
  });

  it("masks a card number read from a picture", () => {
    const run = read([file("pan.jpg")]);
    expect(run.json[0]?.text).toContain("622202******7894");
    expect(run.stdout).not.toMatch(/6222[ -]?0212[ -]?3456[ -]?7894/);
  });

  it("needs a file: a usage error otherwise", () => {
    const run = spawnSync(process.execPath, [BIN, "read"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("read needs at least one picture");
  });
});
