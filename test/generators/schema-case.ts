// fast-check generator of valid schemas, written as text, whose recursion has a well-defined fixpoint.
//
// Stratified by construction:
// - relations read relations through subject sets, so their cycles are pure unions, and a few
//   read permissions (`group#view`), never in a cycle;
// - permission names are unique across the schema, and a permission reads the relations of its
//   type, the permissions declared before it on its type, and (through arrows) relations or
//   permissions declared before it anywhere;
// - the only permission cycle is a permission reaching itself through `rel->perm` or
//   `rel.any(perm)` directly under its top-level union.
// `self` (the object itself, under `use self`) reads nothing, so it changes none of this.

import fc from "fast-check";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { CAVEAT_MENU } from "./caveat-menu.js";
import { type Chooser, createChooser } from "./choice-tape.js";

/** SchemaCase is a generated schema: its text and what `loadSchema` made of it. */
export interface SchemaCase {
  readonly text: string;
  readonly schema: CompiledSchema;
}

/** The object types a schema may define besides `user`, which has no members. */
const OBJECT_TYPES = ["group", "folder", "document", "project"];
/**
 * Only these relations admit `user:*`, and only they admit subject sets that point at them, of
 * their own type: SpiceDB rejects a wildcard carried into another definition through a subject
 * set, and an arrow over a relation that carries one. So only these relations carry a wildcard.
 */
const WILDCARD_RELATIONS = new Set(["viewer", "banned"]);
const RELATION_NAMES = ["member", "owner", "viewer", "editor", "parent", "banned", "manager"];
const PERMISSION_NAMES = [
  "view",
  "edit",
  "admin",
  "read",
  "write",
  "manage",
  "browse",
  "share",
  "comment",
  "audit",
  "publish",
  "archive",
];
const MAX_EXPRESSION_DEPTH = 2;
/**
 * One schema in SELF_SHARE may write `self` (it then starts `use self`): enough to exercise it in
 * every differential test, few enough to leave the other constructs their share of cases.
 */
const SELF_SHARE = 3;
/** How often a leaf of such a schema's expressions is `self`, against nil's 1, a reference's 4 and an arrow's 3. */
const SELF_WEIGHT = 2;
/** How often a leaf is an arrow to a member that reaches `self`, where the walked relation has one. */
const SELF_ARROW_WEIGHT = 4;
/** Enough decisions for the largest schema; past the end of the tape every decision is the first. */
const TAPE_LENGTH = 600;

interface SubjectSpec {
  readonly type: string;
  readonly relation?: string;
  readonly wildcard: boolean;
  readonly caveat?: string;
  readonly expiration: boolean;
}

type ArrowFunction = "->" | "any" | "all";

type Expression =
  | { readonly kind: "nil" }
  /** `self`: the object itself, under `use self`. */
  | { readonly kind: "self" }
  | { readonly kind: "ref"; readonly name: string }
  | {
      readonly kind: "arrow";
      readonly fn: ArrowFunction;
      readonly relation: string;
      readonly target: string;
    }
  | { readonly kind: "union" | "intersection"; readonly children: readonly Expression[] }
  | { readonly kind: "exclusion"; readonly base: Expression; readonly subtracted: Expression };

interface TypeSpec {
  readonly name: string;
  readonly relations: Map<string, SubjectSpec[]>;
  readonly permissions: Map<string, Expression>;
}

/**
 * SchemaCaseOptions widen the generated schemas: more types that relations admit as plain
 * subjects and wildcards, as they admit `user`, defined by definitions written from the same tape.
 */
export interface SchemaCaseOptions {
  /** Types besides `user` that relations admit as subjects and wildcards; `extra` defines them. */
  readonly principals?: readonly string[];
  /** Writes definitions (and caveats) appended to the schema, given the caveats it declares. */
  readonly extra?: (choose: Chooser, caveats: readonly string[]) => string;
}

/**
 * schemaCaseWith generates schemas as {@link schemaCase} does, widened by options: relations
 * admit the principals where they admit `user`, and the extra definitions come last.
 */
export function schemaCaseWith(options: SchemaCaseOptions): fc.Arbitrary<SchemaCase> {
  return fc
    .array(fc.nat({ max: 0xffff }), { minLength: TAPE_LENGTH, maxLength: TAPE_LENGTH })
    .map((tape) => buildSchemaCase(createChooser(tape), options));
}

