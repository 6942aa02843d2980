/**
 * The analytics page's words: the same keys in both languages, and a name for every state a flow's funnel
 * can show (every state that waits for the merchant, and every end).
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { LOCALES, section } from "../../src/i18n.js";

/** The keys of a nested object, as dotted paths. */
function keys(value: unknown, prefix = ""): string[] {
  if (!value || typeof value !== "object") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    keys(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** The states of a flow the funnel shows: those that wait for an answer, and the final ones. */
function funnelStates(flow: keyof typeof FLOWS): string[] {
  const states = FLOWS[flow].machine.config.states as Record<
    string,
    { on?: { ANSWER?: unknown }; type?: string }
  >;
  return Object.entries(states)
    .filter(([, s]) => s.on?.ANSWER !== undefined || s.type === "final")
    .map(([name]) => name);
}

describe("the analytics page's words", () => {
  it("has the same keys in Chinese and English", () => {
    expect(keys(section("en", "analytics")).sort()).toEqual(keys(section("zh-CN", "analytics")).sort());
  });

  it.each(LOCALES)("names every state of every flow's funnel in %s", (locale) => {
    const words = section(locale, "analytics") as { states: Record<string, Record<string, string>> };
    const missing: string[] = [];
    for (const flow of Object.keys(FLOWS) as (keyof typeof FLOWS)[])
      for (const state of funnelStates(flow))
        if (!words.states[flow]?.[state] && !words.states.common?.[state]) missing.push(`${flow}.${state}`);
    expect(missing).toEqual([]);
  });
});
