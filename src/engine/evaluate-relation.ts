// Evaluates a relation: one read of its relationships for all the resources, then their subject sets.

import { readsBySubject } from "../agents/suspension-leg.js";
import type { DispatchCheck } from "../dispatch/dispatcher.js";
import type { RelationDefinition } from "../schema/compiled-schema.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { objectRelationKey, relationshipKey } from "../tuple/relationship-key.js";
import { ChildDispatches } from "./child-dispatches.js";
import type { Explanation } from "./explanation.js";
import { allOf, anyOf, type Outcome, withDetails, withReads } from "./outcome.js";
import { relationshipOutcome } from "./relationship-outcome.js";

/** evaluateRelation answers the request for a relation, for every resource id at once. */
export async function evaluateRelation(
  request: DispatchCheck,
  relation: RelationDefinition,
): Promise<Map<string, Outcome>> {
  const { evaluation, resourceType, resourceIds } = request;
  const { subject, schema } = evaluation;
  // Only where no subject set can hold the subject do the relationships naming it tell it all.
  const bySubject =
    readsBySubject(resourceType, relation.name) &&
    relation.allowedSubjects.every((allowed) => allowed.relation === undefined)
      ? directSubjects(subject)
      : undefined;
  const rows = await evaluation.reader.query(
    bySubject === undefined
      ? { resourceType, resourceIds, relation: relation.name }
      : {
          objectRelations: resourceIds.map((id) => ({
            type: resourceType,
            id,
            relation: relation.name,
            subjects: bySubject,
          })),
        },
  );

  const direct = new Map<string, Relationship[]>();
  const viaSets = new Map<string, Relationship[]>();
  for (const row of rows) {
    const target = matchesDirectly(row.subject, subject) ? direct : viaSets;
    if (target === viaSets) {
      const { type, relation: setRelation } = row.subject;
      if (setRelation === undefined) continue;
      // A set that can never contain the subject's type need not be walked.
      if (
        subject.relation === undefined &&
        !schema.reachability.canReach(type, setRelation, subject.type)
      )
        continue;
    }
    const list = target.get(row.resource.id);
    if (list) list.push(row);
    else target.set(row.resource.id, [row]);
  }

  const children = new ChildDispatches(request);
  const directOutcomes = new Map<string, Outcome>();
  for (const id of resourceIds) {
    const outcome = anyOf(
      (direct.get(id) ?? []).map((row) => relationshipOutcome(evaluation, row).outcome),
    );
    directOutcomes.set(id, outcome);
    if (outcome.kind === "allowed") continue;
    for (const row of viaSets.get(id) ?? [])
      children.add(id, row.subject.type, row.subject.id, row.subject.relation!);
  }
  await children.run();

  const results = new Map<string, Outcome>();
  for (const id of resourceIds) {
    const directOutcome = directOutcomes.get(id)!;
    const setRows = directOutcome.kind === "allowed" ? [] : (viaSets.get(id) ?? []);
    const setOutcomes = setRows.map((row) =>
      allOf([
        relationshipOutcome(evaluation, row).outcome,
        children.outcome(id, row.subject.type, row.subject.id, row.subject.relation!),
      ]),
    );
    // What was read decides, whatever else the answer rests on.
    const outcome = withReads(
      anyOf([directOutcome, ...setOutcomes]),
      readKeys(resourceType, id, relation.name, bySubject),
    );
    results.set(
      id,
      evaluation.explain
        ? explainRelation(request, id, outcome, direct.get(id) ?? [], setRows, children)
        : outcome,
    );
  }
  return results;
}

/**
 * readKeys names what a relation's read of one resource read: its set, or the relationships the
 * read by subject could find, by their keys.
 */
function readKeys(
  type: string,
  id: string,
  relation: string,
  bySubject: readonly SubjectRef[] | undefined,
): string[] {
  if (bySubject === undefined) return [objectRelationKey(type, id, relation)];
  const resource = { type, id };
  return bySubject.map((subject) => relationshipKey({ resource, relation, subject }));
}

/**
 * directSubjects are the stored subjects that {@link matchesDirectly} matches to subject: itself,
 * and for an object its type's wildcard.
 */
function directSubjects(subject: SubjectRef): SubjectRef[] {
  if (subject.relation !== undefined || subject.id === WILDCARD) return [subject];
  return [subject, { type: subject.type, id: WILDCARD }];
}

/** matchesDirectly is true when a stored subject is the checked subject itself, or its type's wildcard. */
function matchesDirectly(stored: SubjectRef, subject: SubjectRef): boolean {
  if (stored.type !== subject.type || stored.relation !== subject.relation) return false;
  return stored.id === subject.id || (stored.id === WILDCARD && subject.relation === undefined);
}

function explainRelation(
  request: DispatchCheck,
  id: string,
  outcome: Outcome,
  directRows: readonly Relationship[],
  setRows: readonly Relationship[],
  children: ChildDispatches,
): Outcome {
  const { evaluation } = request;
  const steps: Explanation[] = [];
  for (const row of [...directRows, ...setRows]) {
    const { outcome: rowOutcome, caveat } = relationshipOutcome(evaluation, row);
    const child =
      row.subject.relation !== undefined && directRows.indexOf(row) < 0
        ? children.outcome(id, row.subject.type, row.subject.id, row.subject.relation)
        : undefined;
    const combined = child ? allOf([rowOutcome, child]) : rowOutcome;
    // An allowed relation is proven by one granting relationship; a denial lists every one tried.
    if (outcome.kind === "allowed" && combined.kind !== "allowed") continue;
    steps.push({
      node: `${row.resource.type}:${row.resource.id}#${row.relation}`,
      step: "relationship",
      result: combined.kind,
      relationship: row,
      caveat,
      children: child?.explanation ? [child.explanation] : [],
    });
    if (outcome.kind === "allowed") break;
  }
  const explanation: Explanation = {
    node: `${request.resourceType}:${id}#${request.name}`,
    step: "relation",
    result: outcome.kind,
    children: steps,
  };
  return withDetails(outcome, { explanation });
}
