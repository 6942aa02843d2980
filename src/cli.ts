#!/usr/bin/env node
/**
 * `posdesk <command>`: classify and chat over standard input, read pictures of screens and slips, and read
 * handoffs and transcripts from the store. Standard output carries only data (JSON lines with --json);
 * logs go to standard error.
 */
import { createInterface } from "node:readline";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { createPosdesk } from "./app.js";
import { runEval } from "./commands/eval.js";
import { runFlows } from "./commands/flows.js";
import { runLearn } from "./commands/learn.js";
import { runRead } from "./commands/read.js";
import { runReport } from "./commands/report.js";
import { runSeedDemo } from "./commands/seed-demo.js";
import { UsageError } from "./commands/usage.js";
import type { HandoffRecord } from "./domain/handoff.js";
import { Locale } from "./domain/intents.js";
import { maskCardNumbers } from "./domain/redact.js";
import type { TurnResult } from "./engine/engine.js";
import { createLogger } from "./logger.js";
import { loadNlu } from "./nlu/model.js";

const USAGE = `usage: posdesk <command> [options]

  classify [--json]                      classify messages from stdin, one per line, as JSON lines
  read FILE... [--json]                  read pictures of terminal screens or slips (PNG, JPEG) by OCR,
                                         and classify what they show: one JSON line per file
  chat [--json] [--locale zh-CN|en] [--conversation ID] [--store PATH|URL]
                                         one conversation: each stdin line is a merchant turn
  handoffs [--json] [--all] [--store PATH|URL]
                                         open handoffs, newest first (--all: closed ones too)
  transcript ID [--json] [--store PATH|URL]
                                         a conversation's transcript (ID: conversation or handoff id)
  wechat [--store PATH|URL]              the bot on WeChat (Wechaty; puppet from WECHATY_PUPPET), until Ctrl-C
  eval [--json] [--folds K] [--peer]     cross-validation and test-file accuracy (--peer: NLP.js side by side)
  eval --dialogues [--json] [--stories DIR]
                                         play the conversation stories (tests/stories/*.yaml) through the bot
  learn [--json] [--store PATH|URL] [--accept ID…|--accept-all] [--reject ID…]
                                         messages the bot got wrong, labelled by agents; --accept adds them to intents/
  flows [--json]                         the troubleshooting flows: states, final states
  flows --mermaid [ID] [--markdown [--update FILE]]
                                         a flow's statechart (every flow's without ID) as Mermaid stateDiagram-v2
                                         text; --markdown as the README's section; --update writes it into FILE
  report [--from DATE|TIME] [--to DATE|TIME] [--tz ZONE] [--csv] [--store PATH|URL]
                                         the support lead's figures for a range (default: the last 7 days), as
                                         JSON, or CSV with --csv (one section per table)
  seed-demo [--conversations N] [--days D] [--seed S] [--tz ZONE] [--append] [--store PATH|URL]
                                         demo merchant traffic through the real engine (1,000 conversations over
                                         the last day by default), for the analytics page

environment: POSDESK_STORE (default ./data/posdesk.db), POSDESK_AGENT_LOCALE (zh-CN), LOG_LEVEL (warn)`;

async function* lines(): AsyncGenerator<string> {
  const input = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) yield line;
}

function write(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once("drain", resolve);
  });
}

/** Parses options; a bad option is a usage error (exit 2), not a crash. */
function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function classify(args: string[]): Promise<void> {
  parse(args, { json: { type: "boolean" } });
  const { nlu } = loadNlu();
  for await (const line of lines()) {
    if (!line.trim()) continue;
    try {
      const u = nlu.understand(line);
      const confidence = Math.round(u.confidence * 1000) / 1000;
      const locale = u.locale ?? "zh-CN";
      await write(
        JSON.stringify({ text: u.text, intent: u.intent, confidence, locale, entities: u.entities }),
      );
    } catch (error) {
      await write(JSON.stringify({ text: maskCardNumbers(line), error: (error as Error).message }));
    }
  }
}

