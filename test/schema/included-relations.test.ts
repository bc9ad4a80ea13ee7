// Which relations a permission includes on its own object, and which of them a denied member may request.

import { describe, expect, it } from "vitest";
import { requestableRelationships } from "../../src/api/requestable-relationships.js";
import type { CheckResult } from "../../src/engine/check-engine.js";
import { includedRelations } from "../../src/schema/included-relations.js";
import { compile } from "../engine/lookup-test-helpers.js";

const SCHEMA = compile(`use expiration
definition user {}
definition agent {}
definition team {
	relation member: user
}
definition folder {
	relation viewer: user with expiration
	permission view = viewer
}
definition document {
	relation parent: folder
	relation viewer: user | agent with expiration
	relation editor: agent with expiration | team#member with expiration
	relation banned: agent with expiration
	relation approved: agent with expiration
	relation auditor: agent
	permission edit = editor
	permission view = (viewer + edit + parent->view) - banned
	permission review = approved & viewer
	permission audit = auditor
}
`);

describe("includedRelations", () => {
  it("is the relation itself for a relation", () => {
    expect([...includedRelations(SCHEMA, "document", "viewer")]).toEqual(["viewer"]);
  });

  it("follows unions and other permissions, the base of an exclusion but not its subtracted side, and no arrow", () => {
    expect([...includedRelations(SCHEMA, "document", "view")].sort()).toEqual(["editor", "viewer"]);
  });

  it("counts every branch of an intersection", () => {
    expect([...includedRelations(SCHEMA, "document", "review")].sort()).toEqual([
      "approved",
      "viewer",
    ]);
  });

  it("is empty for an unknown type or name", () => {
    expect(includedRelations(SCHEMA, "document", "missing").size).toBe(0);
    expect(includedRelations(SCHEMA, "nothing", "view").size).toBe(0);
  });

  it("is cached per schema and name", () => {
    expect(includedRelations(SCHEMA, "document", "view")).toBe(
      includedRelations(SCHEMA, "document", "view"),
    );
  });
});

const DENIED: CheckResult = {
  result: "denied",
  missing: [],
  validUntil: Number.POSITIVE_INFINITY,
  servedFromCache: false,
};
const resource = { type: "document", id: "roadmap" };
const agent = { type: "agent", id: "assistant" };
const CONFIGURED = new Set([
  "document#viewer",
  "document#editor",
  "document#banned",
  "document#auditor",
  "folder#viewer",
]);

describe("requestableRelationships", () => {
  const question = (permission: string, subject = agent) => ({ resource, permission, subject });

  it("lists the configured included relations that admit the member with expiration", () => {
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("view"), DENIED)).toEqual([
      { resource, relation: "viewer", subject: agent },
      { resource, relation: "editor", subject: agent },
    ]);
  });

  it("leaves out a relation without expiration for that type, not configured, or not included", () => {
    const user = { type: "user", id: "alice" };
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("view", user), DENIED)).toEqual(
      [],
    );
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("audit"), DENIED)).toEqual([]);
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("review"), DENIED)).toEqual([
      { resource, relation: "viewer", subject: agent },
    ]);
  });

  it("matches a subject set by its relation", () => {
    const members = { type: "team", id: "eng", relation: "member" };
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("edit", members), DENIED)).toEqual(
      [{ resource, relation: "editor", subject: members }],
    );
  });

  it("names the member denied_by names, and none for another reason or an allowed answer", () => {
    const user = { type: "user", id: "alice" };
    const byAgent: CheckResult = { ...DENIED, deniedBy: agent, reason: "no-permission" };
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("edit", user), byAgent)).toEqual([
      { resource, relation: "editor", subject: agent },
    ]);
    for (const reason of ["suspended", "not-delegated", "condition-false"] as const) {
      const result = { ...DENIED, deniedBy: agent, reason };
      expect(requestableRelationships(SCHEMA, CONFIGURED, question("edit"), result)).toEqual([]);
    }
    const allowed: CheckResult = { ...DENIED, result: "allowed" };
    expect(requestableRelationships(SCHEMA, CONFIGURED, question("edit"), allowed)).toEqual([]);
    expect(requestableRelationships(SCHEMA, new Set(), question("edit"), DENIED)).toEqual([]);
  });
});
