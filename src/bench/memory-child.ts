/**
 * posdesk's server for the memory measure: the same `startServer` as `npm start`, in a process run with
 * `--expose-gc` (bench only), driven over IPC: "measure" collects garbage and answers with
 * process.memoryUsage(); "stop" closes the server and exits.
 */
import { startServer } from "../server.js";

const collect = (globalThis as { gc?: () => void }).gc;
const server = await startServer({ port: 0, host: "127.0.0.1" });
process.send?.({ url: server.url });
process.on("message", (message) => {
  if (message === "measure") {
    // Twice: the first pass may leave what only became garbage through finalisers.
    collect?.();
    collect?.();
    process.send?.({ memory: process.memoryUsage(), collected: collect !== undefined });
  } else if (message === "stop") {
    void server.close().then(() => process.exit(0));
  }
});
