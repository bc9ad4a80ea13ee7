// parseAssertion: `resource#permission@subject`, optionally ` with {json context}`.

import { describe, expect, it } from "vitest";
import { parseAssertion } from "../../src/validation/parse-assertion.js";

describe("parseAssertion", () => {
  it("reads a check, with or without caveat context", () => {
    expect(parseAssertion("document:plan#view@user:alice")).toEqual({
      ok: true,
      check: {
        resource: { type: "document", id: "plan" },
        permission: "view",
        subject: { type: "user", id: "alice" },
      },
    });
    const withContext = parseAssertion(' document:plan#view@group:eng#member with {"level": 3}');
    expect(withContext).toEqual({
      ok: true,
      check: {
        resource: { type: "document", id: "plan" },
        permission: "view",
        subject: { type: "group", id: "eng", relation: "member" },
        context: { level: 3 },
      },
    });
  });

  it("points at what is wrong", () => {
    expect(parseAssertion("document:plan#view@")).toMatchObject({ ok: false, offset: 19 });
    expect(parseAssertion("document:plan#view@user:a with [1]")).toEqual({
      ok: false,
      offset: 31,
      message: "the caveat context must be a JSON object",
    });
    expect(
      parseAssertion("document:plan#view@user:a[expiration:2030-01-01T00:00:00Z]"),
    ).toMatchObject({
      ok: false,
      offset: 25,
    });
  });
});
