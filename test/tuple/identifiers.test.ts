// Table tests for the name and id validators, at the edges of SpiceDB's rules.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  validateCaveatName,
  validateObjectId,
  validateObjectType,
  validateRelation,
  validateSubjectId,
} from "../../src/tuple/identifiers.js";

const name64 = `a${"b".repeat(62)}c`;
const prefix63 = `a${"b".repeat(61)}c`;

describe("validateObjectType", () => {
  it.each([
    "abc",
    "document",
    "a_1",
    "a__b",
    name64,
    "acme/document",
    "acme/billing/invoice",
    `${prefix63}/${name64}`,
  ])("accepts %s", (type) => {
    expect(validateObjectType(type)).toBeUndefined();
  });

  it.each([
    ["", `invalid object type "" at position 1: must be 3 to 64 characters long`],
    ["ab", `invalid object type "ab" at position 1: must be 3 to 64 characters long`],
    [
      `${name64}x`,
      `invalid object type "${name64}…" at position 65: must be 3 to 64 characters long`,
    ],
    [
      "1abc",
      `invalid object type "1abc" at position 1: must start with a lowercase letter, found '1'`,
    ],
    [
      "_abc",
      `invalid object type "_abc" at position 1: must start with a lowercase letter, found '_'`,
    ],
    [
      "abC",
      `invalid object type "abC" at position 3: 'C' is not allowed; names use a-z, 0-9 and _`,
    ],
    [
      "ab\n",
      `invalid object type "ab\\n" at position 3: U+000A is not allowed; names use a-z, 0-9 and _`,
    ],
    ["abc_", `invalid object type "abc_" at position 4: must not end with '_'`],
    [
      "/abc",
      `invalid object type "/abc" at position 1: the prefix before '/' must be 3 to 63 characters long`,
    ],
    [
      "ab/abc",
      `invalid object type "ab/abc" at position 1: the prefix before '/' must be 3 to 63 characters long`,
    ],
    [
      `${prefix63}x/abc`,
      `invalid object type "${`${prefix63}x`.slice(0, 64)}…" at position 64: the prefix before '/' must be 3 to 63 characters long`,
    ],
    [
      "abc_/abc",
      `invalid object type "abc_/abc" at position 4: the prefix before '/' must not end with '_'`,
    ],
    [
      "abc//abc",
      `invalid object type "abc//abc" at position 5: the prefix before '/' must be 3 to 63 characters long`,
    ],
    [
      "abc/",
      `invalid object type "abc/" at position 5: the name after '/' must be 3 to 64 characters long`,
    ],
    [
      "abc/Abc",
      `invalid object type "abc/Abc" at position 5: the name after '/' must start with a lowercase letter, found 'A'`,
    ],
  ])("rejects %j", (type, message) => {
    expect(validateObjectType(type)).toBe(message);
  });
});

describe("validateRelation", () => {
  it.each(["abc", "viewer", "can_view", "a1b", name64])("accepts %s", (relation) => {
    expect(validateRelation(relation)).toBeUndefined();
  });

  it.each([
    ["ab", `invalid relation "ab" at position 1: must be 3 to 64 characters long`],
    [`${name64}x`, `invalid relation "${name64}…" at position 65: must be 3 to 64 characters long`],
    [
      "acme/viewer",
      `invalid relation "acme/viewer" at position 5: '/' is not allowed; names use a-z, 0-9 and _`,
    ],
    ["view_", `invalid relation "view_" at position 5: must not end with '_'`],
    ["...", `invalid relation "..." at position 1: must start with a lowercase letter, found '.'`],
  ])("rejects %j", (relation, message) => {
    expect(validateRelation(relation)).toBe(message);
  });
});

describe("validateCaveatName", () => {
  it.each(["only_us", "acme/only_us"])("accepts %s", (name) => {
    expect(validateCaveatName(name)).toBeUndefined();
  });

  it.each(["Us", "ipAllowlist", "2fa", "x", "_", "acme/IsAdmin", "a".repeat(128)])(
    "accepts %s, as SpiceDB does",
    (name) => {
      expect(validateCaveatName(name)).toBeUndefined();
    },
  );

  it.each([
    ["", `invalid caveat name "" at position 1: must be 1 to 128 characters long`],
    [
      "a".repeat(129),
      `invalid caveat name "${"a".repeat(64)}…" at position 129: must be 1 to 128 characters long`,
    ],
    [
      "only-us",
      `invalid caveat name "only-us" at position 5: '-' is not allowed; caveat names use a-z, A-Z, 0-9 and _, with '/' after a prefix`,
    ],
    ["acme//us", `invalid caveat name "acme//us" at position 6: '/' must stand between two names`],
    ["acme/", `invalid caveat name "acme/" at position 5: '/' must stand between two names`],
  ])("rejects %j", (name, message) => {
    expect(validateCaveatName(name)).toBe(message);
  });
});

