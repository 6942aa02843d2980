/**
 * The facts an incident's conversations share: for each fact the flows learnt (response code, connection,
 * entry mode, card type…), its most common value, when at least half of the conversations hold it. Facts
 * that identify one merchant or one sale (serial, phone, card, amount, day) are never shared.
 */
import type { Facts, FactValue } from "../domain/dialogue.js";

const PERSONAL: ReadonlySet<string> = new Set([
  "terminalSerial",
  "serialUnknown",
  "phone",
  "maskedPan",
  "amount",
  "amountUnknown",
  "saleDate",
]);

export interface SharedFact {
  value: FactValue;
  /** How many of the conversations hold it. */
  count: number;
}

export function sharedFacts(conversations: Facts[]): Record<string, SharedFact> {
  const tallies = new Map<string, Map<string, SharedFact>>();
  for (const facts of conversations) {
    for (const [fact, value] of Object.entries(facts)) {
      if (PERSONAL.has(fact)) continue;
      let values = tallies.get(fact);
      if (!values) {
        values = new Map();
        tallies.set(fact, values);
      }
      const key = `${typeof value}:${String(value)}`;
      const tally = values.get(key) ?? { value, count: 0 };
      tally.count += 1;
      values.set(key, tally);
    }
  }
  const shared: Record<string, SharedFact> = {};
  for (const [fact, values] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const best = [...values.values()].sort(
      (a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)),
    )[0];
    if (best && best.count * 2 >= conversations.length) shared[fact] = best;
  }
  return shared;
}
