// Definition and caveat names with several prefixes (`org/team/user`), as SpiceDB accepts them.

import { describe, expect, it } from "vitest";
import { formatSchema } from "../../src/schema/formatter.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";
import { formatRelationship } from "../../src/tuple/format-relationship.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import { PREFIXED_SCHEMA } from "./prefixed-schema.js";
import { stripSpans } from "./strip-spans.js";

function errorsOf(text: string): string[] {
  const loaded = loadSchema(text);
  if (loaded.ok) return [];
  return loaded.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`);
}

describe("names with several prefixes", () => {
  it("load, format to the same text, and round-trip", () => {
    const loaded = loadSchema(PREFIXED_SCHEMA);
    expect(loaded.ok ? [...loaded.schema.definitions.keys()] : errorsOf(PREFIXED_SCHEMA)).toEqual([
      "acme/eng/user",
      "acme/eng/group",
      "acme/eng/document",
    ]);
    expect(loaded.ok && [...loaded.schema.caveats.keys()]).toEqual(["acme/eng/on_call"]);
    const parsed = parseSchema(PREFIXED_SCHEMA);
    const formatted = formatSchema(parsed.ast);
    expect(formatted).toBe(PREFIXED_SCHEMA);
    expect(stripSpans(parseSchema(formatted).ast)).toEqual(stripSpans(parsed.ast));
  });

  it("keep SpiceDB's rule for each segment, pointing at the segment that breaks it", () => {
    expect(errorsOf("definition acme/en/user {}\n")).toEqual([
      "1:17: invalid definition name 'acme/en/user': the prefix before '/' must be 3 to 63 characters long; use lowercase letters, digits and '_', 3 to 64 characters, starting with a letter and not ending with '_', after any prefixes of 3 to 63 such characters, each followed by '/' (as in 'org/team/user')",
    ]);
    // A caveat's name follows SpiceDB's looser rule for caveats: `acme/eng/Late` is one.
    expect(errorsOf("caveat acme/eng/Late(x int) {\n\tx > 1\n}\n")).toEqual([]);
    expect(errorsOf(`caveat acme/${"a".repeat(124)}(x int) {\n\tx > 1\n}\n`)).toEqual([
      `1:136: invalid caveat name 'acme/${"a".repeat(124)}': must be 1 to 128 characters long; use letters, digits and '_', 1 to 128 characters, with '/' after any prefixes (as in 'org/IsAdmin')`,
    ]);
    expect(errorsOf("definition acme/eng/ {}\n")).toEqual([
      "1:22: expected a name after 'acme/eng/', found '{'",
    ]);
  });

  it("are read and written in relationship text", () => {
    const text = "acme/eng/document:plan#viewer@acme/eng/group:core#member";
    const parsed = parseRelationship(text);
    expect(parsed.ok && parsed.value.resource).toEqual({ type: "acme/eng/document", id: "plan" });
    expect(parsed.ok && formatRelationship(parsed.value)).toBe(text);
  });
});