describe("validateObjectId", () => {
  it.each(["a", "A", "0", "a/b_c|d-e=f+g", "Zm9vYmFy==", "x".repeat(1024)])("accepts %s", (id) => {
    expect(validateObjectId(id)).toBeUndefined();
  });

  const rule = "ids use a-z, A-Z, 0-9 and / _ | - = +";
  it.each([
    ["", `invalid object id "" at position 1: must be 1 to 1024 characters long`],
    [
      "x".repeat(1025),
      `invalid object id "${"x".repeat(64)}…" at position 1025: must be 1 to 1024 characters long`,
    ],
    ["a b", `invalid object id "a b" at position 2: ' ' is not allowed; ${rule}`],
    ["a:b", `invalid object id "a:b" at position 2: ':' is not allowed; ${rule}`],
    ["a#b", `invalid object id "a#b" at position 2: '#' is not allowed; ${rule}`],
    ["a@b", `invalid object id "a@b" at position 2: '@' is not allowed; ${rule}`],
    ["a.b", `invalid object id "a.b" at position 2: '.' is not allowed; ${rule}`],
    ["ü", `invalid object id "ü" at position 1: 'ü' is not allowed; ${rule}`],
    ["a😀", `invalid object id "a😀" at position 2: '😀' is not allowed; ${rule}`],
    [
      "*",
      `invalid object id "*" at position 1: '*' is not allowed; only a subject id can be the wildcard '*'`,
    ],
  ])("rejects %j", (id, message) => {
    expect(validateObjectId(id)).toBe(message);
  });
});

describe("validateSubjectId", () => {
  it.each(["*", "alice", "x".repeat(1024)])("accepts %s", (id) => {
    expect(validateSubjectId(id)).toBeUndefined();
  });

  it.each([
    ["", `invalid subject id "" at position 1: must be 1 to 1024 characters long`],
    [
      "a*",
      `invalid subject id "a*" at position 2: '*' is allowed only as the whole id, the wildcard '*'`,
    ],
  ])("rejects %j", (id, message) => {
    expect(validateSubjectId(id)).toBe(message);
  });
});

describe("the validators against SpiceDB's regular expressions", () => {
  // SpiceDB's rules, as its documentation writes them: the oracle for generated values.
  const SPICEDB_TYPE = /^([a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
  const SPICEDB_RELATION = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
  const SPICEDB_OBJECT_ID = /^[a-zA-Z0-9/_|\-=+]{1,1024}$/;
  const SPICEDB_SUBJECT_ID = /^(([a-zA-Z0-9/_|\-=+]{1,1024})|\*)$/;
  // A caveat name: what SpiceDB's API takes as a relationship's caveat name, and its schema
  // parser reads as one name (names of letters, digits and _, with '/' between them).
  const SPICEDB_CAVEAT_API = /^([a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127})$/;
  const SCHEMA_NAME_PATH = /^[a-zA-Z0-9_]+(\/[a-zA-Z0-9_]+)*$/;
  const SPICEDB_CAVEAT = {
    test: (value: string) => SPICEDB_CAVEAT_API.test(value) && SCHEMA_NAME_PATH.test(value),
  };
  const values = fc.oneof(
    fc.string({ unit: fc.constantFrom(..."abz09_/AZ*-|=+ é\n"), maxLength: 70 }),
    fc.string({ unit: fc.constantFrom(..."ab_/"), minLength: 60, maxLength: 140 }),
    fc.string({ unit: fc.constantFrom(..."aZ9*"), minLength: 1020, maxLength: 1030 }),
  );

  it("accept exactly the values SpiceDB accepts, and say why they refuse the rest", () => {
    fc.assert(
      fc.property(values, (value) => {
        for (const [validate, rule] of [
          [validateObjectType, SPICEDB_TYPE],
          [validateCaveatName, SPICEDB_CAVEAT],
          [validateRelation, SPICEDB_RELATION],
          [validateObjectId, SPICEDB_OBJECT_ID],
          [validateSubjectId, SPICEDB_SUBJECT_ID],
        ] as const) {
          const problem = validate(value);
          expect(problem === undefined, `${validate.name}(${JSON.stringify(value)})`).toBe(
            rule.test(value),
          );
          if (problem !== undefined) expect(problem).toMatch(/ at position \d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
