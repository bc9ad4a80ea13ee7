// Subtraction of subject sets, for exclusions: removal, wildcard exclusions, caveated removals.

import { WILDCARD } from "../tuple/relationship.js";
import { exclusionOf, type FoundSubject, foundSubject } from "./found-subject.js";
import { type SubjectSet, subjectsOf } from "./subject-set.js";

/**
 * subtractSubjects removes b's subjects from a. An uncaveated removal drops a concrete subject; a
 * caveated one keeps it, caveated, and adds the remover's relations. Removing a concrete subject
 * from a wildcard records it as excluded. Removing a wildcard drops every concrete subject it does
 * not exclude, and leaves from a wildcard only what its own exclusions give back.
 */
export function subtractSubjects(a: SubjectSet, b: SubjectSet): SubjectSet {
  return subjectsOf(b).reduce(subtractOne, a);
}

function subtractOne(set: SubjectSet, removing: FoundSubject): SubjectSet {
  const concrete = new Map<string, FoundSubject>();
  if (removing.id === WILDCARD) {
    for (const subject of set.concrete.values()) {
      const kept = subtractWildcardFromConcrete(subject, removing);
      if (kept) concrete.set(subject.id, kept);
    }
    const { wildcard, uncovered } = subtractWildcardFromWildcard(set.wildcard, removing);
    for (const subject of uncovered) concrete.set(subject.id, subject);
    return { concrete, wildcard };
  }
  for (const subject of set.concrete.values()) {
    const kept = subject.id === removing.id ? subtractConcrete(subject, removing) : subject;
    if (kept) concrete.set(subject.id, kept);
  }
  return { concrete, wildcard: set.wildcard && excludeFromWildcard(set.wildcard, removing) };
}

function subtractConcrete(subject: FoundSubject, removing: FoundSubject): FoundSubject | undefined {
  if (!removing.caveated) return undefined;
  return foundSubject(subject.id, true, [], subject, removing);
}

function excludeFromWildcard(wildcard: FoundSubject, removing: FoundSubject): FoundSubject {
  let found = false;
  const excluded = wildcard.excluded.map((exclusion) => {
    if (exclusion.id !== removing.id) return exclusion;
    found = true;
    return foundSubject(
      removing.id,
      exclusion.caveated && removing.caveated,
      [],
      exclusion,
      removing,
    );
  });
  if (!found) excluded.push(removing);
  return foundSubject(WILDCARD, wildcard.caveated, excluded, wildcard);
}

function subtractWildcardFromConcrete(
  subject: FoundSubject,
  wildcard: FoundSubject,
): FoundSubject | undefined {
  const exclusion = exclusionOf(wildcard, subject.id);
  if (exclusion === undefined) {
    return wildcard.caveated ? foundSubject(subject.id, true, [], subject) : undefined;
  }
  return exclusion.caveated ? foundSubject(subject.id, true, [], subject) : subject;
}

/**
 * subtractWildcardFromWildcard: `(* - A) - (* - B)` is what B excludes and A does not, as
 * concrete subjects (`uncovered`); a wildcard remains only when a caveat may keep it.
 */
function subtractWildcardFromWildcard(
  existing: FoundSubject | undefined,
  removing: FoundSubject,
): { wildcard?: FoundSubject; uncovered: FoundSubject[] } {
  if (existing === undefined) return { uncovered: [] };
  if (!removing.caveated && removing.excluded.length === 0) return { uncovered: [] };
  const uncovered: FoundSubject[] = [];
  for (const exclusion of removing.excluded) {
    const mine = exclusionOf(existing, exclusion.id);
    if (mine !== undefined && !mine.caveated) continue;
    const caveated =
      existing.caveated || removing.caveated || exclusion.caveated || mine !== undefined;
    uncovered.push(foundSubject(exclusion.id, caveated, [], exclusion));
  }
  const caveated = existing.caveated || removing.caveated;
  const wildcard = caveated
    ? foundSubject(WILDCARD, true, existing.excluded, existing, removing)
    : undefined;
  return { wildcard, uncovered };
}
