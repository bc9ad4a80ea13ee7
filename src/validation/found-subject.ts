// A subject found in an expansion: whether a caveat conditions it, what it excludes, where it is stored.

import { WILDCARD } from "../tuple/relationship.js";

/**
 * FoundSubject is one subject of a membership set (its type and relation are those of the set it
 * sits in). `relations` are the sets `type:id#relation` whose stored relationships put it there.
 * A wildcard (`id` `*`) may exclude concrete subjects, themselves possibly caveated.
 */
export interface FoundSubject {
  readonly id: string;
  /** Whether some caveat on the way conditions it (caveats are marked, never evaluated). */
  readonly caveated: boolean;
  /** For a wildcard: the subjects removed from it. */
  readonly excluded: readonly FoundSubject[];
  readonly relations: ReadonlySet<string>;
}

/** foundSubject builds a subject combined from `sources`, whose relations it inherits, as SpiceDB tracks them. */
export function foundSubject(
  id: string,
  caveated: boolean,
  excluded: readonly FoundSubject[],
  ...sources: readonly FoundSubject[]
): FoundSubject {
  const relations = new Set<string>();
  for (const source of sources) for (const relation of source.relations) relations.add(relation);
  return { id, caveated, excluded, relations };
}

/** isWildcardSubject is true for the `*` of a type. */
export function isWildcardSubject(subject: FoundSubject): boolean {
  return subject.id === WILDCARD;
}

/** exclusionOf finds the exclusion of `id` on a wildcard. */
export function exclusionOf(wildcard: FoundSubject, id: string): FoundSubject | undefined {
  return wildcard.excluded.find((excluded) => excluded.id === id);
}
