// The console's proof trees: rendered lines nested by indentation, a record's proof read from its JSON, a fresh explanation.

import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  explanationTree,
  linesTree,
  readRecordedProof,
} from "../../console/src/decisions/proof-tree.js";
import {
  CheckResult,
  ExplanationNode_Kind,
  ExplanationNodeSchema,
} from "../../src/gen/latch/v1/permission_service_pb.js";

describe("linesTree", () => {
  it("nests each line under the nearest line before it indented less", () => {
    expect(
      linesTree([
        "document:plan#view:",
        "  no relationship document:plan#viewer@user:bob",
        "  document:plan#parent@folder:eng →",
        "    no relationship folder:eng#viewer@user:bob",
        "removed by document:plan#banned",
      ]),
    ).toEqual([
      {
        text: "document:plan#view:",
        children: [
          { text: "no relationship document:plan#viewer@user:bob", children: [] },
          {
            text: "document:plan#parent@folder:eng →",
            children: [{ text: "no relationship folder:eng#viewer@user:bob", children: [] }],
          },
        ],
      },
      { text: "removed by document:plan#banned", children: [] },
    ]);
  });

  it("keeps a line indented deeper than its parent's child level under that parent", () => {
    expect(linesTree(["a", "      b", "  c"])).toEqual([
      {
        text: "a",
        children: [
          { text: "b", children: [] },
          { text: "c", children: [] },
        ],
      },
    ]);
    expect(linesTree([])).toEqual([]);
  });
});

describe("readRecordedProof", () => {
  it("reads the relationships that granted an answer, with caveats and expiries", () => {
    const proof = readRecordedProof({
      grantedBy: [
        {
          relationship: "document:plan#viewer@user:alice",
          caveat: "on_network",
          caveatContext: { ip: "10.0.0.1" },
          caveatResult: "true",
          expiresAt: "2026-12-31T00:00:00Z",
          accessRequest: "r1",
        },
        { relationship: 42 },
        "not an object",
      ],
    });
    expect(proof).toEqual({
      grantedBy: [
        {
          relationship: "document:plan#viewer@user:alice",
          caveat: "on_network",
          caveatContext: { ip: "10.0.0.1" },
          caveatResult: "true",
          expiresAt: "2026-12-31T00:00:00Z",
          accessRequest: "r1",
        },
      ],
      failingLeg: undefined,
      tried: [],
      truncated: false,
      unavailable: undefined,
    });
  });

  it("reads a denial's failing leg and what was tried, and says when a bound cut it", () => {
    const proof = readRecordedProof({
      failingLeg: { kind: "permission", member: "agent:bot", result: "denied" },
      summary: ["document:plan#view:", "  no relationship document:plan#viewer@agent:bot"],
      truncated: true,
    });
    expect(proof.failingLeg).toEqual({ kind: "permission", member: "agent:bot", result: "denied" });
    expect(proof.tried).toEqual([
      {
        text: "document:plan#view:",
        children: [{ text: "no relationship document:plan#viewer@agent:bot", children: [] }],
      },
    ]);
    expect(proof.truncated).toBe(true);
  });

  it("says why there is no proof, and reads an absent proof as empty", () => {
    expect(readRecordedProof({ unavailable: "the check was not explained" }).unavailable).toBe(
      "the check was not explained",
    );
    expect(readRecordedProof(undefined)).toEqual({
      grantedBy: [],
      failingLeg: undefined,
      tried: [],
      truncated: false,
      unavailable: undefined,
    });
  });
});

describe("explanationTree", () => {
  it("renders a fresh check's explanation as the record's lines would read", () => {
    const relationship = {
      resource: { type: "document", id: "plan" },
      relation: "viewer",
      subject: { object: { type: "user", id: "alice" }, relation: "" },
    };
    const explanation = create(ExplanationNodeSchema, {
      kind: ExplanationNode_Kind.RELATION,
      object: { type: "document", id: "plan" },
      relation: "view",
      result: CheckResult.ALLOWED,
      children: [
        {
          kind: ExplanationNode_Kind.RELATIONSHIP,
          object: { type: "document", id: "plan" },
          relation: "viewer",
          result: CheckResult.ALLOWED,
          relationship,
        },
      ],
    });
    const tree = explanationTree(explanation, { type: "user", id: "alice" });
    expect(tree).toEqual([{ text: "document:plan#viewer@user:alice", children: [] }]);
  });
});
