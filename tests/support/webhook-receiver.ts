/**
 * A webhook receiver on 127.0.0.1 and a free port (node:http), as a merchant acquirer's system would run
 * one: it checks each request's signature by the README's recipe, written here with node:crypto alone (not
 * posdesk's code), and answers as the test says — a status, or a request held open until released.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface Received {
  event: string | undefined;
  delivery: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  contentType: string | undefined;
  body: string;
  /** The parsed body: `{ id, type, createdAt, data }`. */
  payload: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
  /** The signature matches the body and timestamp under the receiver's secret. */
  verified: boolean;
  /** posdesk closed the request before the receiver answered (it timed out). */
  abandoned: boolean;
  /** The receiver answered (any status). */
  answered: boolean;
}

/** How to answer a request: a status now, or later (a promise), or never (`"hang"`: until posdesk gives up). */
export type Answer = number | "hang" | Promise<number>;

export interface Receiver {
  url: string;
  /** Every request, in the order they came. */
  readonly requests: Received[];
  /** Requests answered 2xx, in order. */
  readonly delivered: Received[];
  /** Sets how each request is answered; `n` counts requests from 1. Default: 200. */
  answer(rule: (request: Received, n: number) => Answer): void;
  /** Resolves once `count` requests have come. */
  requestCount(count: number): Promise<void>;
  /** Resolves once `count` requests have been answered 2xx. */
  deliveredCount(count: number): Promise<void>;
  close(): Promise<void>;
}

/** The README's verification recipe: HMAC-SHA256(secret, timestamp + "." + raw body), hex, as `sha256=…`. */
export function verify(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signature?: string,
): boolean {
  if (!timestamp || !signature) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  return (
    age <= 300 &&
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const requests: Received[] = [];
  const delivered: Received[] = [];
  const waiters: { check: () => boolean; done: () => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters])
      if (waiter.check()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done();
      }
  };
  const until = (check: () => boolean) =>
    new Promise<void>((done) => {
      waiters.push({ check, done });
      settle();
    });
  let rule: (request: Received, n: number) => Answer = () => 200;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const timestamp = header(req, "X-Posdesk-Timestamp");
      const signature = header(req, "X-Posdesk-Signature");
      const received: Received = {
        event: header(req, "X-Posdesk-Event"),
        delivery: header(req, "X-Posdesk-Delivery"),
        timestamp,
        signature,
        contentType: header(req, "Content-Type"),
        body,
        payload: JSON.parse(body) as Received["payload"],
        verified: verify(secret, timestamp, body, signature),
        abandoned: false,
        answered: false,
      };
      requests.push(received);
      res.on("close", () => {
        if (!res.writableFinished) received.abandoned = true;
        settle();
      });
      const send = (status: number) => {
        if (res.destroyed) return;
        received.answered = true;
        if (status >= 200 && status < 300) delivered.push(received);
        res.writeHead(status, { "Content-Type": "text/plain" }).end(String(status));
        settle();
      };
      const answer = rule(received, requests.length);
      settle();
      if (answer === "hang") return;
      if (typeof answer === "number") send(answer);
      else void answer.then(send);
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/posdesk`,
    requests,
    delivered,
    answer(next) {
      rule = next;
    },
    requestCount: (count) => until(() => requests.length >= count),
    deliveredCount: (count) => until(() => delivered.length >= count),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
