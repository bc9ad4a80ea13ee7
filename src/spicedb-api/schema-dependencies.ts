// SpiceDB's DependentRelations and ComputablePermissions: which relations and permissions compute which.

import type { v1 } from "@authzed/authzed-node";
import { RequestError } from "../api/request-error.js";
import type { CompiledSchema, Rewrite } from "../schema/compiled-schema.js";

/**
 * The name a definition's objects go by as subjects of their own (`user`, not `user#member`), as
 * SpiceDB names them: ComputablePermissions without a relation asks what they reach.
 */
const ELLIPSIS = "...";

/** MemberKey is `type#name`. */
type MemberKey = string;

/**
 * dependentRelations lists the relations and permissions a permission is computed from, at any
 * depth, sorted by definition and then name: those its expression names, the relation each arrow
 * walks and the target it computes on each type that relation admits, and the subject sets
 * (`group#member`) each relation reached admits; what those are computed from in turn.
 */
export function dependentRelations(
  schema: CompiledSchema,
  definition: string,
  permission: string,
): v1.ReflectionRelationReference[] {
  requireMember(schema, definition, permission, "permission_name");
  if (schema.member(definition, permission)?.kind !== "permission") {
    throw new RequestError(
      "permission_name",
      `permission_name: '${definition}#${permission}' is a relation, not a permission: DependentRelations lists what a permission is computed from`,
    );
  }
  const start = key(definition, permission);
  const edges = dependencyEdges(schema);
  return references(
    schema,
    reached(start, (at) => edges.get(at) ?? []),
    start,
    "",
  );
}

/**
 * computablePermissions lists the relations and permissions computed from `definition#relation`
 * (from the definition's objects themselves, when relation is empty), at any depth: the inverse
 * of {@link dependentRelations}, so that one lists what a change to the other may change. Only
 * those of definitions whose names begin with definitionPrefix are listed.
 */
export function computablePermissions(
  schema: CompiledSchema,
  definition: string,
  relation: string,
  definitionPrefix: string,
): v1.ReflectionRelationReference[] {
  if (relation === "") requireDefinition(schema, definition);
  else requireMember(schema, definition, relation, "relation_name");
  const start = key(definition, relation === "" ? ELLIPSIS : relation);
  const users = new Map<MemberKey, MemberKey[]>();
  for (const [from, tos] of dependencyEdges(schema)) {
    for (const to of tos) {
      const known = users.get(to);
      if (known === undefined) users.set(to, [from]);
      else known.push(from);
    }
  }
  return references(
    schema,
    reached(start, (at) => users.get(at) ?? []),
    start,
    definitionPrefix,
  );
}

/**
 * dependencyEdges maps each relation and permission to what it is directly computed from (see
 * dependentRelations); a relation that admits a definition's objects themselves, or its
 * wildcard, is computed from `type#...`.
 */
function dependencyEdges(schema: CompiledSchema): Map<MemberKey, MemberKey[]> {
  const edges = new Map<MemberKey, MemberKey[]>();
  for (const [type, definition] of schema.definitions) {
    for (const member of definition.members.values()) {
      const from: MemberKey[] = [];
      if (member.kind === "relation") {
        for (const subject of member.allowedSubjects) {
          const relation = subject.wildcard ? ELLIPSIS : (subject.relation ?? ELLIPSIS);
          from.push(key(subject.type, relation));
        }
      } else {
        rewriteUses(schema, type, member.rewrite, from);
      }
      edges.set(key(type, member.name), from);
    }
  }
  return edges;
}

/** rewriteUses adds to uses what a permission's rewrite on an object of type reads. */
function rewriteUses(schema: CompiledSchema, type: string, rewrite: Rewrite, uses: MemberKey[]) {
  switch (rewrite.kind) {
    case "nil":
    case "self":
      return;
    case "computed":
      uses.push(key(type, rewrite.name));
      return;
    case "arrow": {
      uses.push(key(type, rewrite.tupleset));
      const tupleset = schema.member(type, rewrite.tupleset);
      if (tupleset?.kind !== "relation") return;
      for (const subject of tupleset.allowedSubjects) {
        if (schema.member(subject.type, rewrite.target) !== undefined) {
          uses.push(key(subject.type, rewrite.target));
        }
      }
      return;
    }
    case "union":
    case "intersection":
      for (const child of rewrite.children) rewriteUses(schema, type, child, uses);
      return;
    case "exclusion":
      rewriteUses(schema, type, rewrite.base, uses);
      rewriteUses(schema, type, rewrite.subtracted, uses);
      return;
  }
}

/** reached is every key reachable from start along next, start left out unless a cycle returns to it. */
function reached(start: MemberKey, next: (at: MemberKey) => readonly MemberKey[]): Set<MemberKey> {
  const seen = new Set<MemberKey>();
  const pending = [...next(start)];
  for (let at = pending.pop(); at !== undefined; at = pending.pop()) {
    if (seen.has(at)) continue;
    seen.add(at);
    pending.push(...next(at));
  }
  return seen;
}

/**
 * references are the keys as SpiceDB's references, sorted by definition and then name: without
 * the one asked about, the objects-themselves keys, and those of definitions not beginning with
 * definitionPrefix.
 */
function references(
  schema: CompiledSchema,
  keys: ReadonlySet<MemberKey>,
  asked: MemberKey,
  definitionPrefix: string,
): v1.ReflectionRelationReference[] {
  const found: v1.ReflectionRelationReference[] = [];
  for (const member of keys) {
    if (member === asked) continue;
    const at = member.lastIndexOf("#");
    const definitionName = member.slice(0, at);
    const relationName = member.slice(at + 1);
    if (relationName === ELLIPSIS || !definitionName.startsWith(definitionPrefix)) continue;
    const isPermission = schema.member(definitionName, relationName)?.kind === "permission";
    found.push({ definitionName, relationName, isPermission });
  }
  return found.sort(
    (a, b) =>
      compare(a.definitionName, b.definitionName) || compare(a.relationName, b.relationName),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function key(type: string, name: string): MemberKey {
  return `${type}#${name}`;
}

function requireDefinition(schema: CompiledSchema, definition: string): void {
  if (!schema.definitions.has(definition)) {
    throw new RequestError("definition_name", `the schema has no definition '${definition}'`);
  }
}

function requireMember(schema: CompiledSchema, definition: string, name: string, field: string) {
  requireDefinition(schema, definition);
  if (schema.member(definition, name) === undefined) {
    throw new RequestError(
      field,
      `definition '${definition}' has no relation or permission '${name}'`,
    );
  }
}
