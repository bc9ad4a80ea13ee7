import { describe, expect, it } from "vitest";
import { checkDecision } from "../../src/decisions/check-decision.js";
import { traceIdOf } from "../../src/decisions/decision-call.js";
import { newDecisionId } from "../../src/decisions/decision-id.js";
import { rel } from "../store/store-test-helpers.js";

describe("checkDecision", () => {
  it("records a check with what the check path holds when it answers", () => {
    const stamp = newDecisionId();
    const granting = rel("document:plan#viewer@user:alice");
    const call = {
      stamp,
      startedAt: performance.now(),
      apiKey: "ci",
      token: "lt1_t",
      revision: 9,
      schemaRevision: 2,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };
    const decision = checkDecision(
      call,
      {
        resource: { type: "document", id: "plan" },
        permission: "view",
        subject: { type: "user", id: "alice" },
        context: { ip: "10.0.0.1" },
        explain: true,
      },
      {
        result: "allowed",
        missing: [],
        validUntil: Number.POSITIVE_INFINITY,
        servedFromCache: true,
        explanation: {
          node: "document:plan#viewer",
          step: "relation",
          result: "allowed",
          children: [
            {
              node: "document:plan#viewer",
              step: "relationship",
              result: "allowed",
              relationship: granting,
              children: [],
            },
          ],
        },
      },
    );
    expect(decision).toEqual({
      decisionId: stamp.id,
      time: stamp.time.toISOString(),
      kind: "check",
      apiKey: "ci",
      subject: "user:alice",
      actors: [],
      resource: "document:plan",
      permission: "view",
      result: "allowed",
      proof: { grantedBy: [{ relationship: "document:plan#viewer@user:alice" }] },
      context: { ip: "10.0.0.1" },
      token: "lt1_t",
      revision: 9,
      schemaRevision: 2,
      cached: true,
      latencyUs: expect.any(Number),
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });

  it("reads the trace id of a traceparent, and nothing of a malformed one", () => {
    expect(traceIdOf(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ")).toBe(
      "4bf92f3577b34da6a3ce929d0e0e4736",
    );
    for (const bad of [
      undefined,
      null,
      "",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "junk",
    ]) {
      expect(traceIdOf(bad)).toBeUndefined();
    }
  });
});
