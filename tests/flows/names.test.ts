/**
 * Everything a flow can record — a fact learnt, a step tried — has a name in every locale, so the agent
 * console and the handoff summary never show an agent a bare key ("tell_customer_use_another_card").
 */
import { describe, expect, it } from "vitest";
import { FLOWS } from "../../flows/index.js";
import { factKeys, factLabel, named, stepKey } from "../../src/engine/summary.js";
import { walkFlow } from "../../src/flowmap/walk.js";
import { has, LOCALES } from "../../src/i18n.js";
import { Entities } from "../../src/nlu/entities.js";
import { explore } from "../support/explore.js";

/** What the definition names outright: facts and steps in the fixed params of its actions. */
function declared(flow: (typeof FLOWS)[keyof typeof FLOWS]): { facts: Set<string>; steps: Set<string> } {
  const graph = walkFlow(flow.machine);
  const actions = [...graph.states.flatMap((s) => s.entry), ...graph.transitions.flatMap((t) => t.actions)];
  const facts = new Set<string>();
  const steps = new Set<string>();
  for (const { type, params } of actions) {
    if (typeof params?.fact === "string") facts.add(params.fact);
    if (type === "recordStep" && typeof params?.step === "string") steps.add(params.step);
  }
  return { facts, steps };
}

const flows = Object.values(FLOWS);

describe("names of what the flows record", () => {
  it.each(flows.map((f) => [f.id, f] as const))(
    "%s: every fact and step it can record has a name in zh-CN and en",
    (_id, flow) => {
      const played = explore(flow.machine);
      const fixed = declared(flow);
      // A flow starts with the entities of the message that raised the problem.
      const facts = new Set([...Entities.keyof().options, ...played.facts, ...fixed.facts]);
      const steps = new Set([...played.steps, ...fixed.steps]);
      const missing: string[] = [];
      for (const locale of LOCALES) {
        for (const fact of facts)
          if (!factKeys(flow.id, fact).some((key) => has(locale, key)))
            missing.push(`${locale} fact ${fact}`);
        for (const step of steps)
          if (!has(locale, stepKey(flow.id, step))) missing.push(`${locale} step ${step}`);
      }
      expect(missing).toEqual([]);
    },
  );

  it("finds what only shows when the flow runs: steps chosen by the code, facts read from the words", () => {
    const played = explore(FLOWS.refund_void.machine);
    expect(played.steps).toContain("match_original_amount");
    expect(played.facts).toContain("saleDay");
    expect(declared(FLOWS.refund_void).steps).not.toContain("match_original_amount");
  });

  it("names facts and steps in the agent's language", () => {
    const input = {
      flow: "card_declined",
      facts: { responseCode: "51" },
      stepsTried: [{ step: "tell_customer_use_another_card", result: "not_fixed" }],
    };
    expect(named("zh-CN", input)).toEqual({
      facts: [{ fact: "responseCode", value: "51", name: "返回码", valueName: "51" }],
      steps: [
        {
          step: "tell_customer_use_another_card",
          result: "not_fixed",
          name: "已建议顾客换卡或联系发卡行",
          resultName: "未解决",
        },
      ],
    });
    expect(named("en", input).facts[0]?.name).toBe("Response code");
    expect(named("en", input).steps[0]?.resultName).toBe("not fixed");
  });

  it("names a value from the flow's quick replies", () => {
    const input = { flow: "card_declined", facts: { scope: "all_cards" }, stepsTried: [] };
    expect(named("en", input).facts[0]).toMatchObject({
      name: "cards affected",
      valueName: "All cards fail",
    });
  });

  it("keeps a key no locale names as it is rather than failing", () => {
    expect(factLabel("en", "card_declined", "somethingNew")).toBe("somethingNew");
  });
});
