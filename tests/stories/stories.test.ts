/**
 * Every conversation story in tests/stories/*.yaml, each its own test named by its file and story: a story
 * that fails shows the turn, what it expected and what the bot did.
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { loadStories } from "../../src/stories/load.js";
import { formatFailure } from "../../src/stories/report.js";
import { storyRunner } from "../../src/stories/runner.js";
import { nlu } from "../support/conversation.js";

const files = loadStories(import.meta.dirname);
const run = storyRunner({ nlu });

describe.each(files)("$file", ({ file, stories }) => {
  it.each(stories.map((story) => ({ story, title: `[${story.locale}] ${story.name}` })))(
    "$title",
    async ({ story }) => {
      const result = await run(story, file);
      // The failure's own report is the message: which turn, what was expected, what came.
      expect(result.passed, result.passed ? "" : formatFailure(result)).toBe(true);
    },
  );
});

// Adding a flow without stories, or stories in one language only, should not go unnoticed.
it("has a story file per flow, with stories in both languages", () => {
  for (const flow of Object.keys(FLOWS)) {
    const file = files.find((f) => f.file === `${flow}.yaml`);
    expect(file, `tests/stories/${flow}.yaml`).toBeDefined();
    expect(new Set(file?.stories.map((s) => s.locale)), flow).toEqual(new Set(["zh-CN", "en"]));
  }
});
