/**
 * How far the server's heap may grow past what a full garbage collection left alive before the next full
 * collection starts: V8's `--heap-growing-percent`, set by `npm start` for itself.
 *
 * A busy server promotes the objects of the turns in flight when a young-generation collection comes (about
 * 7 MB a second at 1,000 turns a second). With V8's own growth (the old generation allowed about 1.5–2× its
 * live size), that is a full collection every four or five seconds, each stopping the event loop for 4–22 ms:
 * every request arriving meanwhile waits, and those waits are the slowest of the paced load. Let grow to four
 * times the live size (300 %), it is one every 50 s or so, for a heap of 115–180 MB under that load instead
 * of 50–120. POSDESK_HEAP_GROWTH_PERCENT changes it; 0 leaves V8's own.
 */
import { setFlagsFromString } from "node:v8";

export const DEFAULT_HEAP_GROWTH_PERCENT = 300;

/** POSDESK_HEAP_GROWTH_PERCENT: a whole number from 0 (V8's own growth) to 1,000; 300 when unset. */
export function heapGrowthPercent(env: NodeJS.ProcessEnv): number {
  const value = env.POSDESK_HEAP_GROWTH_PERCENT?.trim();
  if (!value) return DEFAULT_HEAP_GROWTH_PERCENT;
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) > 1000)
    throw new Error(
      `POSDESK_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000 (0: V8's own growth; got "${value}")`,
    );
  return Number(value);
}

/**
 * Sets the growth for this process from now on (V8 reads it each time a full collection sets the next
 * limit). 0 changes nothing.
 */
export function useHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
