/**
 * Reads story files: every `*.yaml` / `*.yml` of a folder, in name order, so adding a story file is all
 * it takes to add stories. A malformed file is refused with every problem named by file, story and turn.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type Story, StoryFile } from "./schema.js";

export interface LoadedFile {
  /** The file name, as reports show it. */
  file: string;
  stories: Story[];
}

export class StoryFormatError extends Error {
  override name = "StoryFormatError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

export function storyFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every story file of `dir`; throws a StoryFormatError naming every malformed story in any of them. */
export function loadStories(dir: string): LoadedFile[] {
  const loaded: LoadedFile[] = [];
  const problems: string[] = [];
  for (const path of storyFiles(dir)) {
    try {
      loaded.push(parseStoryFile(basename(path), readFileSync(path, "utf8")));
    } catch (error) {
      if (!(error instanceof StoryFormatError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new StoryFormatError(problems);
  return loaded;
}

export function parseStoryFile(file: string, source: string): LoadedFile {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) {
    throw new StoryFormatError(
      doc.errors.map((e) => `${file}: invalid YAML at line ${e.linePos?.[0].line ?? "?"}: ${firstLine(e)}`),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = StoryFile.safeParse(raw);
  if (!parsed.success) {
    throw new StoryFormatError(parsed.error.issues.map((issue) => `${file}: ${describe(issue, raw)}`));
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const story of parsed.data.stories) {
    if (seen.has(story.name)) duplicates.push(`${file}: story "${story.name}": the name is used twice`);
    seen.add(story.name);
  }
  if (duplicates.length > 0) throw new StoryFormatError(duplicates);
  return { file, stories: parsed.data.stories };
}

/** yaml's message without its own position and source excerpt: the line is given once, up front. */
function firstLine(error: Error): string {
  return (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:$/, "");
}

/** "story 3 "name", turn 2 (say "…"): replyKey: …" from a zod issue's path into the raw file. */
function describe(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = [...issue.path];
  const where: string[] = [];
  if (path[0] === "stories" && typeof path[1] === "number") {
    const story = at(raw, ["stories", path[1]]);
    const name = at(story, ["name"]);
    where.push(`story ${path[1] + 1}${typeof name === "string" ? ` "${name}"` : ""}`);
    if (path[2] === "turns" && typeof path[3] === "number") {
      const say = at(story, ["turns", path[3], "say"]);
      const closes = at(story, ["turns", path[3], "agentCloses"]);
      const what =
        typeof say === "string"
          ? ` (say "${say}")`
          : typeof closes === "string"
            ? ` (agentCloses ${closes})`
            : "";
      where.push(`turn ${path[3] + 1}${what}`);
      path.splice(0, 4);
    } else {
      path.splice(0, 2);
    }
  }
  const field = path.length > 0 ? `${path.join(".")}: ` : "";
  const prefix = where.length > 0 ? `${where.join(", ")}: ` : "";
  return `${prefix}${field}${message(issue)}`;
}

function message(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown ${issue.keys.length > 1 ? "keys" : "key"} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  if (issue.code === "invalid_union") {
    // An object that is nearly right: which of its fields is wrong says more than the list of allowed forms.
    const nested = issue.errors.flat().find((e) => e.path.length > 0);
    if (nested) return `${nested.path.join(".")}: ${nested.message}`;
  }
  return issue.message;
}

function at(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
