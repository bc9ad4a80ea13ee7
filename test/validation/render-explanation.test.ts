// renderExplanation on hand-built proofs: the shapes the engine produces, rendered for people.

import { describe, expect, it } from "vitest";
import type { Explanation } from "../../src/engine/explanation.js";
import type { OutcomeKind } from "../../src/engine/outcome.js";
import { renderExplanation } from "../../src/engine/render-explanation.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";

const alice = { type: "user", id: "alice" };

function rel(text: string): Explanation["relationship"] {
  const parsed = parseRelationship(text);
  if (!parsed.ok) throw new Error(`test setup: ${parsed.error.message}`);
  return parsed.value;
}

/** relationship is a proof step through one stored relationship, leading to `children`. */
function relationship(
  text: string,
  result: OutcomeKind,
  children: Explanation[] = [],
  caveat?: Explanation["caveat"],
): Explanation {
  const value = rel(text)!;
  const node = `${value.resource.type}:${value.resource.id}#${value.relation}`;
  return { node, step: "relationship", result, relationship: value, caveat, children };
}

function node(
  name: string,
  step: Explanation["step"],
  result: OutcomeKind,
  children: Explanation[] = [],
  role?: Explanation["role"],
): Explanation {
  return { node: name, step, result, children, ...(role && { role }) };
}

describe("renderExplanation", () => {
  it("writes a grant as one chain through subject sets and arrows", () => {
    const member = node("group:eng#member", "relation", "allowed", [
      relationship("group:eng#member@user:alice", "allowed"),
    ]);
    const viewer = node("folder:eng#viewer", "relation", "allowed", [
      relationship("folder:eng#viewer@group:eng#member", "allowed", [member]),
    ]);
    const proof = node("document:plan#view", "arrow", "allowed", [
      relationship("document:plan#parent@folder:eng", "allowed", [viewer]),
    ]);
    expect(renderExplanation(proof, alice)).toEqual([
      "document:plan#parent@folder:eng → folder:eng#viewer@group:eng#member → group:eng#member@user:alice",
    ]);
  });

  it("names the checked subject in denials when given it, and only the set otherwise", () => {
    const proof = node("document:plan#viewer", "relation", "denied");
    expect(renderExplanation(proof, alice)).toEqual([
      "no relationship document:plan#viewer@user:alice",
    ]);
    expect(renderExplanation(proof)).toEqual(["no relationship document:plan#viewer"]);
  });

  it("does not claim a missing relationship when one was found but its caveat failed", () => {
    const proof = node("document:plan#viewer", "relation", "denied", [
      relationship("document:plan#viewer@user:alice[weekday]", "denied", [], {
        name: "weekday",
        result: "false",
      }),
    ]);
    expect(renderExplanation(proof, alice)).toEqual([
      "document:plan#viewer@user:alice[weekday] (caveat weekday: false)",
    ]);
  });

  it("labels a missing side of an intersection that is a permission, not one that is a relation", () => {
    const edit = node("document:plan#edit", "union", "denied", [
      node("document:plan#owner", "relation", "denied"),
      node("document:plan#editor", "relation", "denied"),
    ]);
    const proof = node("document:plan#publish", "intersection", "denied", [
      edit,
      node("document:plan#reviewed", "relation", "denied"),
    ]);
    expect(renderExplanation(proof, alice)).toEqual([
      "missing document:plan#edit:",
      "  no relationship document:plan#owner@user:alice",
      "  no relationship document:plan#editor@user:alice",
      "no relationship document:plan#reviewed@user:alice",
    ]);
  });

  it("leaves out branches that walked nothing and says a repeated reason once", () => {
    const viewer = node("document:plan#viewer", "relation", "denied");
    const proof = node("document:plan#view", "union", "denied", [
      viewer,
      node("document:plan#view", "arrow", "denied"),
      node("document:plan#view", "nil", "denied"),
      viewer,
    ]);
    expect(renderExplanation(proof, alice)).toEqual([
      "no relationship document:plan#viewer@user:alice",
    ]);
    const nothing = node("document:plan#view", "union", "denied", [
      node("document:plan#view", "arrow", "denied"),
    ]);
    expect(renderExplanation(nothing, alice)).toEqual([
      "document:plan#view: an arrow finds no related object",
    ]);
  });

  it("names what removed the subject, or the subtracted branch when it has no name of its own", () => {
    const banned = node(
      "document:plan#banned",
      "relation",
      "allowed",
      [relationship("document:plan#banned@user:alice", "allowed")],
      "subtracted",
    );
    const base = node(
      "document:plan#viewer",
      "relation",
      "allowed",
      [relationship("document:plan#viewer@user:alice", "allowed")],
      "base",
    );
    expect(
      renderExplanation(node("document:plan#view", "exclusion", "denied", [base, banned]), alice),
    ).toEqual(["removed by document:plan#banned: document:plan#banned@user:alice"]);
    const nested = {
      ...banned,
      node: "document:plan#view",
      step: "intersection" as const,
      children: [banned, banned],
    };
    expect(
      renderExplanation(node("document:plan#view", "exclusion", "denied", [base, nested]), alice),
    ).toEqual([
      "removed by the subtracted branch:",
      "  all of:",
      "    document:plan#banned@user:alice",
      "    document:plan#banned@user:alice",
    ]);
  });

  it("lists every branch of a conditional intersection and the caveat's missing parameters", () => {
    const proof = node("document:plan#view", "intersection", "conditional", [
      node("document:plan#viewer", "relation", "allowed", [
        relationship("document:plan#viewer@user:alice", "allowed"),
      ]),
      node("document:plan#approved", "relation", "conditional", [
        relationship("document:plan#approved@user:alice[clearance]", "conditional", [], {
          name: "clearance",
          result: "missing",
          missing: ["level", "region"],
        }),
      ]),
    ]);
    expect(renderExplanation(proof, alice)).toEqual([
      "all of:",
      "  document:plan#viewer@user:alice",
      "  document:plan#approved@user:alice[clearance] (caveat clearance: missing level, region)",
    ]);
  });

  it("says when the data had a cycle", () => {
    expect(renderExplanation(node("folder:a#view", "cycle", "denied"), alice)).toEqual([
      "folder:a#view is on a cycle in the data (taken as denied)",
    ]);
  });
});
