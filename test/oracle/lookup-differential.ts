// The lookups' differential comparison: Latch's listing against SpiceDB's, resource by resource and
// subject by subject, with SpiceDB's CheckPermission deciding where its lookup and Latch disagree.
//
// SpiceDB 1.54's lookups can contradict its own checks (found by these comparisons): its
// LookupSubjects lists a group that `owner.all(owner)` denies when another owner is a subject set
// of a type without `owner`, and its LookupResources leaves out a resource that `owner - owner`
// over a caveated owner grants conditionally. So a disagreement is settled by CheckPermission
// asked alone, which the Check differential tests hold Latch to.

import { expect } from "vitest";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { checkUniverse, objectPool } from "../generators/index.js";
import type { OracleResult, OracleSubject, SpiceDbOracle } from "./spicedb-oracle.js";
import {
  asksExpiredSubjectSet,
  isSelfEntrypointBug,
  lookupSubjectsMislistsSelf,
  sideBySide,
  sidesAgree,
} from "./spicedb-quirks.js";

/** ListedResource is one resource Latch's LookupResources found, from the engine or an API. */
export interface ListedResource {
  readonly id: string;
  readonly result: "allowed" | "conditional";
  /** The caveat parameters a conditional result lacks. */
  readonly missing: readonly string[];
}

/** ListedSubject is one subject Latch's LookupSubjects found: "*" with those it excludes. */
export interface ListedSubject extends ListedResource {
  readonly excludedIds: readonly string[];
}

/** LookupSides is a generated case loaded into SpiceDB, and how to ask SpiceDB about it. */
export interface LookupSides {
  readonly oracle: SpiceDbOracle;
  /** The caveat context SpiceDB is asked with: the request's, with the `now` Latch sees. */
  readonly told: Record<string, unknown>;
  /** The relationships SpiceDB holds (expiries as loaded). */
  readonly relationships: readonly Relationship[];
  /** Names the case in a failure: its schema, relationships and context. */
  readonly label: string;
}

/** LatchLookups are Latch's two lookups as a differential test asks them, from the engine or an API. */
export interface LatchLookups {
  resources(
    resourceType: string,
    permission: string,
    subject: SubjectRef,
  ): Promise<readonly ListedResource[]>;
  subjects(
    resource: ObjectRef,
    permission: string,
    subjectType: string,
    subjectRelation: string | undefined,
  ): Promise<readonly ListedSubject[]>;
}

/**
 * compareLookups compares every lookup of a generated case (its check universe's): LookupResources
 * of every type and permission asked, for every subject and subject set asked; LookupSubjects on
 * every resource and permission asked, of every type and of every subject set's type and relation.
 * Where SpiceDB's lookup fails or misleads on `self` (see isSelfEntrypointBug and
 * lookupSubjectsMislistsSelf), its CheckPermission answers for each id instead. It returns how
 * many answers it compared, or undefined when SpiceDB hit its depth limit.
 */
export async function compareLookups(
  sides: LookupSides,
  schema: CompiledSchema,
  generated: readonly Relationship[],
  latch: LatchLookups,
): Promise<number | undefined> {
  const questions = checkUniverse(schema, generated);
  const asks = uniqueBy(
    questions.map((q) => ({ type: q.resource.type, permission: q.permission })),
    (ask) => `${ask.type}#${ask.permission}`,
  );
  const subjects = uniqueBy(
    questions.map((q) => q.subject).filter((s) => s.id !== "*"),
    formatSubjectRef,
  );
  const resources = uniqueBy(
    questions.map((q) => ({ resource: q.resource, permission: q.permission })),
    (q) => `${q.resource.type}:${q.resource.id}#${q.permission}`,
  );
  const subjectTypes = [
    ...[...schema.definitions.keys()].map((type) => ({ type, relation: undefined })),
    ...uniqueBy(
      subjects.flatMap(({ type, relation }) =>
        relation === undefined ? [] : [{ type, relation }],
      ),
      (set) => `${set.type}#${set.relation}`,
    ),
  ];
  let compared = 0;
  for (const subject of subjects) {
    for (const { type, permission } of asks) {
      const count = await compareLookupResources(sides, type, permission, subject, () =>
        latch.resources(type, permission, subject),
      );
      if (count === undefined) return undefined;
      compared += count;
    }
  }
  for (const { resource, permission } of resources) {
    for (const { type, relation } of subjectTypes) {
      const mislists = lookupSubjectsMislistsSelf(
        schema,
        resource.type,
        permission,
        type,
        relation,
      );
      const count = await compareLookupSubjects(
        sides,
        { resource, permission, subjectType: type, subjectRelation: relation, mislists },
        () => latch.subjects(resource, permission, type, relation),
      );
      if (count === undefined) return undefined;
      compared += count;
    }
  }
  return compared;
}

