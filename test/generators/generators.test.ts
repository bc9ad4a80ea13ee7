// The generators produce what they promise: valid, stratified schemas, valid relationships and contexts, full universes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateCaveatContext } from "../../src/schema/caveat/validate-caveat-context.js";
import type { CompiledSchema, Rewrite } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { validateRelationship } from "../../src/tuple/validate-relationship.js";
import { memberGraph, memberStrata } from "../reference/member-strata.js";
import { evaluateAll } from "../reference/reference-evaluator.js";
import {
  CEL_PARAMETER_TYPES,
  type CelCaveat,
  caveatDeclaration,
  celCaveat,
  celCaveatCase,
} from "./cel-expression.js";
import { checkUniverse } from "./check-universe.js";
import { fixedNow, objectPool, relationshipsFor } from "./relationships-for.js";
import { requestContextFor } from "./request-context-for.js";
import { scenario } from "./scenario.js";
import { schemaCase } from "./schema-case.js";

const NAME = /^[a-z][a-z0-9_]*[a-z0-9]$/;
const SAMPLES = { numRuns: 300, seed: 20250601 };

/** Every node of a rewrite tree. */
function nodes(rewrite: Rewrite): Rewrite[] {
  if (rewrite.kind === "union" || rewrite.kind === "intersection") {
    return [rewrite, ...rewrite.children.flatMap(nodes)];
  }
  if (rewrite.kind === "exclusion")
    return [rewrite, ...nodes(rewrite.base), ...nodes(rewrite.subtracted)];
  return [rewrite];
}

/** Where `self` is in a rewrite: under which operation, and on which side of an exclusion. */
function selfPlaces(rewrite: Rewrite, place: string, places: Set<string>): void {
  switch (rewrite.kind) {
    case "self":
      places.add(place);
      return;
    case "union":
    case "intersection":
      for (const child of rewrite.children) {
        selfPlaces(
          child,
          `self in ${rewrite.kind === "union" ? "a union" : "an intersection"}`,
          places,
        );
      }
      return;
    case "exclusion":
      selfPlaces(rewrite.base, "self in an exclusion's base", places);
      selfPlaces(rewrite.subtracted, "self subtracted", places);
      return;
    default:
      return;
  }
}

/** The members of a schema whose expression has `self`, as `type#name`. */
function writingSelf(schema: CompiledSchema): Set<string> {
  const members = new Set<string>();
  for (const { type, rewrite } of rewrites(schema)) {
    if (rewrite.kind !== "self") continue;
    for (const member of schema.definitions.get(type)!.members.values()) {
      if (member.kind === "permission" && nodes(member.rewrite).includes(rewrite)) {
        members.add(`${type}#${member.name}`);
      }
    }
  }
  return members;
}

/** Every node of every permission of a schema, with the type it belongs to. */
function rewrites(schema: CompiledSchema): { type: string; rewrite: Rewrite }[] {
  return [...schema.definitions].flatMap(([type, definition]) =>
    [...definition.members.values()].flatMap((member) =>
      member.kind === "permission"
        ? nodes(member.rewrite).map((rewrite) => ({ type, rewrite }))
        : [],
    ),
  );
}