function chatLine(result: TurnResult): string {
  const { conversationId, turn, intent, confidence, flow, state, replies, options, handoff } = result;
  return JSON.stringify({
    conversation: conversationId,
    turn,
    intent,
    confidence,
    flow,
    state,
    replies,
    options,
    handoff,
  });
}

function chatText(result: TurnResult): string {
  const options = result.options.map((o, i) => `  ${i + 1}. ${o}`);
  const handoff = result.handoff
    ? [`  [handoff ${result.handoff.id}: ${result.handoff.reason}, ${result.handoff.priority}]`]
    : [];
  return [...result.replies.map((r) => `bot: ${r}`), ...options, ...handoff].join("\n");
}

async function chat(args: string[]): Promise<void> {
  const { values } = parse(args, {
    json: { type: "boolean" },
    locale: { type: "string" },
    conversation: { type: "string" },
    store: { type: "string" },
  });
  const locale = values.locale === undefined ? undefined : Locale.safeParse(values.locale);
  if (locale && !locale.success) throw new UsageError(`--locale must be zh-CN or en, not ${values.locale}`);
  const logger = createLogger({ destination: "stderr", level: "warn" });
  const posdesk = await createPosdesk({
    ...(typeof values.store === "string" ? { store: values.store } : {}),
    logger,
  });
  let conversationId = typeof values.conversation === "string" ? values.conversation : undefined;
  try {
    for await (const text of lines()) {
      const result = await posdesk.engine.handle({
        text,
        channel: "cli",
        ...(conversationId ? { conversationId } : {}),
        ...(locale?.data ? { locale: locale.data } : {}),
      });
      conversationId = result.conversationId;
      await write(values.json ? chatLine(result) : chatText(result));
    }
  } finally {
    await posdesk.close();
  }
}

function handoffLine(h: HandoffRecord): string {
  const s = h.summary;
  return `${s.createdAt}  ${s.priority.padEnd(6)} ${h.status.padEnd(7)} ${s.reason.padEnd(14)} ${s.intent.padEnd(16)} ${s.id}  ${s.summary}`;
}

async function handoffs(args: string[]): Promise<void> {
  const { values } = parse(args, {
    json: { type: "boolean" },
    all: { type: "boolean" },
    store: { type: "string" },
  });
  const posdesk = await createPosdesk(typeof values.store === "string" ? { store: values.store } : {});
  try {
    const list = await posdesk.store.listHandoffs(values.all ? {} : { status: "active" });
    for (const h of list)
      await write(values.json ? JSON.stringify({ ...h.summary, status: h.status }) : handoffLine(h));
  } finally {
    await posdesk.close();
  }
}

async function transcript(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { json: { type: "boolean" }, store: { type: "string" } });
  const id = positionals[0];
  if (!id) throw new UsageError("transcript needs a conversation or handoff id");
  const posdesk = await createPosdesk(typeof values.store === "string" ? { store: values.store } : {});
  try {
    const conversationId = (await posdesk.store.getConversation(id))
      ? id
      : (await posdesk.store.getHandoff(id))?.summary.conversationId;
    if (!conversationId) throw new UsageError(`no conversation or handoff ${id}`);
    for (const entry of await posdesk.store.transcript(conversationId)) {
      await write(values.json ? JSON.stringify(entry) : `${entry.at}  ${entry.from.padEnd(8)} ${entry.text}`);
    }
  } finally {
    await posdesk.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  classify,
  chat,
  handoffs,
  transcript,
  // Wechaty (gRPC, protobuf: about 26 MB of heap) is loaded by the one command that needs it.
  wechat: async (args) => (await import("./channels/wechat-main.js")).runWechat(args),
  eval: runEval,
  learn: runLearn,
  read: (args) => runRead(args, write),
  flows: (args) => runFlows(args, write),
  report: (args) => runReport(args, write),
  "seed-demo": (args) => runSeedDemo(args, write),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`posdesk: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  try {
    await run(args);
    return 0;
  } catch (error) {
    process.stderr.write(`posdesk ${command}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
