// The relations a permission includes on its own object: granting one can make the permission hold.

import type { CompiledSchema, Rewrite } from "./compiled-schema.js";

/** The answers per schema, by `type#name`: a schema is immutable, so they never go stale. */
const answers = new WeakMap<CompiledSchema, Map<string, ReadonlySet<string>>>();

/**
 * includedRelations lists the relations of `type` that `name` includes on the same object: the
 * relation itself, or those its rewrite reaches through other permissions, unions, intersections
 * and the base of exclusions. A relation reached only through an arrow (another object) or only
 * on the subtracted side of an exclusion (which can only take the permission away) is not one.
 * Empty for an unknown type or name. Cached per schema.
 */
export function includedRelations(
  schema: CompiledSchema,
  type: string,
  name: string,
): ReadonlySet<string> {
  let bySchema = answers.get(schema);
  if (bySchema === undefined) {
    bySchema = new Map();
    answers.set(schema, bySchema);
  }
  const key = `${type}#${name}`;
  let found = bySchema.get(key);
  if (found === undefined) {
    const relations = new Set<string>();
    collect(schema, type, name, relations);
    found = relations;
    bySchema.set(key, found);
  }
  return found;
}

function collect(schema: CompiledSchema, type: string, name: string, relations: Set<string>): void {
  // The walk ends: the compiler refuses a permission that uses itself on the same object, and
  // arrows, the only other way back to it, are not followed.
  const member = schema.member(type, name);
  if (member === undefined) return;
  if (member.kind === "relation") {
    relations.add(name);
    return;
  }
  const walk = (rewrite: Rewrite): void => {
    switch (rewrite.kind) {
      case "computed":
        collect(schema, type, rewrite.name, relations);
        return;
      case "union":
      case "intersection":
        rewrite.children.forEach(walk);
        return;
      case "exclusion":
        walk(rewrite.base);
        return;
      case "arrow":
      case "nil":
      case "self":
        return;
    }
  };
  walk(member.rewrite);
}
