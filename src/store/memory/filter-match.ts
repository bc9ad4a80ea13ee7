// Tests a relationship against the parts of a filter that an index lookup did not already decide.

import type { Relationship } from "../../tuple/relationship.js";
import type { RelationshipFilter } from "../store.js";

/** RelationshipTest says whether a relationship passes a filter, or the part of it still to check. */
export type RelationshipTest = (rel: Relationship) => boolean;

/** Past this many ids a Set beats Array.prototype.includes. */
const SET_THRESHOLD = 8;

/**
 * resourceTest tests the resource fields of filter (type, ids, relation), or is undefined when
 * filter sets none of them.
 */
export function resourceTest(filter: RelationshipFilter): RelationshipTest | undefined {
  const { resourceType, relation } = filter;
  const hasId = idTest(filter.resourceIds);
  if (resourceType === undefined && hasId === undefined && relation === undefined) return undefined;
  return (rel) =>
    (resourceType === undefined || rel.resource.type === resourceType) &&
    (hasId === undefined || hasId(rel.resource.id)) &&
    (relation === undefined || rel.relation === relation);
}

/**
 * subjectTest tests the subject fields of filter (type, ids, relation; `subjectRelation: null`
 * only subjects without a relation), or is undefined when filter sets none of them.
 */
export function subjectTest(filter: RelationshipFilter): RelationshipTest | undefined {
  const { subjectType, subjectRelation } = filter;
  const hasId = idTest(filter.subjectIds);
  if (subjectType === undefined && hasId === undefined && subjectRelation === undefined) {
    return undefined;
  }
  return (rel) =>
    (subjectType === undefined || rel.subject.type === subjectType) &&
    (hasId === undefined || hasId(rel.subject.id)) &&
    (subjectRelation === undefined || (rel.subject.relation ?? null) === subjectRelation);
}

function idTest(ids: readonly string[] | undefined): ((id: string) => boolean) | undefined {
  if (ids === undefined) return undefined;
  if (ids.length <= SET_THRESHOLD) return (id) => ids.includes(id);
  const set = new Set(ids);
  return (id) => set.has(id);
}
