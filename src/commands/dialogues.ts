/**
 * `posdesk eval --dialogues [--json] [--stories DIR]`: plays every conversation story (tests/stories/*.yaml
 * by default) through the real bot and reports per story pass or fail, and for a failure the turn where it
 * went wrong. Fails (exit 1) when any story does, so CI can run it as it is.
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../paths.js";
import { loadStories } from "../stories/load.js";
import { summarize, table } from "../stories/report.js";
import { type StoryResult, storyRunner } from "../stories/runner.js";
import { UsageError } from "./usage.js";

export const DIALOGUES_USAGE = "usage: posdesk eval --dialogues [--json] [--stories DIR]";
/** The stories kept with the code; found from the package root, whatever the working directory. */
export const STORIES_DIR = resolve(ROOT, "tests", "stories");

export async function runDialogues(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const files = loadStories(options.dir);
  const run = storyRunner();
  const results: StoryResult[] = [];
  for (const { file, stories } of files) for (const story of stories) results.push(await run(story, file));
  const report = summarize(results);
  const shown = relative(process.cwd(), options.dir) || ".";
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${table(report, shown)}\n`);
  // The report is on standard output; this line (standard error) and the exit code say it failed.
  if (report.failed > 0) throw new Error(`${report.failed} of ${report.stories} stories failed`);
}

function parseOptions(args: string[]): { json: boolean; dir: string } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: "boolean" }, stories: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return { json: values.json === true, dir: values.stories ? resolve(values.stories) : STORIES_DIR };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${DIALOGUES_USAGE}`);
  }
}