describe("schemaCase", () => {
  it("generates schemas that load, with valid names", () => {
    fc.assert(
      fc.property(schemaCase, ({ text, schema }) => {
        expect(loadSchema(text).ok).toBe(true);
        const names = [
          ...schema.caveats.keys(),
          ...[...schema.definitions].flatMap(([type, d]) => [type, ...d.members.keys()]),
        ];
        for (const name of names) {
          expect(name).toMatch(NAME);
          expect(name.length).toBeGreaterThanOrEqual(3);
        }
        expect(schema.definitions.has("user")).toBe(true);
        expect(schema.definitions.size).toBeGreaterThanOrEqual(3);
        expect(schema.definitions.size).toBeLessThanOrEqual(5);
        expect(schema.caveats.size).toBeLessThanOrEqual(2);
      }),
    );
  });

  it("walks arrows only over wildcard-free relations, to targets some subject type has", () => {
    fc.assert(
      fc.property(schemaCase, ({ schema }) => {
        for (const { type, rewrite } of rewrites(schema)) {
          if (rewrite.kind !== "arrow") continue;
          const tupleset = schema.member(type, rewrite.tupleset);
          if (tupleset?.kind !== "relation")
            throw new Error(`${rewrite.tupleset} is not a relation`);
          expect(tupleset.allowedSubjects.some((s) => s.wildcard)).toBe(false);
          const targets = tupleset.allowedSubjects.filter(
            (s) => schema.member(s.type, rewrite.target) !== undefined,
          );
          expect(targets.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it("recurses only through unions, subject sets and any-arrows", () => {
    fc.assert(
      fc.property(schemaCase, ({ schema }) => {
        const strata = memberStrata(schema, []);
        const stratumOf = new Map(strata.flatMap((s, i) => s.map((m) => [m, i] as const)));
        for (const edge of memberGraph(schema, [])) {
          if (stratumOf.get(edge.from) === stratumOf.get(edge.to)) {
            expect(edge).toEqual({ ...edge, position: "union" });
          }
        }
      }),
    );
  });

  it("uses wildcards only of types with no relations, so no subject set is of a wildcard's type", () => {
    fc.assert(
      fc.property(schemaCase, ({ schema }) => {
        for (const definition of schema.definitions.values()) {
          for (const member of definition.members.values()) {
            if (member.kind !== "relation") continue;
            for (const s of member.allowedSubjects.filter((a) => a.wildcard)) {
              expect(schema.definitions.get(s.type)?.members.size).toBe(0);
            }
          }
        }
      }),
    );
  });

  it("covers every construct", () => {
    const seen = new Set<string>();
    for (const { schema, text } of fc.sample(schemaCase, SAMPLES)) {
      for (const { rewrite } of rewrites(schema)) {
        seen.add(rewrite.kind === "arrow" ? `arrow ${rewrite.function}` : rewrite.kind);
      }
      for (const definition of schema.definitions.values()) {
        for (const member of definition.members.values()) {
          if (member.kind !== "relation") continue;
          for (const s of member.allowedSubjects) {
            if (s.wildcard) seen.add("wildcard");
            if (s.relation !== undefined) seen.add("subject set");
            if (
              s.relation !== undefined &&
              schema.member(s.type, s.relation)?.kind === "permission"
            ) {
              seen.add("subject set over a permission");
            }
            if (s.relation === member.name && s.type === definition.name) seen.add("nested sets");
            if (s.caveat !== undefined) seen.add("caveat");
            if (s.expiration) seen.add("expiration");
          }
        }
      }
      if (schema.caveats.size === 2) seen.add("two caveats");
      if (text.includes("use expiration")) seen.add("use expiration");
      if (text.includes("use self")) seen.add("use self");
      const holdingSelf = writingSelf(schema);
      for (const [type, definition] of schema.definitions) {
        for (const member of definition.members.values()) {
          if (member.kind === "permission") selfPlaces(member.rewrite, "self alone", seen);
          for (const rewrite of member.kind === "permission" ? nodes(member.rewrite) : []) {
            if (rewrite.kind === "computed" && holdingSelf.has(`${type}#${rewrite.name}`)) {
              seen.add("self through a reference");
            }
            if (rewrite.kind !== "arrow") continue;
            const walked = schema.member(type, rewrite.tupleset);
            for (const s of walked?.kind === "relation" ? walked.allowedSubjects : []) {
              if (s.type !== type && holdingSelf.has(`${s.type}#${rewrite.target}`)) {
                seen.add("self through an arrow to another type");
              }
            }
          }
        }
      }
      const cyclic = memberStrata(schema, []).some((s) => s.length > 1);
      const selfLoop = memberGraph(schema, []).some((e) => e.from === e.to);
      if (cyclic || selfLoop) seen.add("recursion");
      for (const definition of schema.definitions.values()) {
        for (const member of definition.members.values()) {
          if (member.kind !== "permission") continue;
          const selfArrow = (r: Rewrite): boolean =>
            (r.kind === "arrow" && r.target === member.name) ||
            (r.kind === "union" && r.children.some(selfArrow));
          if (selfArrow(member.rewrite)) seen.add("recursive permission");
        }
      }
    }
    expect([...seen].sort()).toEqual(
      [
        "arrow all",
        "arrow any",
        "caveat",
        "computed",
        "exclusion",
        "expiration",
        "intersection",
        "nested sets",
        "nil",
        "recursion",
        "recursive permission",
        "subject set",
        "subject set over a permission",
        "two caveats",
        "union",
        "use expiration",
        "wildcard",
        "self",
        "use self",
        "self alone",
        "self in a union",
        "self in an intersection",
        "self in an exclusion's base",
        "self subtracted",
        "self through a reference",
        "self through an arrow to another type",
      ].sort(),
    );
  });

  it("writes `use self` first, exactly in the schemas with `self`, a fair share of them", () => {
    let withSelf = 0;
    for (const { schema, text } of fc.sample(schemaCase, SAMPLES)) {
      const writes = writingSelf(schema).size > 0;
      expect(text.includes("use self"), text).toBe(writes);
      if (!writes) continue;
      // SpiceDB reads `self` as the object itself only after `use self`.
      expect(text.indexOf("use self\n")).toBeLessThan(text.indexOf("definition "));
      withSelf++;
    }
    expect(withSelf / SAMPLES.numRuns).toBeGreaterThan(0.15);
    expect(withSelf / SAMPLES.numRuns).toBeLessThan(0.4);
  });
});

describe("relationshipsFor", () => {
  it("generates distinct relationships that match an allowed subject exactly", () => {
    fc.assert(
      fc.property(scenario(), ({ schemaCase: { schema }, relationships }) => {
        const keys = relationships.map(relationshipKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(relationships.length).toBeLessThanOrEqual(40);
        for (const rel of relationships) {
          expect(validateRelationship(rel)).toBeUndefined();
          const relation = schema.member(rel.resource.type, rel.relation);
          expect(relation?.kind).toBe("relation");
          if (relation?.kind !== "relation") continue;
          const matches = relation.allowedSubjects.filter(
            (s) =>
              s.type === rel.subject.type &&
              s.relation === rel.subject.relation &&
              s.wildcard === (rel.subject.id === "*") &&
              s.caveat === rel.caveat?.name &&
              s.expiration === (rel.expiresAt !== undefined),
          );
          expect(matches).toHaveLength(1);
          expect(objectPool(rel.resource.type)).toContain(rel.resource.id);
          if (rel.subject.id !== "*")
            expect(objectPool(rel.subject.type)).toContain(rel.subject.id);
          if (rel.caveat?.context !== undefined) {
            const caveat = schema.caveats.get(rel.caveat.name)!;
            expect(validateCaveatContext(caveat, rel.caveat.context)).toEqual([]);
          }
        }
      }),
    );
  });

  it("respects the pool size and the relationship limit", () => {
    fc.assert(
      fc.property(
        schemaCase.chain(({ schema }) =>
          relationshipsFor(schema, { maxObjectsPerType: 2, maxRelationships: 5 }),
        ),
        (relationships) => {
          expect(relationships.length).toBeLessThanOrEqual(5);
          for (const { resource } of relationships)
            expect(resource.id).toMatch(/^(alice|bob|.2|.1)$/);
        },
      ),
    );
  });

  it("covers expiries around now, caveat contexts of every shape, subject sets and cycles", () => {
    const seen = new Set<string>();
    for (const { relationships } of fc.sample(scenario(), SAMPLES)) {
      for (const rel of relationships) {
        if (rel.expiresAt !== undefined) {
          const delta = rel.expiresAt.getTime() - fixedNow.getTime();
          seen.add(delta < 0 ? "expired" : delta === 0 ? "expires now" : "expires later");
        }
        if (rel.caveat !== undefined) {
          const size = Object.keys(rel.caveat.context ?? {}).length;
          seen.add(rel.caveat.context === undefined ? "no context" : `context of ${size}`);
        }
        if (rel.subject.id === "*") seen.add("wildcard");
        if (rel.subject.relation !== undefined) seen.add("subject set");
        if (rel.resource.type === rel.subject.type && rel.resource.id !== rel.subject.id) {
          const back = relationships.some(
            (r) =>
              r.relation === rel.relation &&
              r.resource.type === rel.subject.type &&
              r.resource.id === rel.subject.id &&
              r.subject.id === rel.resource.id,
          );
          if (back) seen.add("two-object cycle");
        }
      }
    }
    expect([...seen].sort()).toEqual(
      [
        "context of 0",
        "context of 1",
        "context of 2",
        "expired",
        "expires later",
        "expires now",
        "no context",
        "subject set",
        "two-object cycle",
        "wildcard",
      ].sort(),
    );
  });
});

describe("requestContextFor", () => {
  it("generates well-typed values for the schema's caveat parameters", () => {
    fc.assert(
      fc.property(
        schemaCase.chain(({ schema }) =>
          requestContextFor(schema).map((context) => ({ schema, context })),
        ),
        ({ schema, context }) => {
          const parameters = [...schema.caveats.values()].flatMap((c) => [...c.parameters.keys()]);
          for (const key of Object.keys(context)) expect(parameters).toContain(key);
          for (const caveat of schema.caveats.values()) {
            const own = Object.fromEntries(
              Object.entries(context).filter(([key]) => caveat.parameters.has(key)),
            );
            expect(validateCaveatContext(caveat, own)).toEqual([]);
          }
        },
      ),
    );
  });

  it("sometimes provides nothing, sometimes some and sometimes all parameters", () => {
    const shapes = new Set<string>();
    for (const { schemaCase: generated, context } of fc.sample(scenario(), SAMPLES)) {
      const parameters = [...generated.schema.caveats.values()].flatMap((c) => [
        ...c.parameters.keys(),
      ]);
      if (parameters.length < 2) continue;
      const given = Object.keys(context).length;
      shapes.add(given === 0 ? "none" : given === parameters.length ? "all" : "some");
    }
    expect([...shapes].sort()).toEqual(["all", "none", "some"]);
  });
});

describe("scenario with self", () => {
  it("asks what only self grants: objects themselves (named by no relationship too) and objects reached from others", () => {
    const seen = new Set<string>();
    const withSelf = scenario({ maxRelationships: 15 }).filter(({ schemaCase }) =>
      schemaCase.text.includes("use self"),
    );
    for (const { schemaCase, relationships, context } of fc.sample(withSelf, {
      numRuns: 30,
      seed: 20250601,
    })) {
      const { schema, text } = schemaCase;
      // The same schema with every `self` as `nil`: what it denies, self granted.
      const selfless = loadSchema(text.replace("use self\n", "").replace(/\bself\b/g, "nil"));
      if (!selfless.ok) throw new Error(`the schema without self does not load:\n${text}`);
      const options = { now: fixedNow, context };
      const model = evaluateAll(schema, relationships, options);
      const without = evaluateAll(selfless.schema, relationships, options);
      const named = (type: string, id: string) =>
        relationships.some(
          (r) =>
            (r.resource.type === type && r.resource.id === id) ||
            (r.subject.type === type && r.subject.id === id),
        );
      for (const { resource, permission, subject } of checkUniverse(schema, relationships)) {
        if (model.check(resource, permission, subject).kind !== "allowed") continue;
        if (without.check(resource, permission, subject).kind === "allowed") continue;
        if (subject.type !== resource.type || subject.id !== resource.id) {
          seen.add("an object reached from another");
        } else {
          seen.add(named(resource.type, resource.id) ? "itself" : "itself, named by none");
        }
      }
    }
    expect([...seen].sort()).toEqual(
      ["an object reached from another", "itself", "itself, named by none"].sort(),
    );
  });
});

describe("checkUniverse", () => {
  it("asks every member of every pooled or named object, for every object and subject set", () => {
    fc.assert(
      fc.property(
        scenario({ maxObjectsPerType: 2 }),
        ({ schemaCase: { schema }, relationships }) => {
          const queries = checkUniverse(schema, relationships, { maxObjectsPerType: 2 });
          const text = queries.map(
            ({ resource, permission, subject }) =>
              `${resource.type}:${resource.id}#${permission}@${subject.type}:${subject.id}${subject.relation ? `#${subject.relation}` : ""}`,
          );
          expect(new Set(text).size).toBe(text.length);
          expect(queries.every((q) => q.subject.id !== "*")).toBe(true);
          const subjects = new Set(text.map((t) => t.split("@")[1]));
          for (const [type, definition] of schema.definitions) {
            for (const id of objectPool(type, { maxObjectsPerType: 2 })) {
              expect(subjects).toContain(`${type}:${id}`);
              for (const member of definition.members.keys()) {
                expect(text).toContain(`${type}:${id}#${member}@user:alice`);
                // Each object is asked about itself, as `self` grants, named by a relationship or not.
                expect(text).toContain(`${type}:${id}#${member}@${type}:${id}`);
              }
            }
          }
          for (const { subject } of relationships) {
            if (subject.relation !== undefined) {
              expect(subjects).toContain(`${subject.type}:${subject.id}#${subject.relation}`);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

/** What the caveat generator covers, as found in the text of the expressions it writes. */
const CEL_CONSTRUCTS: Readonly<Record<string, RegExp>> = {
  "&&": / && /,
  "||": / \|\| /,
  "!": /!(?!=)/,
  "?:": / \? .+ : /,
  "==": / == /,
  "!=": / != /,
  "<": / < /,
  "<=": / <= /,
  ">": / > /,
  ">=": / >= /,
  "+": / \+ /,
  "-": / - /,
  "*": / \* /,
  "/": / \/ /,
  "%": / % /,
  "unary -": /\(-/,
  "uint literal": /\du\b/,
  "int64 limit": /9223372036854775807/,
  "string concatenation": /" \+ |\+ "/,
  in: / in /,
  size: /size\(/,
  contains: /\.contains\(/,
  startsWith: /\.startsWith\(/,
  endsWith: /\.endsWith\(/,
  matches: /\.matches\(/,
  "int()": /(?<![\w.])int\(/,
  "uint()": /(?<![\w.])uint\(/,
  "double()": /(?<![\w.])double\(/,
  "string()": /(?<![\w.])string\(/,
  "bool()": /(?<![\w.])bool\(/,
  "bytes()": /(?<![\w.])bytes\(/,
  "timestamp(string)": /timestamp\("/,
  "timestamp(expression)": /timestamp\([^"]/,
  "duration()": /duration\(/,
  "timestamp(string with offset)": /timestamp\("[^"]*[+-]\d\d:\d\d"\)/,
  "number-like string": /"(0x10|1e3|inf|1_000| 1|\+1)"/,
  getHours: /\.getHours\(/,
  getMinutes: /\.getMinutes\(/,
  getDayOfWeek: /\.getDayOfWeek\(/,
  getFullYear: /\.getFullYear\(/,
  getMonth: /\.getMonth\(/,
  getDayOfYear: /\.getDayOfYear\(/,
  "accessor in a zone": /\.get\w+\("/,
  "timestamp ± duration": /[+-] duration\(/,
  "list index": /[\w\])]\[(-?\d|\()/,
  "map index": /[\w\])}]\["/,
  has: /has\(/,
  exists: /\.exists\(/,
  all: /\.all\(/,
  exists_one: /\.exists_one\(/,
  filter: /\.filter\(/,
  map: /\.map\(/,
  in_cidr: /\.in_cidr\(/,
  "\\uffff": /\\uffff/,
  "non-BMP string": /😀|\\U0001F600/,
  é: /é|\\u00e9/,
};

/** Every parameter a caveat declares, as a word of its expression. */
function unused(caveat: CelCaveat): string[] {
  return caveat.parameters
    .map((p) => p.name)
    .filter((name) => !new RegExp(`\\b${name}\\b`).test(caveat.expression));
}

describe("celCaveat", () => {
  it("generates caveats that load, each parameter named p0 to p3 and used", () => {
    fc.assert(
      fc.property(celCaveat, (caveat) => {
        const text = `${caveatDeclaration("generated", caveat)}\ndefinition user {}`;
        const loaded = loadSchema(text);
        expect(loaded.ok ? [] : loaded.diagnostics.map((d) => d.message), text).toEqual([]);
        const names = caveat.parameters.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(name).toMatch(/^p[0-3]$/);
        // SpiceDB refuses a caveat with a parameter its expression does not use.
        expect(unused(caveat)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("covers every construct and parameter type", () => {
    const seen = new Set<string>();
    for (const caveat of fc.sample(celCaveat, SAMPLES)) {
      for (const [construct, pattern] of Object.entries(CEL_CONSTRUCTS)) {
        if (pattern.test(caveat.expression)) seen.add(construct);
      }
      for (const { type } of caveat.parameters) seen.add(`parameter ${type}`);
    }
    const expected = [
      ...Object.keys(CEL_CONSTRUCTS),
      ...CEL_PARAMETER_TYPES.map((type) => `parameter ${type}`),
    ];
    expect([...seen].sort()).toEqual(expected.sort());
  });
});

describe("celCaveatCase", () => {
  it("gives well-typed relationship contexts, and requests a parameter every way", () => {
    const seen = new Set<string>();
    for (const { caveat, relationshipContexts, requestContexts } of fc.sample(
      celCaveatCase(),
      SAMPLES,
    )) {
      const loaded = loadSchema(`${caveatDeclaration("generated", caveat)}\ndefinition user {}`);
      if (!loaded.ok) throw new Error(`the caveat does not load: ${caveat.expression}`);
      const compiled = loaded.schema.caveats.get("generated")!;
      for (const context of relationshipContexts) {
        expect(validateCaveatContext(compiled, context)).toEqual([]);
      }
      for (const context of requestContexts) {
        if (validateCaveatContext(compiled, context).length > 0) seen.add("ill-typed request");
        for (const relationship of relationshipContexts) {
          for (const { name } of caveat.parameters) {
            const sites = [name in relationship, name in context];
            seen.add(["neither", "request", "relationship", "both"][+sites[0]! * 2 + +sites[1]!]!);
          }
        }
      }
      for (const context of [...relationshipContexts, ...requestContexts]) {
        for (const key of Object.keys(context)) {
          expect(caveat.parameters.map((p) => p.name)).toContain(key);
        }
        const text = JSON.stringify(context);
        if (/9223372036854775807/.test(text)) seen.add("int64 limit");
        if (/😀/.test(text)) seen.add("non-BMP string");
        if (/\uffff/.test(text)) seen.add("\\uffff");
      }
    }
    expect([...seen].sort()).toEqual(
      [
        "both",
        "ill-typed request",
        "int64 limit",
        "neither",
        "non-BMP string",
        "relationship",
        "request",
        "\\uffff",
      ].sort(),
    );
  });
});
