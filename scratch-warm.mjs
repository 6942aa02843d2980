import autocannon from "autocannon";
import { conversationId, REPEATABLE } from "./dist/src/bench/scripts.js";

const setupRequest = (request, context) => {
  context.conversationId ??= conversationId();
  const turn = Number(context.turn ?? 0);
  context.turn = turn + 1;
  return {
    ...request,
    body: JSON.stringify({
      conversationId: context.conversationId,
      text: REPEATABLE[turn % REPEATABLE.length],
    }),
  };
};
const requests = Array.from({ length: 500 }, () => ({
  method: "POST",
  path: "/api/chat",
  headers: { "content-type": "application/json" },
  setupRequest,
}));
const r = await autocannon({ url: process.argv[2], connections: 100, duration: 3, timeout: 30, requests });
console.log("warm-up turns", r["2xx"]);
