// What a new schema takes away that stored relationships may rest on: the diff a schema write checks.

import type { AllowedSubject, CompiledSchema } from "./compiled-schema.js";

/**
 * StoredRelations are the relations relationships can be stored in, per definition, with the
 * subjects each allows: those of a schema ({@link storedRelationsOf}), or those that a store's
 * relationships use.
 */
export type StoredRelations = ReadonlyMap<string, ReadonlyMap<string, readonly AllowedSubject[]>>;

/**
 * Removal is one thing of the previous schema that the next one takes away: a definition, a
 * relation of a definition it keeps (gone, or now a permission), or one allowed subject of a
 * relation it keeps (`user:*`, `group#member`, `user with expiration`: type, subject relation or
 * wildcard, caveat and expiration, exactly).
 */
export type Removal =
  | { readonly kind: "definition"; readonly definition: string }
  | { readonly kind: "relation"; readonly definition: string; readonly relation: string }
  | {
      readonly kind: "subject";
      readonly definition: string;
      readonly relation: string;
      readonly subject: AllowedSubject;
    };

/** storedRelationsOf lists the relations of schema (not its permissions) with their allowed subjects. */
export function storedRelationsOf(schema: CompiledSchema): StoredRelations {
  const relations = new Map<string, Map<string, readonly AllowedSubject[]>>();
  for (const [name, definition] of schema.definitions) {
    const members = new Map<string, readonly AllowedSubject[]>();
    for (const member of definition.members.values()) {
      if (member.kind === "relation") members.set(member.name, member.allowedSubjects);
    }
    relations.set(name, members);
  }
  return relations;
}

/**
 * schemaRemovals lists what next takes away from previous, in previous's order. Of relationships
 * that previous allows, next refuses exactly those that a removal covers: the relationships on a
 * removed definition, of a removed relation, or of a removed allowed subject (next cannot name a
 * subject type or subject relation it lacks, so removing one removes every allowed subject that
 * names it). So a schema write need only look for relationships of each removal.
 */
export function schemaRemovals(previous: StoredRelations, next: CompiledSchema): Removal[] {
  const removals: Removal[] = [];
  for (const [definition, relations] of previous) {
    if (!next.definitions.has(definition)) {
      removals.push({ kind: "definition", definition });
      continue;
    }
    for (const [relation, subjects] of relations) {
      const member = next.member(definition, relation);
      if (member?.kind !== "relation") {
        removals.push({ kind: "relation", definition, relation });
        continue;
      }
      for (const subject of subjects) {
        if (!member.allowedSubjects.some((kept) => sameAllowedSubject(kept, subject))) {
          removals.push({ kind: "subject", definition, relation, subject });
        }
      }
    }
  }
  return removals;
}

/** sameAllowedSubject says whether a and b allow the same relationships. */
function sameAllowedSubject(a: AllowedSubject, b: AllowedSubject): boolean {
  return (
    a.type === b.type &&
    a.relation === b.relation &&
    a.wildcard === b.wildcard &&
    a.caveat === b.caveat &&
    a.expiration === b.expiration
  );
}
