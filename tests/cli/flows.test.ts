/** `posdesk flows` as outside scripts run it: the built bin, a child process, data on standard output. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { flowMapsMarkdown, README_MARKERS, toMermaid } from "../../src/flowmap/mermaid.js";
import { walkFlow } from "../../src/flowmap/walk.js";

const BIN = join(import.meta.dirname, "../../dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "posdesk-flows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const posdesk = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("posdesk flows", () => {
  it("lists every flow with its states, one JSON line each with --json", () => {
    const run = posdesk("flows", "--json");
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(Object.keys(FLOWS));
    expect(lines[0]).toMatchObject({ id: "card_declined", initial: "triage" });
    expect(lines[0].final).toContain("escalateRisk");
  });

  it("prints one flow's statechart as Mermaid text with --mermaid ID", () => {
    const run = posdesk("flows", "--mermaid", "card_declined");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${toMermaid(walkFlow(FLOWS.card_declined.machine))}\n`);
  });

  it("prints every flow's statechart without an ID, each after a comment naming it", () => {
    const run = posdesk("flows", "--mermaid");
    expect(run.stdout.match(/^stateDiagram-v2$/gm)).toHaveLength(Object.keys(FLOWS).length);
    expect(run.stdout).toContain("%% refund_void\nstateDiagram-v2\n");
  });

  it("prints the README's section with --markdown", () => {
    const run = posdesk("flows", "--mermaid", "--markdown");
    expect(run.stdout).toBe(`${flowMapsMarkdown(Object.values(FLOWS))}\n`);
  });

  it("writes the section between the markers of a file with --update, and leaves the rest", () => {
    const file = join(dir, "README.md");
    writeFileSync(
      file,
      `# before\n\n${README_MARKERS.start}\nSTALE DIAGRAM\n${README_MARKERS.end}\n\n# after\n`,
    );
    const run = posdesk("flows", "--mermaid", "--markdown", "--update", file);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    const text = readFileSync(file, "utf8");
    expect(text).toContain(`${README_MARKERS.start}\n\n${flowMapsMarkdown(Object.values(FLOWS))}\n\n`);
    expect(text.startsWith("# before\n")).toBe(true);
    expect(text.endsWith(`${README_MARKERS.end}\n\n# after\n`)).toBe(true);
    expect(text).not.toContain("STALE DIAGRAM");
  });

  it("refuses an unknown flow, and a file without the markers, as usage errors (exit 2)", () => {
    expect(posdesk("flows", "--mermaid", "no_such_flow").status).toBe(2);
    const file = join(dir, "plain.md");
    writeFileSync(file, "# no markers\n");
    const run = posdesk("flows", "--mermaid", "--markdown", "--update", file);
    expect(run.status).toBe(2);
    expect(readFileSync(file, "utf8")).toBe("# no markers\n");
  });
});
