// Table tests for parseRelationship: what each valid text means, and where each invalid one fails.

import { describe, expect, it } from "vitest";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";

const plan = { type: "document", id: "plan" };
const alice = { type: "user", id: "alice" };

describe("parseRelationship accepts", () => {
  const cases: [string, Relationship][] = [
    ["document:plan#viewer@user:alice", { resource: plan, relation: "viewer", subject: alice }],
    [
      "document:plan#viewer@group:eng#member",
      {
        resource: plan,
        relation: "viewer",
        subject: { type: "group", id: "eng", relation: "member" },
      },
    ],
    [
      "document:plan#viewer@user:*",
      { resource: plan, relation: "viewer", subject: { type: "user", id: "*" } },
    ],
    // SpiceDB's ellipsis is the object itself.
    ["document:plan#viewer@user:alice#...", { resource: plan, relation: "viewer", subject: alice }],
    [
      "document:plan#viewer@user:*#...",
      { resource: plan, relation: "viewer", subject: { type: "user", id: "*" } },
    ],
    [
      "acme/billing/invoice:a/b_c|d-e=f+G9#can_view@acme/user:X==",
      {
        resource: { type: "acme/billing/invoice", id: "a/b_c|d-e=f+G9" },
        relation: "can_view",
        subject: { type: "acme/user", id: "X==" },
      },
    ],
    [
      "document:plan#viewer@user:alice[only_us]",
      { resource: plan, relation: "viewer", subject: alice, caveat: { name: "only_us" } },
    ],
    [
      "document:plan#viewer@user:alice[acme/only_us]",
      { resource: plan, relation: "viewer", subject: alice, caveat: { name: "acme/only_us" } },
    ],
    [
      // Caveat names take SpiceDB's looser rule: capitals, a digit first, one character.
      "document:plan#viewer@user:alice[acme/IsAdmin]",
      { resource: plan, relation: "viewer", subject: alice, caveat: { name: "acme/IsAdmin" } },
    ],
    [
      'document:plan#viewer@user:alice[2fa:{"x":1}]',
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        caveat: { name: "2fa", context: { x: 1 } },
      },
    ],
    [
      'document:plan#viewer@user:alice[in_region:{"regions": ["us", "ca"], "x": {"y": null}}]',
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        caveat: { name: "in_region", context: { regions: ["us", "ca"], x: { y: null } } },
      },
    ],
    [
      // ']' and escapes inside JSON strings do not end the context.
      'document:plan#viewer@user:alice[tag:{"s":"a]\\"[b\\u00e9","n":-1.5e3,"t":true,"f":false}]',
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        caveat: { name: "tag", context: { s: 'a]"[bé', n: -1500, t: true, f: false } },
      },
    ],
    [
      "document:plan#viewer@user:alice[tag:{}]",
      { resource: plan, relation: "viewer", subject: alice, caveat: { name: "tag", context: {} } },
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Z]",
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      },
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T01:30:00.25+01:30]",
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        expiresAt: new Date("2026-12-01T00:00:00.250Z"),
      },
    ],
    [
      // A Date holds milliseconds; finer digits (RFC3339Nano, as zed writes) are truncated.
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00.123999999Z]",
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        expiresAt: new Date("2026-12-01T00:00:00.123Z"),
      },
    ],
    [
      "document:plan#viewer@user:alice[expiration:2024-02-29T23:59:59-05:00]",
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        expiresAt: new Date("2024-03-01T04:59:59Z"),
      },
    ],
    [
      "document:plan#viewer@user:alice[expiration:0001-01-01T00:00:00Z]",
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        expiresAt: new Date("0001-01-01T00:00:00Z"),
      },
    ],
    [
      'document:plan#viewer@group:eng#member[only_us:{"a":1}][expiration:2026-12-01T00:00:00Z]',
      {
        resource: plan,
        relation: "viewer",
        subject: { type: "group", id: "eng", relation: "member" },
        caveat: { name: "only_us", context: { a: 1 } },
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      },
    ],
    [
      // A caveat may be named expiration; a context or no ':' tells it from an expiration.
      'document:plan#viewer@user:alice[expiration:{"a":1}][expiration:2026-12-01T00:00:00Z]',
      {
        resource: plan,
        relation: "viewer",
        subject: alice,
        caveat: { name: "expiration", context: { a: 1 } },
        expiresAt: new Date("2026-12-01T00:00:00Z"),
      },
    ],
    [
      "document:plan#viewer@user:alice[expiration]",
      { resource: plan, relation: "viewer", subject: alice, caveat: { name: "expiration" } },
    ],
  ];

  it.each(cases)("%s", (text, expected) => {
    expect(parseRelationship(text)).toEqual({ ok: true, value: expected });
  });

  it("leaves absent parts out rather than setting them to undefined", () => {
    const result = parseRelationship("document:plan#viewer@user:alice#...");
    expect(result.ok && Object.keys(result.value)).toEqual(["resource", "relation", "subject"]);
    expect(result.ok && Object.keys(result.value.subject)).toEqual(["type", "id"]);
  });

  it("reads __proto__ in a context as an ordinary key, as JSON.parse does", () => {
    const result = parseRelationship('document:plan#viewer@user:alice[tag:{"__proto__":{"x":1}}]');
    expect(result.ok).toBe(true);
    const context = result.ok ? result.value.caveat?.context : undefined;
    expect(context).toEqual(JSON.parse('{"__proto__":{"x":1}}'));
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
  });
});

