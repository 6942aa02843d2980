/** Server-sent events: a stream the browser's EventSource reconnects to by itself. */
import type { Request, Response } from "express";

export function openEventStream(
  req: Request,
  res: Response,
  subscribe: (send: (data: unknown) => void) => () => void,
): void {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  res.write("retry: 2000\n\n");
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const unsubscribe = subscribe(send);
  // A comment every 20 s keeps proxies from closing an idle stream.
  const heartbeat = setInterval(() => res.write(": ping\n\n"), 20_000);
  req.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
