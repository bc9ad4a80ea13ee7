import { describe, expect, it } from "vitest";
import { newDecisionId } from "../../src/decisions/decision-id.js";
import type { DecisionProof } from "../../src/decisions/decision-proof.js";
import type { Decision } from "../../src/decisions/decision-record.js";
import { recordHead, sharedQuestion } from "../../src/decisions/record-head.js";
import { madeDecision, makeDecision } from "./decision-fixtures.js";

/** headOf is a decision's record head, from the text of its question when it shares one (as recordParts makes it). */
function headOf(decision: Decision, proof: DecisionProof): string {
  return recordHead(decision, sharedQuestion(decision, proof));
}

/** A value for each field that is not a string (or is the log's own text, never escaped), else a quote is added. */
const OTHER_VALUES: Readonly<Record<string, unknown>> = {
  decisionId: newDecisionId().id,
  time: new Date(0).toISOString(),
  traceId: "0af7651916cd43dd8448eb211c80319c",
  kind: "lookup_resources",
  result: "denied",
  cached: true,
  revision: 4,
  schemaRevision: 2,
  latencyUs: 7,
  apiKey: undefined,
  actors: ["agent:bot"],
  missingParameters: ["ip"],
  context: { ip: "10.0.0.2" },
  lookup: { limit: 2, returned: 1 },
  origin: { tool: "write" },
  proof: { summary: ["none"] },
};

describe("recordHead", () => {
  it("is the decision's JSON without its closing brace, whichever field differs from the last record's", () => {
    const proof: DecisionProof = {
      grantedBy: [{ relationship: "document:plan#viewer@user:alice" }],
    };
    const first = madeDecision();
    expect(headOf(first, proof)).toBe(JSON.stringify(first).slice(0, -1));
    // Every field callDecision writes, changed alone: the text follows it.
    for (const field of Object.keys(first)) {
      const value =
        field in OTHER_VALUES ? OTHER_VALUES[field] : `${String(first[field as keyof Decision])}"x`;
      const changed = { ...first, [field]: value } as Decision;
      expect(headOf(changed, proof), field).toBe(JSON.stringify(changed).slice(0, -1));
      expect(headOf(first, proof), field).toBe(JSON.stringify(first).slice(0, -1));
    }
    const next = madeDecision();
    expect(headOf(next, proof)).toBe(JSON.stringify(next).slice(0, -1));
  });

  it("writes a decision in another order as JSON.stringify does", () => {
    const proof: DecisionProof = { grantedBy: [] };
    const fixture = makeDecision();
    expect(headOf(fixture, proof)).toBe(JSON.stringify(fixture).slice(0, -1));
    expect(headOf(fixture, proof)).toBe(JSON.stringify(fixture).slice(0, -1));
  });
});
