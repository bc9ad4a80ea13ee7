// LookupSubjects: the subjects of a type that have a permission on a resource, the wildcard with its exclusions.

import { ALL_SUSPENSIONS } from "../agents/suspension.js";
import { hasSuspensions } from "../agents/suspension-leg.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { SnapshotReader } from "../store/store.js";
import type { ObjectRef } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import type { CheckResult } from "./check-engine.js";
import type { LookupDependencies } from "./lookup-dependencies.js";
import { CONFIRM_BATCH, chunks, compareIds } from "./lookup-ids.js";
import { SubjectWalk } from "./lookup-subject-walk.js";
import { requireDefinition, requireMember } from "./lookup-validation.js";

/**
 * LookupSubjectsRequest asks which subjects of `subjectType` have `permission` on `resource`;
 * with `subjectRelation`, which sets `subjectType:id#subjectRelation` have it.
 */
export interface LookupSubjectsRequest {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subjectType: string;
  readonly subjectRelation?: string;
  readonly context?: CaveatContext;
}

/**
 * LookupSubjectsItem is one subject found, as Check answers for it. The id "*" (the wildcard)
 * stands for every subject of the type not listed by itself and not in `excludedIds`.
 */
export interface LookupSubjectsItem {
  readonly id: string;
  readonly result: "allowed" | "conditional";
  /** For conditional results: the caveat parameters to supply, sorted. */
  readonly missing: string[];
  /** For the wildcard: the subjects it does not cover (Check denies them), sorted; else empty. */
  readonly excludedIds: string[];
}

/**
 * lookupSubjects lists the subjects of a type with a permission on a resource, sorted by id
 * ("*" first). For every subject s, Check's answer is: the item with id s if listed; else the
 * wildcard's answer if "*" is listed and s is not in its `excludedIds`; else denied.
 *
 * A subject is listed by itself when a relationship in a granting position names it and Check
 * does not deny it, or when the wildcard is listed but Check answers differently for it (a
 * subject conditionally excluded from the wildcard is listed as conditional rather than
 * excluded). The wildcard is listed when a check for "a subject no relationship names" (the
 * wildcard id) is not denied; SpiceDB's answer differs only in listing conditionally excluded
 * subjects in `excludedIds`. With `subjectRelation` there is no wildcard: the ids are the sets,
 * nested or not, whose members Check gives the permission as a set.
 *
 * Candidates come from a walk down the permission's rewrite tree (and, when the wildcard is
 * granted, the subjects suspended by themselves, which Check denies); each is confirmed with bulk
 * checks, so results equal Check's, exclusions, intersections and caveats included. Invalid
 * requests throw an "invalid-argument" EngineError, and check errors (caveat errors, the depth
 * limit) are thrown as they are.
 */
export async function lookupSubjects(
  { schema, checkEngine }: LookupDependencies,
  reader: SnapshotReader,
  request: LookupSubjectsRequest,
): Promise<LookupSubjectsItem[]> {
  const { resource, permission, subjectType, subjectRelation, context } = request;
  requireDefinition(schema, "resource.type", resource.type);
  requireMember(schema, "permission", resource.type, permission);
  requireDefinition(schema, "subjectType", subjectType);
  if (subjectRelation !== undefined)
    requireMember(schema, "subjectRelation", subjectType, subjectRelation);

  const confirm = async (ids: readonly string[]): Promise<Map<string, CheckResult>> => {
    const results = new Map<string, CheckResult>();
    for (const batch of chunks(ids, CONFIRM_BATCH)) {
      const answers = await checkEngine.checkBulk(
        reader,
        batch.map((id) => ({
          resource,
          permission,
          subject: { type: subjectType, id, relation: subjectRelation },
          context,
        })),
      );
      for (const [index, id] of batch.entries()) {
        const answer = answers[index]!;
        if (!answer.ok) throw answer.error;
        results.set(id, answer.result);
      }
    }
    return results;
  };

  const walk = new SubjectWalk(schema, reader, request);
  await walk.walkGranting();
  let wildcard: CheckResult | undefined;
  if (walk.sawWildcard) {
    const answer = (await confirm([WILDCARD])).get(WILDCARD)!;
    if (answer.result !== "denied") {
      wildcard = answer;
      // Only a granted wildcard has exclusions to find.
      await walk.walkSubtracted();
    }
  }
  // A suspended subject the wildcard grants is denied by Check: it is one of the wildcard's
  // exclusions, found among the suspended.
  const suspended =
    wildcard && subjectRelation === undefined && hasSuspensions(schema)
      ? await suspendedIds(reader, subjectType)
      : [];
  const candidates = [...new Set([...walk.granting, ...walk.subtracted, ...suspended])].sort(
    compareIds,
  );
  const answers = await confirm(candidates);

  const items: LookupSubjectsItem[] = [];
  if (wildcard) {
    items.push({
      id: WILDCARD,
      result: allowedOrConditional(wildcard),
      missing: [...wildcard.missing],
      excludedIds: candidates.filter((id) => answers.get(id)!.result === "denied"),
    });
  }
  for (const id of candidates) {
    const answer = answers.get(id)!;
    if (answer.result === "denied") continue;
    if (wildcard && !walk.granting.has(id) && sameAnswer(answer, wildcard)) continue;
    items.push({
      id,
      result: allowedOrConditional(answer),
      missing: [...answer.missing],
      excludedIds: [],
    });
  }
  return items.sort((a, b) => compareIds(a.id, b.id));
}

/** suspendedIds lists the objects of a type suspended by themselves (not through the wildcard). */
async function suspendedIds(reader: SnapshotReader, subjectType: string): Promise<string[]> {
  const rows = await reader.query({
    ...ALL_SUSPENSIONS,
    subjectType,
    subjectRelation: null,
  });
  return rows.flatMap((row) => (row.subject.id === WILDCARD ? [] : [row.subject.id]));
}

function allowedOrConditional(answer: CheckResult): "allowed" | "conditional" {
  return answer.result === "conditional" ? "conditional" : "allowed";
}

function sameAnswer(a: CheckResult, b: CheckResult): boolean {
  return (
    a.result === b.result &&
    a.missing.length === b.missing.length &&
    a.missing.every((name, index) => name === b.missing[index])
  );
}
