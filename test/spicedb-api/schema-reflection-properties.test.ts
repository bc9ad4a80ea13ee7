// Schema reflection on generated schemas: DependentRelations holds everything a permission's
// answers can change with (by the reference evaluator), ComputablePermissions is its inverse, and
// DiffSchema finds nothing between a schema and itself, everything against an empty one, and
// exactly the change made to one.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadUserSchema } from "../../src/agents/builtin-schema.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { expandPartials } from "../../src/schema/expand-partials.js";
import { formatSchema } from "../../src/schema/formatter.js";
import { parseSchema } from "../../src/schema/parser.js";
import {
  computablePermissions,
  dependentRelations,
} from "../../src/spicedb-api/schema-dependencies.js";
import { type DiffedSchema, diffSchemas } from "../../src/spicedb-api/schema-diff.js";
import { reflectSchema } from "../../src/spicedb-api/schema-reflection.js";
import { checkUniverse } from "../generators/check-universe.js";
import { fixedNow } from "../generators/relationships-for.js";
import { scenario } from "../generators/scenario.js";
import { schemaCase } from "../generators/schema-case.js";
import { evaluateAll } from "../reference/reference-evaluator.js";

/** permissionsOf lists every `type#permission` of a schema. */
function permissionsOf(schema: CompiledSchema): [string, string][] {
  return [...schema.definitions].flatMap(([type, definition]) =>
    [...definition.members.values()]
      .filter((member) => member.kind === "permission")
      .map((member): [string, string] => [type, member.name]),
  );
}

/** membersOf lists every `type#name`, relation or permission, of a schema. */
function membersOf(schema: CompiledSchema): [string, string][] {
  return [...schema.definitions].flatMap(([type, definition]) =>
    [...definition.members.keys()].map((name): [string, string] => [type, name]),
  );
}

const keyOf = (r: { definitionName: string; relationName: string }) =>
  `${r.definitionName}#${r.relationName}`;

describe("DependentRelations on generated schemas", () => {
  it("holds every relation whose relationships can change the permission's answers", () => {
    fc.assert(
      fc.property(scenario({ maxRelationships: 25 }), ({ schemaCase, relationships, context }) => {
        const { schema } = schemaCase;
        const options = { now: fixedNow, context };
        const all = evaluateAll(schema, relationships, options);
        const questions = checkUniverse(schema, relationships);
        for (const [type, permission] of permissionsOf(schema)) {
          const dependent = new Set(dependentRelations(schema, type, permission).map(keyOf));
          // Without every relationship of the relations it does not depend on, it answers alike.
          const kept = relationships.filter((r) =>
            dependent.has(`${r.resource.type}#${r.relation}`),
          );
          const fewer = evaluateAll(schema, kept, options);
          for (const { resource, subject } of questions.filter(
            (q) => q.resource.type === type && q.permission === permission,
          )) {
            expect(fewer.check(resource, permission, subject)).toEqual(
              all.check(resource, permission, subject),
            );
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("is the inverse of ComputablePermissions", () => {
    fc.assert(
      fc.property(schemaCase, ({ schema }) => {
        const dependents = new Map(
          permissionsOf(schema).map(([type, permission]) => [
            `${type}#${permission}`,
            new Set(dependentRelations(schema, type, permission).map(keyOf)),
          ]),
        );
        for (const [type, name] of membersOf(schema)) {
          const computed = computablePermissions(schema, type, name, "").map(keyOf);
          const computedSet = new Set(computed);
          expect(computed).toEqual([...computed].sort());
          for (const [permission, dependent] of dependents) {
            if (permission === `${type}#${name}`) continue;
            expect(computedSet.has(permission)).toBe(dependent.has(`${type}#${name}`));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** described is a schema text's reflection and compiled form, as DiffSchema compares them. */
function described(text: string): DiffedSchema {
  const loaded = loadUserSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return { reflection: reflectSchema(expandPartials(loaded.ast).ast), compiled: loaded.schema };
}

describe("DiffSchema on generated schemas", () => {
  it("finds nothing between a schema and itself, as written or formatted", () => {
    fc.assert(
      fc.property(schemaCase, ({ text }) => {
        const schema = described(text);
        expect(diffSchemas(schema, schema)).toEqual([]);
        expect(diffSchemas(schema, described(formatSchema(parseSchema(text).ast)))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("finds every definition and caveat added to an empty schema, and removed from it back", () => {
    fc.assert(
      fc.property(schemaCase, ({ text }) => {
        const schema = described(text);
        const empty = described("");
        const { definitions, caveats } = schema.reflection;
        expect(diffSchemas(empty, schema)).toEqual([
          ...definitions.map((d) => ({ oneofKind: "definitionAdded", definitionAdded: d })),
          ...caveats.map((c) => ({ oneofKind: "caveatAdded", caveatAdded: c })),
        ]);
        expect(diffSchemas(schema, empty)).toEqual([
          ...definitions.map((d) => ({ oneofKind: "definitionRemoved", definitionRemoved: d })),
          ...caveats.map((c) => ({ oneofKind: "caveatRemoved", caveatRemoved: c })),
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it("finds exactly the change made: a definition, a relation or a comment added", () => {
    const change = fc.record({
      schema: schemaCase,
      kind: fc.constantFrom("definition", "relation", "comment"),
      at: fc.nat(),
    });
    fc.assert(
      fc.property(change, ({ schema, kind, at }) => {
        const before = described(schema.text);
        const names = before.reflection.definitions.map((d) => d.name);
        const target = names[at % names.length]!;
        const opening = new RegExp(`^definition ${target} \\{`, "m");
        const changed =
          kind === "definition"
            ? `${schema.text}\n\ndefinition zz_added {}\n`
            : kind === "relation"
              ? schema.text.replace(opening, (line) => `${line}\n  relation zz_added: user`)
              : schema.text.replace(opening, (line) => `// zz changed\n${line}`);
        const after = described(changed);
        const diffs = diffSchemas(before, after).map((diff) => {
          const about = (diff as Record<string, unknown>)[diff.oneofKind!] as {
            name: string;
            parentDefinitionName?: string;
          };
          return `${diff.oneofKind} ${about.parentDefinitionName ?? ""}#${about.name}`;
        });
        const expected = {
          definition: "definitionAdded #zz_added",
          relation: `relationAdded ${target}#zz_added`,
          comment: `definitionDocCommentChanged #${target}`,
        }[kind];
        expect(diffs).toEqual([expected]);
      }),
      { numRuns: 60 },
    );
  });
});
