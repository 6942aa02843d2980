/**
 * Keeps a running engine's model in step with the training phrases: watches the intents folder (and its
 * locale folders), and when a file changes (debounced) retrains — or loads the cached model for those
 * phrases — and swaps it into the engine. Turns already in progress finish with the old model.
 */
import { existsSync, type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { Locale } from "./domain/intents.js";
import type { ConversationEngine } from "./engine/engine.js";
import { loadNlu } from "./nlu/model.js";
import { loadTrainingSet } from "./nlu/training.js";

export interface ReloadResult {
  changed: boolean;
  fingerprint: string;
  examples: number;
  fromCache: boolean;
  ms: number;
}

export interface ModelReloader {
  /** Retrains now if the phrases changed since the model in use was built. */
  reload(): Promise<ReloadResult>;
  close(): void;
}

export interface ModelReloaderOptions {
  engine: ConversationEngine;
  dir: string;
  logger?: Logger;
  debounceMs?: number;
  /** The fingerprint of the model the engine has now; unknown means "reload at the first change". */
  fingerprint?: string;
}

export function watchModel(options: ModelReloaderOptions): ModelReloader {
  const { engine, dir, logger } = options;
  let current = options.fingerprint;
  let queue: Promise<unknown> = Promise.resolve();

  const retrain = (): ReloadResult => {
    const started = performance.now();
    const set = loadTrainingSet(dir);
    const base = { fingerprint: set.fingerprint, examples: set.examples.length };
    if (set.fingerprint === current)
      return { changed: false, ...base, fromCache: true, ms: elapsed(started) };
    const { nlu, fromCache } = loadNlu({ set });
    engine.useModel(nlu);
    current = set.fingerprint;
    const result = { changed: true, ...base, fromCache, ms: elapsed(started) };
    logger?.info(result, "model reloaded");
    return result;
  };
  // One retraining at a time, in the order asked for.
  const reload = (): Promise<ReloadResult> => {
    const next = queue.then(retrain);
    queue = next.catch(() => undefined);
    return next;
  };

  let timer: NodeJS.Timeout | undefined;
  const changed = (_event: string, file: string | Buffer | null): void => {
    if (file !== null && !/\.ya?ml$/.test(String(file))) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reload().catch((error: unknown) => {
        // A file saved half-way, or invalid YAML: keep answering with the model we have.
        logger?.warn({ err: error, dir }, "model not reloaded");
      });
    }, options.debounceMs ?? 300);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const folder of [dir, ...Locale.options.map((l) => join(dir, l))]) {
    if (!existsSync(folder)) continue;
    try {
      const watcher = watch(folder, { persistent: false }, changed);
      watcher.on("error", (error) => logger?.warn({ err: error, folder }, "stopped watching"));
      watchers.push(watcher);
    } catch (error) {
      logger?.warn({ err: error, folder }, "cannot watch the intents folder; reload with the admin API");
    }
  }

  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
