// Property tests: generated relationships survive format → parse, and no text makes the parser throw.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRelationship } from "../../src/tuple/format-relationship.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { validateRelationship } from "../../src/tuple/validate-relationship.js";

// SpiceDB's own expressions, so the generators do not share the validators' code.
const objectType = fc.stringMatching(
  /^([a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/,
);
const relation = fc.stringMatching(/^[a-z][a-z0-9_]{1,62}[a-z0-9]$/);
// A caveat's name: what SpiceDB's API takes for one, as its schema reads names (a path of them).
const caveatName = fc
  .stringMatching(/^[a-zA-Z0-9_]+(\/[a-zA-Z0-9_]+)*$/)
  .filter((name) => name.length <= 128);
const objectId = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9/_|\-=+]{1,16}$/),
  fc.stringMatching(/^[a-zA-Z0-9/_|\-=+]{1,1024}$/),
);

const subject: fc.Arbitrary<SubjectRef> = fc.oneof(
  fc.record({ type: objectType, id: objectId }),
  fc.record({ type: objectType, id: objectId, relation }),
  fc.record({ type: objectType, id: fc.constant("*") }),
);

// Values that trip naive formatters are drawn often: -0, brackets and quotes inside strings, a
// surrogate pair, numbers JSON writes in exponent form, and keys such as __proto__. A context's
// strings hold any Unicode text but U+0000, which no JSON store keeps.
const awkwardKey = fc.constantFrom("__proto__", "", "]", "a\u{1F600}b");
const awkwardValue = fc.constantFrom(
  -0,
  "]",
  '"}][',
  "\ud83d\ude00",
  "\u2028",
  1e21,
  5e-324,
  -1e-7,
);
const withoutNul = (text: string) => !text.includes("\u0000");
/** JSON.stringify writes U+0000 as its escape. */
const jsonWithoutNul = (value: unknown) => !JSON.stringify(value).includes("\\u0000");
const context = fc.dictionary(
  fc.oneof(fc.string({ unit: "binary" }).filter(withoutNul), awkwardKey),
  fc.oneof(
    fc.jsonValue({ stringUnit: "binary", maxDepth: 3 }).filter(jsonWithoutNul),
    awkwardValue,
  ),
  { noNullPrototype: true },
);

const caveat = fc.record(
  { name: caveatName, context },
  { requiredKeys: ["name"], noNullPrototype: true },
);

const expiresAt = fc.oneof(
  fc.date({
    min: new Date("0001-01-01T00:00:00.000Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  }),
  // Whole seconds, the common case, written without milliseconds.
  fc.integer({ min: 0, max: 4_102_444_800 }).map((seconds) => new Date(seconds * 1000)),
);

const relationship: fc.Arbitrary<Relationship> = fc.record(
  {
    resource: fc.record({ type: objectType, id: objectId }),
    relation,
    subject,
    caveat,
    expiresAt,
  },
  { requiredKeys: ["resource", "relation", "subject"], noNullPrototype: true },
);

describe("relationship text", () => {
  it("parse(format(r)) equals r, and the text is canonical", () => {
    fc.assert(
      fc.property(relationship, (rel) => {
        expect(validateRelationship(rel)).toBeUndefined();
        const text = formatRelationship(rel);
        const parsed = parseRelationship(text);
        expect(parsed).toEqual({ ok: true, value: rel });
        if (parsed.ok) expect(formatRelationship(parsed.value)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("relationshipKey is the text without caveat and expiration, and parses to the same identity", () => {
    fc.assert(
      fc.property(relationship, (rel) => {
        const key = relationshipKey(rel);
        expect(formatRelationship(rel).startsWith(key)).toBe(true);
        const { caveat: _caveat, expiresAt: _expiresAt, ...identity } = rel;
        expect(parseRelationship(key)).toEqual({ ok: true, value: identity });
      }),
    );
  });

  it("never throws: any text parses to a valid relationship or to an error inside the text", () => {
    const mutated = fc
      .tuple(relationship, fc.nat(), fc.nat(), fc.string({ maxLength: 3, unit: "binary" }))
      .map(([rel, at, length, insert]) => {
        const text = formatRelationship(rel);
        const start = at % (text.length + 1);
        return text.slice(0, start) + insert + text.slice(start + (length % 4));
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), mutated), (text) => {
        const result = parseRelationship(text);
        if (result.ok) {
          expect(validateRelationship(result.value)).toBeUndefined();
          expect(parseRelationship(formatRelationship(result.value))).toEqual(result);
        } else {
          expect(result.error.offset).toBeGreaterThanOrEqual(0);
          expect(result.error.offset).toBeLessThanOrEqual(text.length);
          expect(result.error.column).toBe(result.error.offset + 1);
          expect(result.error.message).toContain(`column ${result.error.column}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
