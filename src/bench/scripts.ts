/**
 * Scripted merchant conversations for the benchmarks, in both languages: most resolved by a flow, one
 * escalated to a person (which builds a HandoffSummary from the transcript).
 */
import { randomUUID } from "node:crypto";
import { maskCardNumbers } from "../domain/redact.js";

export interface Script {
  name: string;
  turns: readonly string[];
}

export const CONVERSATIONS: readonly Script[] = [
  { name: "card declined, code given, resolved (zh)", turns: ["此卡无法交易", "05", "好了", "谢谢"] },
  { name: "printer jam, resolved (zh)", turns: ["打印机不出纸", "1", "好了"] },
  { name: "card declined, resolved (en)", turns: ["card declined code 05", "it works now", "thanks"] },
  { name: "menu, then settlement questions (en)", turns: ["hello", "2", "Says approved", "T+1 (next day)"] },
  { name: "card declined, not fixed: handoff (zh)", turns: ["刷卡提示05", "还是不行"] },
];

/** A conversation that ends where it began (resolved, then goodbye), so a load test can repeat it. */
export const REPEATABLE: readonly string[] = ["此卡无法交易", "05", "好了", "谢谢"];

/**
 * A new random conversation id that posdesk accepts: a UUID, drawn again when its digits, read across the
 * dashes, pass for a card number (about 1 UUID in 370), which the engine refuses as an id.
 */
export function conversationId(): string {
  for (;;) {
    const id = randomUUID();
    if (maskCardNumbers(id) === id) return id;
  }
}