describe("parseRelationship rejects", () => {
  // Each case: the text, a caret under the offending character, the error code and message.
  const cases: [string, string, string, string][] = [
    ["", "^", "syntax", "expected a resource type at column 1, found end of input"],
    [
      "document:plan",
      "             ^",
      "syntax",
      "expected '#' after the resource id at column 14, found end of input",
    ],
    [
      "document#viewer@user:alice",
      "        ^",
      "syntax",
      "expected ':' after the resource type at column 9, found '#'",
    ],
    [
      "document:#viewer@user:alice",
      "         ^",
      "syntax",
      "expected a resource id after ':' at column 10, found '#'",
    ],
    [
      "document:plan viewer@user:alice",
      "             ^",
      "invalid-object-id",
      `invalid resource id "plan viewer" at column 14: ' ' is not allowed; ids use a-z, A-Z, 0-9 and / _ | - = +`,
    ],
    [
      "document:pl!an#viewer@user:alice",
      "           ^",
      "invalid-object-id",
      `invalid resource id "pl!an" at column 12: '!' is not allowed; ids use a-z, A-Z, 0-9 and / _ | - = +`,
    ],
    [
      "document:*#viewer@user:alice",
      "         ^",
      "invalid-object-id",
      `invalid resource id "*" at column 10: '*' is not allowed; only a subject id can be the wildcard '*'`,
    ],
    [
      "Document:plan#viewer@user:alice",
      "^",
      "invalid-object-type",
      `invalid resource type "Document" at column 1: must start with a lowercase letter, found 'D'`,
    ],
    [
      "doc-ument:plan#viewer@user:alice",
      "   ^",
      "invalid-object-type",
      `invalid resource type "doc-ument" at column 4: '-' is not allowed; names use a-z, 0-9 and _`,
    ],
    [
      "document_:plan#viewer@user:alice",
      "        ^",
      "invalid-object-type",
      `invalid resource type "document_" at column 9: must not end with '_'`,
    ],
    [
      "ab:plan#viewer@user:alice",
      "^",
      "invalid-object-type",
      `invalid resource type "ab" at column 1: must be 3 to 64 characters long`,
    ],
    [
      "ab/document:plan#viewer@user:alice",
      "^",
      "invalid-object-type",
      `invalid resource type "ab/document" at column 1: the prefix before '/' must be 3 to 63 characters long`,
    ],
    [
      "acme/:plan#viewer@user:alice",
      "     ^",
      "invalid-object-type",
      `invalid resource type "acme/" at column 6: the name after '/' must be 3 to 64 characters long`,
    ],
    [
      "acme/9doc:plan#viewer@user:alice",
      "     ^",
      "invalid-object-type",
      `invalid resource type "acme/9doc" at column 6: the name after '/' must start with a lowercase letter, found '9'`,
    ],
    [
      "document:plan#@user:alice",
      "              ^",
      "syntax",
      "expected a relation after '#' at column 15, found '@'",
    ],
    [
      "document:plan#Viewer@user:alice",
      "              ^",
      "invalid-relation",
      `invalid relation "Viewer" at column 15: must start with a lowercase letter, found 'V'`,
    ],
    [
      "document:plan#vi@user:alice",
      "              ^",
      "invalid-relation",
      `invalid relation "vi" at column 15: must be 3 to 64 characters long`,
    ],
    [
      "document:plan#acme/viewer@user:alice",
      "                  ^",
      "invalid-relation",
      `invalid relation "acme/viewer" at column 19: '/' is not allowed; names use a-z, 0-9 and _`,
    ],
    [
      "document:plan#viewer",
      "                    ^",
      "syntax",
      "expected '@' after the relation at column 21, found end of input",
    ],
    [
      "document:plan#viewer#owner@user:alice",
      "                    ^",
      "syntax",
      "expected '@' after the relation at column 21, found '#'",
    ],
    [
      "document:plan#viewer@",
      "                     ^",
      "syntax",
      "expected a subject type at column 22, found end of input",
    ],
    [
      "document:plan#viewer@user",
      "                         ^",
      "syntax",
      "expected ':' after the subject type at column 26, found end of input",
    ],
    [
      "document:plan#viewer@user:",
      "                          ^",
      "syntax",
      "expected a subject id after ':' at column 27, found end of input",
    ],
    [
      "document:plan#viewer@user:al*",
      "                            ^",
      "invalid-object-id",
      `invalid subject id "al*" at column 29: '*' is allowed only as the whole id, the wildcard '*'`,
    ],
    [
      "document:plan#viewer@user:*#member",
      "                           ^",
      "wildcard-relation",
      `a wildcard subject can't have a relation at column 28, found "#member"`,
    ],
    [
      "document:plan#viewer@group:eng#",
      "                               ^",
      "syntax",
      "expected a subject relation after '#' at column 32, found end of input",
    ],
    [
      "document:plan#viewer@group:eng#mem-ber",
      "                                  ^",
      "invalid-relation",
      `invalid subject relation "mem-ber" at column 35: '-' is not allowed; names use a-z, 0-9 and _`,
    ],
    [
      "document:plan#viewer@group:eng#member#x",
      "                                     ^",
      "syntax",
      "expected '[' or end of input after the subject at column 38, found '#'",
    ],
    [
      "document:plan#viewer@user:alice@user:bob",
      "                               ^",
      "syntax",
      "expected '[' or end of input after the subject at column 32, found '@'",
    ],
    [
      "document:plan#viewer@user:alice ",
      "                               ^",
      "invalid-object-id",
      `invalid subject id "alice " at column 32: ' ' is not allowed; ids use a-z, A-Z, 0-9 and / _ | - = +`,
    ],
    [
      "document:plan#viewer@user:alice[]",
      "                                ^",
      "syntax",
      "expected a caveat name after '[' at column 33, found ']'",
    ],
    [
      "document:plan#viewer@user:alice[only-us]",
      "                                    ^",
      "invalid-caveat-name",
      `invalid caveat name "only-us" at column 37: '-' is not allowed; caveat names use a-z, A-Z, 0-9 and _, with '/' after a prefix`,
    ],
    [
      "document:plan#viewer@user:alice[only_us",
      "                                       ^",
      "syntax",
      "expected ':' or ']' after the caveat name at column 40, found end of input",
    ],
    [
      'document:plan#viewer@user:alice[only_us:"a"]',
      "                                        ^",
      "syntax",
      `expected '{' to start the caveat context at column 41, found '"'`,
    ],
    [
      "document:plan#viewer@user:alice[only_us:]",
      "                                        ^",
      "syntax",
      "expected '{' to start the caveat context at column 41, found ']'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":}]',
      "                                             ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected a JSON value at column 46, found '}'",
    ],
    [
      "document:plan#viewer@user:alice[only_us:{a:1}]",
      "                                         ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected a string key or '}' at column 42, found 'a'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":1,}]',
      "                                               ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected a string key at column 48, found '}'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a" 1}]',
      "                                             ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected ':' after an object key at column 46, found '1'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":[1 2]}]',
      "                                                ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected ',' or ']' after an array element at column 49, found '2'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":1]',
      "                                              ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected ',' or '}' after an object value at column 47, found ']'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":1.}]',
      "                                               ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected a digit after '.' at column 48, found '}'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":1e999}]',
      "                                             ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: number out of range at column 46",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":"\\x"}]',
      "                                              ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: invalid escape '\\x' in a string at column 47",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":"\\u12"}]',
      "                                              ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected 4 hex digits after '\\u' at column 47",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":"x\ty"}]',
      "                                               ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: U+0009 must be escaped in a string at column 48",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":"x',
      "                                               ^",
      "invalid-caveat-context",
      `invalid JSON in caveat context: expected '"' to close the string at column 48, found end of input`,
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":tru}]',
      "                                             ^",
      "invalid-caveat-context",
      "invalid JSON in caveat context: expected a JSON value at column 46, found 't'",
    ],
    [
      'document:plan#viewer@user:alice[only_us:{"a":1} ]',
      "                                               ^",
      "syntax",
      "expected ']' after the caveat context at column 48, found ' '",
    ],
    [
      "document:plan#viewer@user:alice[only_us][other]",
      "                                        ^",
      "syntax",
      "expected '[expiration:' or end of input after the caveat at column 41, found '['",
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Z][only_us]",
      "                                                                ^",
      "syntax",
      "expected end of input after the expiration at column 65, found '['; a caveat goes before the expiration",
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Z]x",
      "                                                                ^",
      "syntax",
      "expected end of input after the expiration at column 65, found 'x'",
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Z",
      "                                                               ^",
      "syntax",
      "expected ']' after the expiration timestamp at column 64, found end of input",
    ],
    [
      "document:plan#viewer@user:alice[expiration:]",
      "                                           ^",
      "invalid-expiration",
      `invalid expiration timestamp "" at column 44: expected a digit, found end of timestamp; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01]",
      "                                                     ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01" at column 54: expected 'T', found end of timestamp; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01 00:00:00Z]",
      "                                                     ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01 00:00:00Z" at column 54: expected 'T', found ' '; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00]",
      "                                                              ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:00" at column 63: expected 'Z' or an offset like +02:00, found end of timestamp; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00z]",
      "                                                              ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:00z" at column 63: expected 'Z' or an offset like +02:00, found 'z'; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00.Z]",
      "                                                               ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:00.Z" at column 64: expected a digit after '.', found 'Z'; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00Zx]",
      "                                                               ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:00Zx" at column 64: unexpected 'x' after the time zone; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-13-01T00:00:00Z]",
      "                                                ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-13-01T00:00:00Z" at column 49: month must be 01 to 12; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-02-29T00:00:00Z]",
      "                                                   ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-02-29T00:00:00Z" at column 52: day must be 01 to 28 in 2026-02; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T24:00:00Z]",
      "                                                      ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T24:00:00Z" at column 55: hour must be 00 to 23; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:60Z]",
      "                                                            ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:60Z" at column 61: second must be 00 to 59; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
    [
      "document:plan#viewer@user:alice[expiration:2026-12-01T00:00:00+0200]",
      "                                                                 ^",
      "invalid-expiration",
      `invalid expiration timestamp "2026-12-01T00:00:00+0200" at column 66: expected ':', found '0'; expected RFC 3339 like 2026-12-01T00:00:00Z`,
    ],
  ];

  it.each(cases)("%s", (text, caret, code, message) => {
    const offset = caret.indexOf("^");
    expect(parseRelationship(text)).toEqual({
      ok: false,
      error: { code, message, offset, column: offset + 1 },
    });
  });

  it("reports an id over 1,024 characters at its 1,025th character", () => {
    const text = `document:${"a".repeat(1025)}#viewer@user:alice`;
    const result = parseRelationship(text);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: "invalid-object-id",
      column: 10 + 1024,
      message: `invalid resource id "${"a".repeat(64)}…" at column 1034: must be 1 to 1024 characters long`,
    });
  });

  it("bounds the nesting of a caveat context", () => {
    const text = `document:plan#viewer@user:alice[tag:{"a":${"[".repeat(100)}]`;
    const result = parseRelationship(text);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: "invalid-caveat-context",
      message: "invalid JSON in caveat context: nested deeper than 32 levels at column 73",
    });
  });

  it("refuses a context string no JSON store keeps, and a context longer than 65,536 characters", () => {
    const error = (text: string) => {
      const result = parseRelationship(text);
      return result.ok ? undefined : result.error;
    };
    expect(error('document:plan#viewer@user:alice[tag:{"a\\u0000":1}]')).toMatchObject({
      code: "invalid-caveat-context",
      message:
        "invalid caveat context: the string at column 38 holds U+0000 at position 2, which JSON stores refuse",
      offset: 37,
    });
    expect(error('document:plan#viewer@user:alice[tag:{"a":"\\udc00"}]')?.message).toBe(
      "invalid caveat context: the string at column 42 holds an unpaired surrogate U+DC00 at position 1, which is not Unicode text",
    );
    const long = `document:plan#viewer@user:alice[tag:{"a":"${"x".repeat(70_000)}"}]`;
    expect(error(long)).toMatchObject({
      code: "invalid-caveat-context",
      message:
        "invalid caveat context: is 70008 characters long as JSON, more than the limit of 65536 (the context starts at column 37)",
      offset: 36,
    });
  });
});
