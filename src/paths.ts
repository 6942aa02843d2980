/** Where the project's data folders are, whether running from `src/` (tests) or `dist/src/` (built). */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
/** The training phrases: `intents/`, or `POSDESK_INTENTS_DIR` (tests point it at a copy they may change). */
export function intentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.POSDESK_INTENTS_DIR ? resolve(env.POSDESK_INTENTS_DIR) : resolve(ROOT, "intents");
}
export const INTENTS_DIR = intentsDir();
export const LOCALES_DIR = resolve(ROOT, "locales");
