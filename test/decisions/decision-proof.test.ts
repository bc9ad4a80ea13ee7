import { describe, expect, it } from "vitest";
import {
  MAX_SUMMARY_LINE,
  MAX_SUMMARY_LINES,
  proofOf,
} from "../../src/decisions/decision-proof.js";
import type { Explanation } from "../../src/engine/explanation.js";
import { rel } from "../store/store-test-helpers.js";

const alice = { type: "user", id: "alice" };

/** relationship is the proof node of one stored relationship, with what it leads to. */
function relationship(text: string, result: Explanation["result"], ...children: Explanation[]) {
  const parsed = rel(text);
  const node = `${parsed.resource.type}:${parsed.resource.id}#${parsed.relation}`;
  return { node, step: "relationship", result, relationship: parsed, children } as const;
}

describe("decision proofs", () => {
  it("name the relationships of one granting path, with caveats and expiries", () => {
    const explanation: Explanation = {
      node: "document:plan#view",
      step: "union",
      result: "allowed",
      children: [
        {
          node: "document:plan#viewer",
          step: "relation",
          result: "allowed",
          children: [
            {
              ...relationship(
                'document:plan#viewer@user:alice[on_network:{"cidr":"10.0.0.0/8"}][expiration:2099-01-01T00:00:00Z]',
                "allowed",
              ),
              caveat: { name: "on_network", result: "true" },
            },
          ],
        },
        {
          node: "document:plan#parent->viewer",
          step: "arrow",
          result: "allowed",
          children: [
            relationship("document:plan#parent@folder:eng", "allowed"),
            relationship("folder:eng#viewer@user:alice", "allowed"),
          ],
        },
      ],
    };
    expect(proofOf(explanation, alice)).toEqual({
      grantedBy: [
        {
          relationship: "document:plan#viewer@user:alice",
          caveat: "on_network",
          caveatContext: { cidr: "10.0.0.0/8" },
          caveatResult: "true",
          expiresAt: "2099-01-01T00:00:00Z",
        },
      ],
    });
  });

  it("sum a denial up in bounded lines that hold no caveat context", () => {
    const tried = Array.from({ length: 40 }, (_, i) =>
      relationship(
        `document:plan#viewer@group:g${i}${"x".repeat(400)}#member[on_network:{"ssn":"078-05-1120"}]`,
        "denied",
      ),
    );
    const explanation: Explanation = {
      node: "document:plan#viewer",
      step: "relation",
      result: "denied",
      children: tried,
    };
    const proof = proofOf(explanation, alice);
    expect(proof.truncated).toBe(true);
    expect(proof.summary?.length).toBe(MAX_SUMMARY_LINES);
    for (const line of proof.summary ?? []) {
      expect(line.length).toBeLessThanOrEqual(MAX_SUMMARY_LINE + 1);
      expect(line).not.toContain("078-05-1120");
    }
    expect(proof.grantedBy).toBeUndefined();
  });

  it("say what granted an allow that rests on no relationship (self)", () => {
    const explanation: Explanation = {
      node: "user:alice#view",
      step: "union",
      result: "allowed",
      children: [
        { node: "user:alice#view", step: "self", result: "allowed", children: [] },
        { node: "user:alice#friend", step: "relation", result: "denied", children: [] },
      ],
    };
    expect(proofOf(explanation, alice)).toEqual({
      grantedBy: [],
      summary: ["user:alice#view holds user:alice itself (self)"],
    });
  });
});
