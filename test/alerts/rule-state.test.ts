// The evaluator's memory: counts in a sliding span firing once per window, first uses, any match.

import { describe, expect, it } from "vitest";
import type { AlertRule } from "../../src/alerts/alert-rule.js";
import { RuleState } from "../../src/alerts/rule-state.js";
import type { DecisionRecord } from "../../src/decisions/decision-record.js";

const MINUTE = 60_000;
const T0 = Date.parse("2030-01-01T00:00:00.000Z");

let next = 0;
/** decision is a check of agent (acting for alice) at T0 + atMs, denied unless said. */
function decision(
  agent: string,
  atMs: number,
  fields: Partial<DecisionRecord> = {},
): DecisionRecord {
  next++;
  return {
    decisionId: `0190f5a2-7c3e-7d41-9a2b-${String(next).padStart(12, "0")}`,
    time: new Date(T0 + atMs).toISOString(),
    kind: "check",
    subject: "user:alice",
    actors: [agent],
    resource: "document:plan",
    permission: "view",
    result: "denied",
    token: "lt1_x",
    revision: 1,
    schemaRevision: 1,
    cached: false,
    latencyUs: 1,
    masked: [],
    ...fields,
  };
}

const burst: AlertRule = {
  name: "burst",
  match: { result: ["denied"] },
  condition: { kind: "count", count: 3, withinMs: MINUTE, per: "agent" },
};

async function firings(state: RuleState, records: readonly DecisionRecord[]) {
  const fired = [];
  for (const record of records) fired.push(...(await state.evaluate(record)));
  return fired.map((f) => ({
    rule: f.rule.name,
    key: f.key,
    windowStart: f.windowStart - T0,
    count: f.count,
  }));
}

describe("RuleState", () => {
  it("count: fires when N matches fall within the span, once per window and key", async () => {
    const state = new RuleState([burst], async () => false);
    const fired = await firings(state, [
      decision("agent:a", 0),
      decision("agent:a", 1000),
      decision("agent:b", 1500),
      decision("agent:a", 2000),
      decision("agent:a", 3000),
      decision("agent:a", 4000, { result: "allowed" }),
    ]);
    expect(fired).toEqual([{ rule: "burst", key: "agent:a", windowStart: 0, count: 3 }]);
  });

  it("count: matches spread wider than the span do not fire; a burst across windows fires in each", async () => {
    const state = new RuleState([burst], async () => false);
    expect(
      await firings(
        state,
        [0, 40_000, 80_000].map((at) => decision("agent:a", at)),
      ),
    ).toEqual([]);
    const across = [MINUTE * 2 - 300, MINUTE * 2 - 200, MINUTE * 2 - 100, MINUTE * 2 + 100];
    expect(
      await firings(
        state,
        across.map((at) => decision("agent:c", at)),
      ),
    ).toEqual([
      { rule: "burst", key: "agent:c", windowStart: MINUTE, count: 3 },
      { rule: "burst", key: "agent:c", windowStart: 2 * MINUTE, count: 3 },
    ]);
  });

  it("count per principal counts the subject across its agents", async () => {
    const rule: AlertRule = {
      ...burst,
      condition: { ...burst.condition, per: "principal" } as AlertRule["condition"],
    };
    const state = new RuleState([rule], async () => false);
    const fired = await firings(
      state,
      ["agent:a", "agent:b", "agent:c"].map((a, i) => decision(a, i)),
    );
    expect(fired.map((f) => f.key)).toEqual(["user:alice"]);
  });

  it("remember warms the counts without firing", async () => {
    const state = new RuleState([burst], async () => false);
    state.remember(decision("agent:a", 0));
    state.remember(decision("agent:a", 10));
    expect(await firings(state, [decision("agent:a", 20)])).toHaveLength(1);
  });

  it("first_use: fires once per agent and permission, not when the log holds an earlier use", async () => {
    const rule: AlertRule = { name: "first", match: {}, condition: { kind: "first_use" } };
    const asked: string[] = [];
    const state = new RuleState([rule], async (_, record) => {
      asked.push(record.actors[0] ?? "");
      return record.actors[0] === "agent:old";
    });
    const fired = await firings(state, [
      decision("agent:a", 0),
      decision("agent:a", 1),
      decision("agent:a", 2, { permission: "edit" }),
      decision("agent:old", 3),
    ]);
    expect(fired.map((f) => f.key)).toEqual(["agent:a#view", "agent:a#edit"]);
    expect(asked).toEqual(["agent:a", "agent:a", "agent:old"]);
  });

  it("any: fires for each matching check, keyed by the decision; never for lookups", async () => {
    const rule: AlertRule = {
      name: "any",
      match: { resource: ["document"] },
      condition: { kind: "any" },
    };
    const state = new RuleState([rule], async () => false);
    const records = [
      decision("agent:a", 0),
      decision("agent:a", 1),
      decision("agent:a", 2, { kind: "lookup_resources", resource: "document" }),
      decision("agent:a", 3, { resource: "folder:x" }),
    ];
    const fired = await firings(state, records);
    expect(fired.map((f) => f.key)).toEqual([records[0]!.decisionId, records[1]!.decisionId]);
  });
});
