// Intersection of subject sets: concrete subjects in both, or under the other side's wildcard.

import { WILDCARD } from "../tuple/relationship.js";
import { exclusionOf, type FoundSubject, foundSubject } from "./found-subject.js";
import {
  addSubject,
  EMPTY_SUBJECT_SET,
  type SubjectSet,
  subjectsOf,
  unionConcretes,
} from "./subject-set.js";

/**
 * intersectSubjects keeps the subjects in both sets, with the relations of both sides and caveated
 * if either side is. A concrete subject on one side meets the other side's wildcard unless that
 * wildcard excludes it; it takes the wildcard's relations only when the wildcard is caveated. Two
 * wildcards meet in a wildcard with the exclusions of both.
 */
export function intersectSubjects(a: SubjectSet, b: SubjectSet): SubjectSet {
  const concrete = new Map<string, FoundSubject>();
  for (const subject of a.concrete.values()) {
    const other = b.concrete.get(subject.id);
    const inBoth =
      other && foundSubject(subject.id, subject.caveated || other.caveated, [], subject, other);
    const result = unionConcretes(inBoth, underWildcard(subject, b.wildcard));
    if (result) concrete.set(subject.id, result);
  }
  if (a.wildcard) {
    for (const other of b.concrete.values()) {
      const result = unionConcretes(concrete.get(other.id), underWildcard(other, a.wildcard));
      if (result) concrete.set(other.id, result);
    }
  }
  return { concrete, wildcard: intersectWildcards(a.wildcard, b.wildcard) };
}

function intersectWildcards(
  a: FoundSubject | undefined,
  b: FoundSubject | undefined,
): FoundSubject | undefined {
  if (a === undefined || b === undefined) return undefined;
  const excluded = [...a.excluded, ...b.excluded].reduce(addSubject, EMPTY_SUBJECT_SET);
  return foundSubject(WILDCARD, a.caveated || b.caveated, subjectsOf(excluded), a, b);
}

function underWildcard(
  subject: FoundSubject,
  wildcard: FoundSubject | undefined,
): FoundSubject | undefined {
  if (wildcard === undefined) return undefined;
  const exclusion = exclusionOf(wildcard, subject.id);
  if (exclusion === undefined) {
    return wildcard.caveated ? foundSubject(subject.id, true, [], subject, wildcard) : subject;
  }
  if (!exclusion.caveated) return undefined;
  return foundSubject(subject.id, true, [], subject, wildcard, exclusion);
}
