/**
 * The reference of the HTTP measures: a trivial JSON server in a process of its own, node:http and nothing
 * else. `POST /api/chat` reads the body, parses the JSON and answers a JSON object of the same shape and
 * size as posdesk's reply to the same text (replies recorded from posdesk earlier in the same run), with the
 * request's conversation id; `GET /healthz` answers `{"status":"ok"}`. What any server on this machine
 * pays, at the least, to answer a chat turn over HTTP.
 *
 *   PORT=… HOST=127.0.0.1 node dist/src/bench/trivial-server.js REPLIES.json
 */
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";

const [file] = process.argv.slice(2);
if (!file) throw new Error("usage: trivial-server.js REPLIES.json");
const replies = new Map(Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, object>));
const fallback = replies.values().next().value ?? {};

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
  });
  res.end(json);
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") return send(res, 200, { status: "ok" });
  if (req.method !== "POST" || req.url !== "/api/chat") return send(res, 404, { error: "not found" });
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    let body: { conversationId?: unknown; text?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
    } catch {
      return send(res, 400, { error: "malformed JSON body" });
    }
    const reply = (typeof body.text === "string" ? replies.get(body.text) : undefined) ?? fallback;
    send(res, 200, { ...reply, conversationId: body.conversationId });
  });
});
// The same idle keep-alive time as posdesk's server (src/server.ts), so the same client sees the same closes.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
