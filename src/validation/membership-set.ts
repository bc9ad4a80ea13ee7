// Membership sets: the subjects of an object's relation, by subject type and relation, with set algebra.

import type { SubjectRef } from "../tuple/relationship.js";
import type { FoundSubject } from "./found-subject.js";
import {
  addSubject,
  conditionSubjects,
  EMPTY_SUBJECT_SET,
  type SubjectSet,
  subjectsOf,
  unionSubjects,
} from "./subject-set.js";
import { intersectSubjects } from "./subject-set-intersect.js";
import { subtractSubjects } from "./subject-set-subtract.js";

/**
 * MembershipSet is SpiceDB's tracking subject set: a SubjectSet per subject type and relation
 * (`user`, `group#member`); a wildcard only ever meets subjects of its own type and relation.
 */
export type MembershipSet = ReadonlyMap<string, SubjectSet>;

/** Member is one subject of a membership set, with its reference. */
export interface Member {
  readonly subject: SubjectRef;
  readonly found: FoundSubject;
}

/** EMPTY_MEMBERSHIP has no subject. */
export const EMPTY_MEMBERSHIP: MembershipSet = new Map();

/** addMember adds a subject stored in `relation` (`type:id#relation`), caveated or not. */
export function addMember(
  set: MembershipSet,
  subject: SubjectRef,
  caveated: boolean,
  relation: string,
): MembershipSet {
  const found: FoundSubject = {
    id: subject.id,
    caveated,
    excluded: [],
    relations: new Set([relation]),
  };
  const key = keyOf(subject.type, subject.relation);
  return new Map(set).set(key, addSubject(set.get(key) ?? EMPTY_SUBJECT_SET, found));
}

/** unionMembership is a ∪ b. */
export function unionMembership(a: MembershipSet, b: MembershipSet): MembershipSet {
  const result = new Map(a);
  for (const [key, subjects] of b) {
    result.set(key, unionSubjects(result.get(key) ?? EMPTY_SUBJECT_SET, subjects));
  }
  return result;
}

/** intersectMembership is a ∩ b: only subject types and relations present on both sides survive. */
export function intersectMembership(a: MembershipSet, b: MembershipSet): MembershipSet {
  const result = new Map<string, SubjectSet>();
  for (const [key, subjects] of a) {
    const other = b.get(key);
    if (other) result.set(key, intersectSubjects(subjects, other));
  }
  return result;
}

/** excludeMembership is a − b. */
export function excludeMembership(a: MembershipSet, b: MembershipSet): MembershipSet {
  const result = new Map<string, SubjectSet>();
  for (const [key, subjects] of a) {
    const other = b.get(key);
    result.set(key, other ? subtractSubjects(subjects, other) : subjects);
  }
  return result;
}

/** conditionMembership marks every subject caveated when `caveated`, as a caveated relationship above it does. */
export function conditionMembership(set: MembershipSet, caveated: boolean): MembershipSet {
  if (!caveated) return set;
  return new Map([...set].map(([key, subjects]) => [key, conditionSubjects(subjects, true)]));
}

/** listMembers lists every subject of a set with its reference. */
export function listMembers(set: MembershipSet): Member[] {
  const members: Member[] = [];
  for (const [key, subjects] of set) {
    const [type, relation] = key.split("#") as [string, string];
    for (const found of subjectsOf(subjects)) {
      const subject = relation === "" ? { type, id: found.id } : { type, id: found.id, relation };
      members.push({ subject, found });
    }
  }
  return members;
}

function keyOf(type: string, relation: string | undefined): string {
  return `${type}#${relation ?? ""}`;
}
