/**
 * Wechaty (with its gRPC and protobuf modules, a third of an idle server's heap) is loaded only where WeChat
 * runs: the server with WECHATY_PUPPET set, and `posdesk wechat`. Read from the built files, as node loads
 * them: what `import … from` reaches from the server and the CLI, and what they import when asked.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = join(import.meta.dirname, "../../dist/src");
const STATIC_IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*"([^"]+)"\s*\)/g;

/** Every built module the entry loads by static imports, and every package those import. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(join(DIST, entry));
  return { files, packages };
}

function dynamicImports(entry: string): string[] {
  const source = readFileSync(join(DIST, entry), "utf8");
  return [...source.matchAll(DYNAMIC_IMPORT)].map((match) => match[1] as string);
}

const reachesWechaty = (packages: Set<string>) => [...packages].filter((p) => p.startsWith("wechaty"));

describe("loading Wechaty", () => {
  it("is not part of the server's static imports", () => {
    expect(reachesWechaty(staticGraph("server.js").packages)).toEqual([]);
  });

  it("is not part of the CLI's static imports", () => {
    expect(reachesWechaty(staticGraph("cli.js").packages)).toEqual([]);
  });

  it("is what the server and the CLI import when WeChat is asked for", () => {
    expect(dynamicImports("server.js")).toContain("./channels/wechat-main.js");
    expect(dynamicImports("cli.js")).toContain("./channels/wechat-main.js");
    expect(reachesWechaty(staticGraph("channels/wechat-main.js").packages)).toContain("wechaty");
  });

  it("still serves `posdesk wechat`: its own usage error for an unknown option", () => {
    const run = spawnSync(process.execPath, [join(DIST, "cli.js"), "wechat", "--no-such-option"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("posdesk wechat");
    expect(run.stderr).toContain("--no-such-option");
  });
});
