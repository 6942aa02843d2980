/** The requests a server is answering, which a graceful stop waits for (src/server.ts). */
import type { ServerResponse } from "node:http";

export interface InFlight {
  /** A request has started: counted until its response closes. */
  enter(res: ServerResponse): void;
  /** The response is an event stream, which never ends by itself: not counted any more. */
  leave(res: ServerResponse): void;
}

/** Counts in `counter` (nothing without one). */
export function inFlightCounter(counter: { count: number } | undefined): InFlight {
  const open = new WeakSet<ServerResponse>();
  const leave = (res: ServerResponse) => {
    if (counter && open.delete(res)) counter.count--;
  };
  return {
    enter(res: ServerResponse) {
      if (!counter) return;
      counter.count++;
      open.add(res);
      res.once("close", () => leave(res));
    },
    leave,
  };
}