/** An id no relationship names: SpiceDB's Check asked for it answers for LookupSubjects' "*". */
const UNNAMED = "unnamed";

/** A lookup SpiceDB cannot be trusted with: its CheckPermission answers each id instead. */
const UNLISTED = null;

interface Answer {
  readonly result: string;
  readonly missing: readonly string[];
}

const DENIED: Answer = { result: "denied", missing: [] };

/**
 * compareLookupResources expects Latch's LookupResources (latch lists what it found) to give
 * each resource of the type, pooled or found by either side (and the subject itself), SpiceDB's
 * answer: its CheckPermission's for each where its lookup fails on `self` (isSelfEntrypointBug). It
 * returns how many it compared, or undefined when SpiceDB hit its depth limit.
 */
async function compareLookupResources(
  sides: LookupSides,
  resourceType: string,
  permission: string,
  subject: SubjectRef,
  latch: () => Promise<readonly ListedResource[]>,
): Promise<number | undefined> {
  const spicedb = await lookupOrDepth(() =>
    sides.oracle
      .lookupResources(resourceType, permission, subject, sides.told)
      .catch((error: unknown) => {
        if (isSelfEntrypointBug(error)) return UNLISTED;
        throw error;
      }),
  );
  if (spicedb === undefined) return undefined;
  const found = await latch();
  const itself =
    subject.type === resourceType && subject.relation === undefined ? [subject.id] : [];
  const ids = [
    ...objectPool(resourceType),
    ...itself,
    ...found.map((i) => i.id),
    ...(spicedb ?? []).map((i) => i.id),
  ];
  return compareAnswers(
    sides,
    `lookupResources ${resourceType}#${permission} for ${formatSubjectRef(subject)}`,
    ids,
    {
      latch: (id) => found.find((item) => item.id === id) ?? DENIED,
      listed: (id) => {
        if (spicedb === UNLISTED) return undefined;
        const listed = spicedb.find((item) => item.id === id);
        if (listed === undefined) return { kind: "denied" };
        return listed.conditional
          ? { kind: "conditional", missing: listed.missing }
          : { kind: "allowed" };
      },
      alone: (id) => ({ resource: { type: resourceType, id }, subject }),
      permission,
    },
  );
}

/** SubjectsAsked is one LookupSubjects, and whether SpiceDB's may list wrong subjects for it. */
interface SubjectsAsked {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subjectType: string;
  readonly subjectRelation: string | undefined;
  /** Whether SpiceDB's listing may name subjects `self` does not grant (lookupSubjectsMislistsSelf). */
  readonly mislists: boolean;
}

/**
 * compareLookupSubjects expects Latch's LookupSubjects on resource (latch lists what it found)
 * to give each subject of the type (`type:id`, or `type:id#relation`), pooled or found (and the
 * resource itself), and "*" without a relation, SpiceDB's answer: its CheckPermission's for
 * each where its listing mislists; it returns how many it compared, or undefined when SpiceDB
 * hit its depth limit.
 */