/**
 * schemaCase generates a schema that `loadSchema` accepts: `user` plus two to four object types,
 * relations admitting users, `user:*`, objects and subject sets over relations and permissions
 * (some with a caveat, some with expiration), permissions built from nil, references, arrows
 * (`->`, `.any`, `.all`), unions, intersections and exclusions, recursive hierarchies
 * (`parent->view`, `group#member`), and zero to two caveats from {@link CAVEAT_MENU}. A relation
 * admitting `user:*` may carry it into another of its type through a subject set
 * (`folder#viewer`). Arrows never walk a relation that admits a wildcard, itself or through such a
 * set, and always name a target that some subject type of the walked relation has. Only `user`
 * is ever a wildcard, and `user` has no relations, so no subject set is of a wildcard's type.
 * One schema in three may also write `self` among the operands (then starting `use self`): in
 * unions, intersections and exclusions (either side), read through references to the
 * permissions holding it and through arrows (`parent->view` where the parent's `view` holds it).
 */
export const schemaCase: fc.Arbitrary<SchemaCase> = schemaCaseWith({});

function buildSchemaCase(
  choose: Chooser,
  options: SchemaCaseOptions,
): SchemaCase & fc.WithToStringMethod {
  const principals = ["user", ...(options.principals ?? [])];
  const caveats = choose.subset(CAVEAT_MENU, 0, 2).map((c) => c.name);
  const typeNames = choose.subset(OBJECT_TYPES, 2, 4);
  const expirationAllowed = choose.bool();
  const selfAllowed = choose.below(SELF_SHARE) === SELF_SHARE - 1;
  const types: TypeSpec[] = typeNames.map((name) => ({
    name,
    relations: new Map(choose.subset(RELATION_NAMES, 1, 3).map((r) => [r, []])),
    permissions: new Map(),
  }));
  for (const type of types) {
    for (const [relation, subjects] of type.relations) {
      const count = choose.between(1, 3);
      for (let i = 0; i < count; i++) {
        const subject = allowedSubject(
          choose,
          principals,
          types,
          type,
          relation,
          caveats,
          expirationAllowed,
        );
        if (!subjects.some((s) => subjectText(s) === subjectText(subject))) subjects.push(subject);
      }
    }
  }
  const permissionNames = choose.subset(
    PERMISSION_NAMES,
    PERMISSION_NAMES.length,
    PERMISSION_NAMES.length,
  );
  for (const type of types) {
    const count = choose.between(0, 3);
    for (let i = 0; i < count; i++) {
      const name = permissionNames.shift()!;
      type.permissions.set(name, permissionBody(choose, types, type, name, selfAllowed));
    }
  }

  admitPermissionSets(choose, types, caveats, expirationAllowed);

  const extra = options.extra?.(choose, caveats);
  const usesExpiration =
    types.some((t) =>
      [...t.relations.values()].some((subjects) => subjects.some((s) => s.expiration)),
    ) || /\bexpiration\b/.test(extra ?? "");
  const usesSelf = types.some((t) => [...t.permissions.values()].some(writesSelf));
  const text = [
    ...(usesExpiration ? ["use expiration"] : []),
    // After `use expiration`, which the chain and schema-change tests look for first.
    ...(usesSelf ? ["use self"] : []),
    ...CAVEAT_MENU.filter((c) => caveats.includes(c.name)).map((c) => c.declaration),
    "definition user {}",
    ...types.map(definitionText),
    ...(extra === undefined ? [] : [extra]),
  ].join("\n\n");
  const loaded = loadSchema(`${text}\n`);
  if (!loaded.ok) {
    const problems = loaded.diagnostics.map((d) => d.message).join("\n");
    throw new Error(`schemaCase generated an invalid schema:\n${text}\n${problems}`);
  }
  return {
    text: `${text}\n`,
    schema: loaded.schema,
    [fc.toStringMethod]: () => `schema:\n${text}\n`,
  };
}

