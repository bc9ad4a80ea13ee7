// Tests for the canonical text form of relationships and references, and for identity keys.

import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/tuple/canonical-json.js";
import {
  formatObjectRef,
  formatRelationship,
  formatSubjectRef,
} from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { objectRelationKey, relationshipKey } from "../../src/tuple/relationship-key.js";

const base: Relationship = {
  resource: { type: "document", id: "plan" },
  relation: "viewer",
  subject: { type: "user", id: "alice" },
};

describe("formatRelationship", () => {
  it.each<[Relationship, string]>([
    [base, "document:plan#viewer@user:alice"],
    [
      { ...base, subject: { type: "group", id: "eng", relation: "member" } },
      "document:plan#viewer@group:eng#member",
    ],
    [{ ...base, subject: { type: "user", id: "*" } }, "document:plan#viewer@user:*"],
    [{ ...base, caveat: { name: "only_us" } }, "document:plan#viewer@user:alice[only_us]"],
    [
      { ...base, caveat: { name: "only_us", context: {} } },
      "document:plan#viewer@user:alice[only_us:{}]",
    ],
    [
      {
        ...base,
        caveat: { name: "only_us", context: { b: 1, a: { d: [3, { f: 1, e: 2 }], c: "]" } } },
      },
      'document:plan#viewer@user:alice[only_us:{"a":{"c":"]","d":[3,{"e":2,"f":1}]},"b":1}]',
    ],
    [
      { ...base, expiresAt: new Date("2026-12-01T00:00:00.000Z") },
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Z]",
    ],
    [
      { ...base, expiresAt: new Date("2026-12-01T00:00:00.120Z") },
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00.120Z]",
    ],
    [
      { ...base, expiresAt: new Date("0042-01-01T00:00:00Z") },
      "document:plan#viewer@user:alice[expiration:0042-01-01T00:00:00Z]",
    ],
    [
      {
        ...base,
        caveat: { name: "only_us", context: { region: "us" } },
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      },
      'document:plan#viewer@user:alice[only_us:{"region":"us"}][expiration:2026-12-01T00:00:00Z]',
    ],
  ])("writes %j", (rel, text) => {
    expect(formatRelationship(rel)).toBe(text);
  });

  it("writes references", () => {
    expect(formatObjectRef({ type: "document", id: "plan" })).toBe("document:plan");
    expect(formatSubjectRef({ type: "user", id: "alice" })).toBe("user:alice");
    expect(formatSubjectRef({ type: "group", id: "eng", relation: "member" })).toBe(
      "group:eng#member",
    );
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level, keeps array order and -0, and escapes strings", () => {
    expect(canonicalJson({ z: [2, 1, { y: -0, x: 0 }], a: 'q"\u2028', "": null })).toBe(
      '{"":null,"a":"q\\"\u2028","z":[2,1,{"x":0,"y":-0}]}',
    );
  });

  it("writes an own __proto__ key", () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1}}'))).toBe(
      '{"__proto__":{"x":1},"b":1}',
    );
  });

  it("follows JSON.stringify for values JSON cannot hold", () => {
    expect(canonicalJson({ u: undefined, n: Number.NaN, a: [undefined], d: new Date(0) })).toBe(
      '{"a":[null],"d":"1970-01-01T00:00:00.000Z","n":null}',
    );
  });
});

describe("relationshipKey", () => {
  it("is the relationship without its caveat and expiration", () => {
    const caveated: Relationship = {
      ...base,
      caveat: { name: "only_us", context: { a: 1 } },
      expiresAt: new Date("2026-12-01T00:00:00Z"),
    };
    expect(relationshipKey(base)).toBe("document:plan#viewer@user:alice");
    expect(relationshipKey(caveated)).toBe(relationshipKey(base));
  });

  it("tells apart subjects, subject sets and wildcards", () => {
    const keys = [
      relationshipKey(base),
      relationshipKey({ ...base, subject: { type: "user", id: "alice", relation: "self" } }),
      relationshipKey({ ...base, subject: { type: "user", id: "*" } }),
      relationshipKey({ ...base, relation: "editor" }),
      relationshipKey({ ...base, resource: { type: "document", id: "plan2" } }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("objectRelationKey names the set object#relation", () => {
    expect(objectRelationKey("document", "plan", "viewer")).toBe("document:plan#viewer");
    expect(
      relationshipKey(base).startsWith(`${objectRelationKey("document", "plan", "viewer")}@`),
    ).toBe(true);
  });
});
