// Test helpers: decisions as the check path will hand them to the log, with every field set.

import { randomBytes } from "node:crypto";
import { callDecision } from "../../src/decisions/decision-call.js";
import { decisionIdFromBytes, newDecisionId } from "../../src/decisions/decision-id.js";
import type { Decision } from "../../src/decisions/decision-record.js";

/** makeDecision is a decision made now, with every field a check's record has, and overrides. */
export function makeDecision(overrides: Partial<Decision> = {}): Decision {
  const { id, time } = newDecisionId();
  return {
    decisionId: id,
    time: time.toISOString(),
    kind: "check",
    apiKey: "ci",
    subject: "user:alice",
    actors: ["agent:bot"],
    resource: "document:plan",
    permission: "view",
    result: "allowed",
    proof: {
      grantedBy: [
        {
          relationship: "document:plan#viewer@user:alice",
          caveat: "on_network",
          caveatContext: { cidr: "10.0.0.0/8", ssn: "078-05-1120" },
          caveatResult: "true",
          expiresAt: "2099-01-01T00:00:00Z",
        },
      ],
    },
    context: { ip: "10.1.2.3", ssn: "078-05-1120" },
    token: "lt1_token",
    revision: 42,
    schemaRevision: 7,
    cached: false,
    latencyUs: 812,
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    ...overrides,
  };
}

/** lookupDecision is a LookupResources call's decision. */
export function lookupDecision(overrides: Partial<Decision> = {}): Decision {
  const { proof: _proof, result: _result, ...check } = makeDecision();
  return {
    ...check,
    kind: "lookup_resources",
    resource: "document",
    lookup: { limit: 10, cursor: "c1", returned: 3 },
    ...overrides,
  };
}

/**
 * decisionAt is a decision made at time ms, in the past: newDecisionId never goes back in time
 * (its ids only increase), so the id is made here, as a UUIDv7 of that time.
 */
export function decisionAt(ms: number, overrides: Partial<Decision> = {}): Decision {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const decisionId = decisionIdFromBytes(bytes);
  return makeDecision({ decisionId, time: new Date(ms).toISOString(), ...overrides });
}

/** madeDecision is a decision as the check path makes it (callDecision's order), every field set. */
export function madeDecision(): Decision {
  const {
    proof: _proof,
    decisionId: _id,
    time: _time,
    ...asked
  } = makeDecision({
    deniedBy: "agent:bot",
    reason: "not_delegated",
    missingParameters: ["ip"],
    lookup: { limit: 1, cursor: "c", returned: 0 },
    origin: { tool: "read" },
  });
  return callDecision(
    {
      stamp: newDecisionId(),
      startedAt: performance.now(),
      apiKey: 'key "one"',
      token: "lt1_t",
      revision: 3,
      schemaRevision: 1,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    },
    asked,
  );
}