/** One allowed subject for `type#relation`; the simplest choice is a plain `user`. */
function allowedSubject(
  choose: Chooser,
  principals: readonly string[],
  types: readonly TypeSpec[],
  type: TypeSpec,
  relation: string,
  caveats: readonly string[],
  expirationAllowed: boolean,
): SubjectSpec {
  const { pick } = choose;
  const wildcardAllowed = WILDCARD_RELATIONS.has(relation);
  const shape = choose.weighted<Pick<SubjectSpec, "type" | "relation" | "wildcard">>(
    [4, () => ({ type: pick(principals), wildcard: false })],
    [wildcardAllowed ? 1 : 0, () => ({ type: pick(principals), wildcard: true })],
    [2, () => ({ type: pick(types).name, wildcard: false })],
    [1, () => ({ type: type.name, wildcard: false })],
    [
      2,
      () => {
        const target = pick(types);
        // A wildcard relation may admit a set of its own type that carries the wildcard.
        const carried = target === type && wildcardAllowed;
        const names = [...target.relations.keys()].filter(
          (name) => carried || !WILDCARD_RELATIONS.has(name),
        );
        if (names.length === 0) return { type: target.name, wildcard: false };
        return { type: target.name, relation: pick(names), wildcard: false };
      },
    ],
    [1, () => ({ type: type.name, relation, wildcard: false })],
  );
  return { ...shape, ...subjectTraits(choose, caveats, expirationAllowed) };
}

/** A subject's caveat (one time in four, when the schema declares any) and expiration (likewise). */
function subjectTraits(
  choose: Chooser,
  caveats: readonly string[],
  expirationAllowed: boolean,
): Pick<SubjectSpec, "caveat" | "expiration"> {
  const caveat = caveats.length > 0 && choose.below(4) === 3 ? choose.pick(caveats) : undefined;
  const expiration = expirationAllowed && choose.below(4) === 3;
  return { caveat, expiration };
}

/**
 * admitPermissionSets lets up to two relations admit a subject set over a permission
 * (`group#view`), as real schemas do (a team's members through a permission), once the
 * permissions exist. Never one that closes a cycle (see closesCycle): it could pass an
 * intersection or an exclusion, and have no fixpoint.
 */
function admitPermissionSets(
  choose: Chooser,
  types: readonly TypeSpec[],
  caveats: readonly string[],
  expirationAllowed: boolean,
): void {
  const count = choose.below(3);
  for (let i = 0; i < count; i++) {
    const type = choose.pick(types);
    const [relation, subjects] = choose.pick([...type.relations]);
    const sets = types
      .flatMap((t) => [...t.permissions.keys()].map((name) => ({ type: t.name, name })))
      .filter((set) => !closesCycle(types, type, relation, set));
    if (sets.length === 0) continue;
    const set = choose.pick(sets);
    const subject: SubjectSpec = {
      type: set.type,
      relation: set.name,
      wildcard: false,
      ...subjectTraits(choose, caveats, expirationAllowed),
    };
    if (!subjects.some((s) => subjectText(s) === subjectText(subject))) subjects.push(subject);
  }
}

/**
 * closesCycle says whether relation `type#relation` admitting the subject set `set` would close a
 * cycle: through the relation reading the set, or through an arrow over the relation that, walking
 * the set's type, reads its target there.
 */
function closesCycle(
  types: readonly TypeSpec[],
  type: TypeSpec,
  relation: string,
  set: Member,
): boolean {
  const subjects = type.relations.get(relation)!;
  const edges: [Member, Member][] = [[{ type: type.name, name: relation }, set]];
  const setType = types.find((t) => t.name === set.type)!;
  for (const [name, expression] of type.permissions) {
    for (const target of arrowTargetsOver(expression, relation)) {
      if (setType.relations.has(target) || setType.permissions.has(target)) {
        edges.push([
          { type: type.name, name },
          { type: set.type, name: target },
        ]);
      }
    }
  }
  subjects.push({ type: set.type, relation: set.name, wildcard: false, expiration: false });
  const closes = edges.some(([from, to]) => readsMember(types, to, from));
  subjects.pop();
  return closes;
}