async function compareLookupSubjects(
  sides: LookupSides,
  { resource, permission, subjectType, subjectRelation, mislists }: SubjectsAsked,
  latch: () => Promise<readonly ListedSubject[]>,
): Promise<number | undefined> {
  const spicedb = mislists
    ? UNLISTED
    : await lookupOrDepth(() =>
        sides.oracle.lookupSubjects(resource, permission, subjectType, subjectRelation, sides.told),
      );
  if (spicedb === undefined) return undefined;
  const found = await latch();
  const wildcard = subjectRelation === undefined ? ["*"] : [];
  const itself = resource.type === subjectType ? [resource.id] : [];
  const ids = [
    ...wildcard,
    ...objectPool(subjectType),
    ...itself,
    ...found.map((i) => i.id),
    ...(spicedb ?? []).map((i) => i.id),
  ];
  const of = `${subjectType}${subjectRelation === undefined ? "" : `#${subjectRelation}`}`;
  return compareAnswers(
    sides,
    `lookupSubjects ${resource.type}:${resource.id}#${permission} of ${of}`,
    ids,
    {
      latch: (id) => latchSubjectAnswer(found, id),
      listed: (id) => (spicedb === UNLISTED ? undefined : spiceDbSubjectAnswer(spicedb, id)),
      alone: (id) => ({
        resource,
        subject: { type: subjectType, id: id === "*" ? UNNAMED : id, relation: subjectRelation },
      }),
      permission,
    },
  );
}

/** How one lookup's answers are compared: per id, each side's, and the Check that settles a dispute. */
interface Comparison {
  readonly latch: (id: string) => Answer;
  /** SpiceDB's lookup's answer for id; undefined when its listing does not say. */
  readonly listed: (id: string) => OracleResult | undefined;
  /** The Check an id stands for: SpiceDB is asked it, alone, where its lookup and Latch disagree. */
  readonly alone: (id: string) => { resource: ObjectRef; subject: SubjectRef };
  readonly permission: string;
}

/**
 * compareAnswers expects Latch's answer for each id to be SpiceDB's; it returns how many it
 * compared. Subject sets an expired relationship names are left out, as in the Check tests.
 */
async function compareAnswers(
  sides: LookupSides,
  asked: string,
  ids: readonly string[],
  comparison: Comparison,
): Promise<number> {
  let compared = 0;
  for (const id of new Set(ids)) {
    const { resource, subject } = comparison.alone(id);
    if (asksExpiredSubjectSet(subject, sides.relationships)) continue;
    const latch = comparison.latch(id);
    let spicedb = comparison.listed(id);
    if (spicedb === undefined || !sidesAgree(sideBySide(latch.result, latch.missing, spicedb))) {
      spicedb = await sides.oracle.check(resource, comparison.permission, subject, sides.told);
    }
    const { actual, expected } = sideBySide(latch.result, latch.missing, spicedb);
    expect(actual, `${asked}: ${id}\n${sides.label}`).toEqual(expected);
    compared++;
  }
  return compared;
}

/** lookupOrDepth is a lookup's answer, or undefined when SpiceDB hit its depth limit. */
async function lookupOrDepth<T>(lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error) {
    if (/max depth/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * latchSubjectAnswer is Check's answer for id as Latch's LookupSubjects gives it: its own item,
 * else the wildcard's unless it excludes id, else denied.
 */
function latchSubjectAnswer(found: readonly ListedSubject[], id: string): Answer {
  const own = found.find((item) => item.id === id);
  if (own !== undefined) return own;
  const wildcard = found.find((item) => item.id === "*");
  return wildcard !== undefined && !wildcard.excludedIds.includes(id) ? wildcard : DENIED;
}

/**
 * spiceDbSubjectAnswer is the same read off SpiceDB's LookupSubjects, which names no missing
 * parameters; undefined for a subject its wildcard excludes, which it denies or grants only
 * conditionally.
 */
function spiceDbSubjectAnswer(
  found: readonly OracleSubject[],
  id: string,
): OracleResult | undefined {
  const own = found.find((subject) => subject.id === id);
  if (own !== undefined) return subjectResult(own);
  const wildcard = found.find((subject) => subject.id === "*");
  if (wildcard === undefined) return { kind: "denied" };
  return wildcard.excludedIds.includes(id) ? undefined : subjectResult(wildcard);
}

function subjectResult(subject: OracleSubject): OracleResult {
  return subject.conditional ? { kind: "conditional", missing: [] } : { kind: "allowed" };
}

function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  return [...new Map(values.map((value) => [key(value), value])).values()];
}
