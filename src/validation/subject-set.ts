// The subjects of one type and relation in a membership set: union and caveat marking.

import { WILDCARD } from "../tuple/relationship.js";
import { exclusionOf, type FoundSubject, foundSubject } from "./found-subject.js";

/** SubjectSet holds concrete subjects by id and at most one wildcard, of one subject type and relation. */
export interface SubjectSet {
  readonly concrete: ReadonlyMap<string, FoundSubject>;
  readonly wildcard?: FoundSubject;
}

/** EMPTY_SUBJECT_SET has no subject. */
export const EMPTY_SUBJECT_SET: SubjectSet = { concrete: new Map() };

/** subjectsOf lists a set's subjects: the concrete ones, then the wildcard. */
export function subjectsOf(set: SubjectSet): FoundSubject[] {
  const subjects = [...set.concrete.values()];
  if (set.wildcard) subjects.push(set.wildcard);
  return subjects;
}

/**
 * addSubject is the union with one subject. A concrete subject already present is merged (caveated
 * only if both were); a wildcard keeps only the exclusions both wildcards have; a wildcard stops
 * excluding a concrete subject added without a caveat.
 */
export function addSubject(set: SubjectSet, adding: FoundSubject): SubjectSet {
  if (adding.id === WILDCARD) {
    let wildcard = unionWildcards(set.wildcard, adding);
    for (const concrete of set.concrete.values()) wildcard = admitConcrete(wildcard, concrete);
    return { concrete: set.concrete, wildcard };
  }
  const concrete = new Map(set.concrete);
  concrete.set(adding.id, unionConcretes(set.concrete.get(adding.id), adding)!);
  return { concrete, wildcard: set.wildcard && admitConcrete(set.wildcard, adding) };
}

/** unionSubjects is the union of two sets. */
export function unionSubjects(a: SubjectSet, b: SubjectSet): SubjectSet {
  return subjectsOf(b).reduce(addSubject, a);
}

/** unionConcretes merges the same concrete subject found twice: caveated only if both are. */
export function unionConcretes(
  a: FoundSubject | undefined,
  b: FoundSubject | undefined,
): FoundSubject | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return foundSubject(a.id, a.caveated && b.caveated, [], a, b);
}

/** conditionSubjects marks every subject caveated, for a set reached through a caveated relationship. */
export function conditionSubjects(set: SubjectSet, caveated: boolean): SubjectSet {
  if (!caveated) return set;
  const concrete = new Map<string, FoundSubject>();
  for (const [id, subject] of set.concrete) concrete.set(id, foundSubject(id, true, [], subject));
  const { wildcard } = set;
  return {
    concrete,
    wildcard: wildcard && foundSubject(WILDCARD, true, wildcard.excluded, wildcard),
  };
}

function unionWildcards(existing: FoundSubject | undefined, adding: FoundSubject): FoundSubject {
  if (existing === undefined) return adding;
  const excluded: FoundSubject[] = [];
  for (const mine of existing.excluded) {
    const theirs = exclusionOf(adding, mine.id);
    // Excluded from the union only when excluded from both (and, if caveated, both caveats hold).
    if (theirs)
      excluded.push(foundSubject(mine.id, mine.caveated || theirs.caveated, [], mine, theirs));
  }
  return foundSubject(WILDCARD, existing.caveated && adding.caveated, excluded, existing, adding);
}

/** admitConcrete updates a wildcard's exclusions for a concrete subject added beside it. */
function admitConcrete(wildcard: FoundSubject, concrete: FoundSubject): FoundSubject {
  const excluded: FoundSubject[] = [];
  for (const exclusion of wildcard.excluded) {
    if (exclusion.id !== concrete.id) excluded.push(exclusion);
    else if (concrete.caveated)
      excluded.push(foundSubject(concrete.id, true, [], exclusion, concrete));
  }
  return foundSubject(WILDCARD, wildcard.caveated, excluded, wildcard);
}
