// Table tests for parseObjectRef and parseSubjectRef.

import { describe, expect, it } from "vitest";
import { parseObjectRef, parseSubjectRef } from "../../src/tuple/parse-ref.js";
import type { ObjectRef, SubjectRef } from "../../src/tuple/relationship.js";

describe("parseObjectRef", () => {
  it.each<[string, ObjectRef]>([
    ["document:plan", { type: "document", id: "plan" }],
    ["acme/document:a/b|c=d+e-f_G", { type: "acme/document", id: "a/b|c=d+e-f_G" }],
  ])("accepts %s", (text, expected) => {
    expect(parseObjectRef(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["document", 9, "syntax", "expected ':' after the object type at column 9, found end of input"],
    ["document:", 10, "syntax", "expected an object id after ':' at column 10, found end of input"],
    [
      "document:plan#viewer",
      14,
      "syntax",
      "expected end of input after the object id at column 14, found '#'",
    ],
    [
      "document:*",
      10,
      "invalid-object-id",
      `invalid object id "*" at column 10: '*' is not allowed; only a subject id can be the wildcard '*'`,
    ],
    [
      "dé:plan",
      2,
      "invalid-object-type",
      `invalid object type "dé" at column 2: 'é' is not allowed; names use a-z, 0-9 and _`,
    ],
  ])("rejects %s at column %i", (text, column, code, message) => {
    expect(parseObjectRef(text)).toEqual({
      ok: false,
      error: { code, message, offset: column - 1, column },
    });
  });
});

describe("parseSubjectRef", () => {
  it.each<[string, SubjectRef]>([
    ["user:alice", { type: "user", id: "alice" }],
    ["user:alice#...", { type: "user", id: "alice" }],
    ["group:eng#member", { type: "group", id: "eng", relation: "member" }],
    ["user:*", { type: "user", id: "*" }],
  ])("accepts %s", (text, expected) => {
    expect(parseSubjectRef(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [
      "user:*#member",
      7,
      "wildcard-relation",
      `a wildcard subject can't have a relation at column 7, found "#member"`,
    ],
    [
      "group:eng#member[only_us]",
      17,
      "syntax",
      "expected end of input after the subject at column 17, found '['",
    ],
    [
      "group:eng#..x",
      11,
      "invalid-relation",
      `invalid subject relation "..x" at column 11: must start with a lowercase letter, found '.'`,
    ],
    [
      "user:**",
      6,
      "invalid-object-id",
      `invalid subject id "**" at column 6: '*' is allowed only as the whole id, the wildcard '*'`,
    ],
  ])("rejects %s at column %i", (text, column, code, message) => {
    expect(parseSubjectRef(text)).toEqual({
      ok: false,
      error: { code, message, offset: column - 1, column },
    });
  });
});
