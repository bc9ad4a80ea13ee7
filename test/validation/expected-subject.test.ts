// parseExpectedSubject: the strings of an expected-relations list, as SpiceDB's validationfile reads them.

import { describe, expect, it } from "vitest";
import { parseExpectedSubject } from "../../src/validation/expected-subject.js";

describe("parseExpectedSubject", () => {
  it("reads a subject and its relations", () => {
    expect(parseExpectedSubject("[user:bob] is <document:plan#editor>/<group:eng#member>")).toEqual(
      {
        ok: true,
        expected: {
          subject: { type: "user", id: "bob" },
          caveated: false,
          exceptions: [],
          relations: ["document:plan#editor", "group:eng#member"],
        },
      },
    );
  });

  it("reads caveat marks, subject sets and a wildcard's exceptions", () => {
    const caveated = parseExpectedSubject("[user:carol[...]] is <document:plan#viewer>");
    expect(caveated.ok && caveated.expected.caveated).toBe(true);
    const set = parseExpectedSubject("[group:eng#member] is <document:plan#viewer>");
    expect(set.ok && set.expected.subject).toEqual({
      type: "group",
      id: "eng",
      relation: "member",
    });
    const wildcard = parseExpectedSubject(
      "[user:* - {user:bob, user:eve[...]}] is <document:plan#viewer>",
    );
    expect(wildcard.ok && wildcard.expected.exceptions).toEqual([
      { subject: { type: "user", id: "bob" }, caveated: false },
      { subject: { type: "user", id: "eve" }, caveated: true },
    ]);
  });

  it("rejects strings without a subject, bad subjects and relations without a relation", () => {
    expect(parseExpectedSubject("user:bob is <document:plan#viewer>")).toMatchObject({ ok: false });
    expect(parseExpectedSubject("[user bob] is <document:plan#viewer>")).toEqual({
      ok: false,
      message: "invalid subject `user bob`",
    });
    expect(parseExpectedSubject("[user:bob] is <document:plan>")).toEqual({
      ok: false,
      message: "invalid relation `<document:plan>`: expected type:id#relation",
    });
  });
});
