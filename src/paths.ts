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
export const INTENTS_DIR = resolve(ROOT, "intents");
export const LOCALES_DIR = resolve(ROOT, "locales");