/** arrowTargetsOver lists the targets of expression's arrows over relation. */
function arrowTargetsOver(expression: Expression, relation: string): string[] {
  switch (expression.kind) {
    case "arrow":
      return expression.relation === relation ? [expression.target] : [];
    case "union":
    case "intersection":
      return expression.children.flatMap((child) => arrowTargetsOver(child, relation));
    case "exclusion":
      return [
        ...arrowTargetsOver(expression.base, relation),
        ...arrowTargetsOver(expression.subtracted, relation),
      ];
    default:
      return [];
  }
}

/** Member is a relation or permission of a type. */
interface Member {
  readonly type: string;
  readonly name: string;
}

/** readsMember says whether member `from` reads member `to`, at any distance. */
function readsMember(types: readonly TypeSpec[], from: Member, to: Member): boolean {
  const byName = new Map(types.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const pending = [from];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.type === to.type && next.name === to.name) return true;
    const key = `${next.type}#${next.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pending.push(...membersRead(byName, next));
  }
  return false;
}

/** membersRead lists the members `type#name` reads directly: its subject sets, or its expression's references and arrows. */
function membersRead(byName: ReadonlyMap<string, TypeSpec>, { type, name }: Member): Member[] {
  const spec = byName.get(type);
  const subjects = spec?.relations.get(name);
  if (subjects !== undefined) {
    return subjects.flatMap((s) =>
      s.relation === undefined ? [] : [{ type: s.type, name: s.relation }],
    );
  }
  const read: Member[] = [];
  const walk = (e: Expression): void => {
    switch (e.kind) {
      case "nil":
      case "self":
        return;
      case "ref":
        read.push({ type, name: e.name });
        return;
      case "arrow":
        read.push({ type, name: e.relation });
        for (const s of spec?.relations.get(e.relation) ?? [])
          read.push({ type: s.type, name: e.target });
        return;
      case "union":
      case "intersection":
        e.children.forEach(walk);
        return;
      case "exclusion":
        walk(e.base);
        walk(e.subtracted);
        return;
    }
  };
  const expression = spec?.permissions.get(name);
  if (expression !== undefined) walk(expression);
  return read;
}

/**
 * The expression of permission `name` on `type`, over the type's relations, the permissions
 * declared before it, arrows to members declared so far and, when selfAllowed, `self`; sometimes
 * also recursive, through an any-arrow over a relation that admits the type itself, added to its
 * top-level union.
 */
function permissionBody(
  choose: Chooser,
  types: readonly TypeSpec[],
  type: TypeSpec,
  name: string,
  selfAllowed: boolean,
): Expression {
  const { pick, weighted } = choose;
  const byName = new Map(types.map((t) => [t.name, t]));
  const references = [...type.relations.keys(), ...type.permissions.keys()];
  const walkable = [...type.relations].filter(
    ([, subjects]) =>
      !subjects.some(
        (s) => s.wildcard || (s.type === type.name && WILDCARD_RELATIONS.has(s.relation ?? "")),
      ),
  );
  const arrowable = walkable
    .map(([relation, subjects]) => ({ relation, targets: arrowTargets(subjects, byName) }))
    .filter((a) => a.targets.length > 0);
  const leaf = (): Expression => {
    const options: [number, () => Expression][] = [
      [1, () => ({ kind: "nil" })],
      [4, () => ({ kind: "ref", name: pick(references) })],
      [selfAllowed ? SELF_WEIGHT : 0, () => ({ kind: "self" })],
    ];
    if (arrowable.length > 0) {
      options.push([
        3,
        () => {
          const { relation, targets } = pick(arrowable);
          const fn = pick<ArrowFunction>(["->", "any", "all"]);
          return { kind: "arrow", fn, relation, target: pick(targets) };
        },
      ]);
    }
    // Arrows to what reaches `self` on the objects they walk to: few would by chance, as such
    // targets are few among those declared before.
    const selfArrows = !selfAllowed
      ? []
      : arrowable.flatMap(({ relation, targets }) =>
          targets
            .filter((target) =>
              type.relations
                .get(relation)!
                .some((s) => reachesSelf(byName, { type: s.type, name: target })),
            )
            .map((target) => ({ relation, target })),
        );
    if (selfArrows.length > 0) {
      options.push([
        SELF_ARROW_WEIGHT,
        () => ({
          kind: "arrow",
          fn: pick<ArrowFunction>(["->", "any", "all"]),
          ...pick(selfArrows),
        }),
      ]);
    }
    return weighted(...options);
  };
  const expression = (depth: number): Expression =>
    depth === 0
      ? leaf()
      : weighted<Expression>(
          [3, leaf],
          [2, () => ({ kind: "union", children: operands(depth) })],
          [1, () => ({ kind: "intersection", children: operands(depth) })],
          [
            1,
            () => ({
              kind: "exclusion",
              base: expression(depth - 1),
              subtracted: expression(depth - 1),
            }),
          ],
        );
  const operands = (depth: number): Expression[] =>
    Array.from({ length: choose.between(2, 3) }, () => expression(depth - 1));

  const body = expression(choose.between(0, MAX_EXPRESSION_DEPTH));
  const selfRelations = walkable
    .filter(([, subjects]) => subjects.some((s) => s.type === type.name))
    .map(([relation]) => relation);
  if (selfRelations.length === 0 || !choose.bool()) return body;
  const recursive: Expression = {
    kind: "arrow",
    fn: pick<ArrowFunction>(["->", "any"]),
    relation: pick(selfRelations),
    target: name,
  };
  return {
    kind: "union",
    children: [...(body.kind === "union" ? body.children : [body]), recursive],
  };
}

/** The names an arrow over a relation with these subjects may target: members declared so far. */
function arrowTargets(
  subjects: readonly SubjectSpec[],
  byName: ReadonlyMap<string, TypeSpec>,
): string[] {
  const targets = new Set<string>();
  for (const subject of subjects) {
    const type = byName.get(subject.type);
    if (type === undefined) continue;
    for (const name of type.relations.keys()) targets.add(name);
    for (const name of type.permissions.keys()) targets.add(name);
  }
  return [...targets];
}

function subjectText(subject: SubjectSpec): string {
  const base = `${subject.type}${subject.wildcard ? ":*" : ""}${subject.relation ? `#${subject.relation}` : ""}`;
  const traits = [
    ...(subject.caveat === undefined ? [] : [subject.caveat]),
    ...(subject.expiration ? ["expiration"] : []),
  ];
  return traits.length === 0 ? base : `${base} with ${traits.join(" and ")}`;
}

function definitionText(type: TypeSpec): string {
  const lines = [
    ...[...type.relations].map(
      ([name, subjects]) => `  relation ${name}: ${subjects.map(subjectText).join(" | ")}`,
    ),
    ...[...type.permissions].map(
      ([name, expression]) => `  permission ${name} = ${expressionText(expression)}`,
    ),
  ];
  return `definition ${type.name} {\n${lines.join("\n")}\n}`;
}

/** reachesSelf says whether member `from` is, or reads at any distance, a permission writing `self`. */
function reachesSelf(byName: ReadonlyMap<string, TypeSpec>, from: Member): boolean {
  const seen = new Set<string>();
  const pending = [from];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const key = `${next.type}#${next.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const expression = byName.get(next.type)?.permissions.get(next.name);
    if (expression !== undefined && writesSelf(expression)) return true;
    pending.push(...membersRead(byName, next));
  }
  return false;
}

/** writesSelf says whether expression has `self` among its operands, at any depth. */
function writesSelf(expression: Expression): boolean {
  switch (expression.kind) {
    case "self":
      return true;
    case "union":
    case "intersection":
      return expression.children.some(writesSelf);
    case "exclusion":
      return writesSelf(expression.base) || writesSelf(expression.subtracted);
    default:
      return false;
  }
}

function expressionText(expression: Expression): string {
  const operand = (e: Expression): string =>
    e.kind === "union" || e.kind === "intersection" || e.kind === "exclusion"
      ? `(${expressionText(e)})`
      : expressionText(e);
  switch (expression.kind) {
    case "nil":
    case "self":
      return expression.kind;
    case "ref":
      return expression.name;
    case "arrow":
      return expression.fn === "->"
        ? `${expression.relation}->${expression.target}`
        : `${expression.relation}.${expression.fn}(${expression.target})`;
    case "union":
      return expression.children.map(operand).join(" + ");
    case "intersection":
      return expression.children.map(operand).join(" & ");
    case "exclusion":
      return `${operand(expression.base)} - ${operand(expression.subtracted)}`;
  }
}
