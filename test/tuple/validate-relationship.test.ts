// Table tests for validateRelationship, which checks relationships built in code.

import { describe, expect, it } from "vitest";
import type { Relationship } from "../../src/tuple/relationship.js";
import { validateRelationship } from "../../src/tuple/validate-relationship.js";

const base: Relationship = {
  resource: { type: "document", id: "plan" },
  relation: "viewer",
  subject: { type: "user", id: "alice" },
};

describe("validateRelationship", () => {
  it.each<Relationship>([
    base,
    { ...base, subject: { type: "user", id: "*" } },
    { ...base, subject: { type: "group", id: "eng", relation: "member" } },
    { ...base, caveat: { name: "acme/only_us", context: { a: [1] } } },
    { ...base, expiresAt: new Date("9999-12-31T23:59:59.999Z") },
  ])("accepts %j", (rel) => {
    expect(validateRelationship(rel)).toBeUndefined();
  });

  it.each<[Relationship, string]>([
    [
      { ...base, resource: { type: "Doc", id: "plan" } },
      `invalid resource type "Doc" at position 1: must start with a lowercase letter, found 'D'`,
    ],
    [
      { ...base, resource: { type: "document", id: "*" } },
      `invalid resource id "*" at position 1: '*' is not allowed; only a subject id can be the wildcard '*'`,
    ],
    [
      { ...base, relation: "vi" },
      `invalid relation "vi" at position 1: must be 3 to 64 characters long`,
    ],
    [
      { ...base, subject: { type: "us", id: "alice" } },
      `invalid subject type "us" at position 1: must be 3 to 64 characters long`,
    ],
    [
      { ...base, subject: { type: "user", id: "" } },
      `invalid subject id "" at position 1: must be 1 to 1024 characters long`,
    ],
    [
      { ...base, subject: { type: "user", id: "*", relation: "member" } },
      `invalid subject relation "member": a wildcard subject can't have a relation`,
    ],
    [
      { ...base, subject: { type: "group", id: "eng", relation: "..." } },
      `invalid subject relation "..." at position 1: must start with a lowercase letter, found '.'`,
    ],
    [
      { ...base, caveat: { name: "" } },
      `invalid caveat name "" at position 1: must be 1 to 128 characters long`,
    ],
    [
      { ...base, caveat: { name: "only_us", context: [] as unknown as Record<string, unknown> } },
      "invalid caveat context: must be a JSON object",
    ],
    [{ ...base, expiresAt: new Date(Number.NaN) }, "invalid expiration: not a valid date"],
    [
      { ...base, expiresAt: new Date("+010000-01-01T00:00:00Z") },
      "invalid expiration: year 10000 is outside 0 to 9999, which RFC 3339 can write",
    ],
  ])("rejects %j", (rel, message) => {
    expect(validateRelationship(rel)).toBe(message);
  });
});
