// Tests a relationship against the parts of a filter that an index lookup did not already decide.

import type { Relationship } from "../../tuple/relationship.js";
import type { ObjectRelation, RelationshipFilter } from "../store.js";

/** RelationshipTest says whether a relationship passes a filter, or the part of it still to check. */
export type RelationshipTest = (rel: Relationship) => boolean;

/** Past this many ids a Set beats Array.prototype.includes. */
const SET_THRESHOLD = 8;

/** SetTest says whether the set `type:id#relation` passes a filter's resource fields. */
export type SetTest = (type: string, id: string, relation: string) => boolean;

/**
 * resourceTest tests the resource fields of filter (type, ids, relation, object relations), or is
 * undefined when filter sets none of them.
 */
export function resourceTest(filter: RelationshipFilter): RelationshipTest | undefined {
  const fields = fieldsTest(filter);
  const named = objectRelationsTest(filter.objectRelations);
  if (fields === undefined && named === undefined) return undefined;
  return ({ resource, relation }) =>
    (fields === undefined || fields(resource.type, resource.id, relation)) &&
    (named === undefined || named(resource.type, resource.id, relation));
}

/**
 * fieldsTest tests a set against filter's resource type, ids and relation (not the sets it
 * names), or is undefined when filter sets none of them.
 */
export function fieldsTest(filter: RelationshipFilter): SetTest | undefined {
  const { resourceType, relation } = filter;
  const hasId = idTest(filter.resourceIds);
  if (resourceType === undefined && hasId === undefined && relation === undefined) return undefined;
  return (type, id, setRelation) =>
    (resourceType === undefined || type === resourceType) &&
    (hasId === undefined || hasId(id)) &&
    (relation === undefined || setRelation === relation);
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

/** objectRelationsTest is membership in the named sets, by type, relation and id: no key to collide. */
function objectRelationsTest(sets: readonly ObjectRelation[] | undefined): SetTest | undefined {
  if (sets === undefined) return undefined;
  const byType = new Map<string, Map<string, Set<string>>>();
  for (const { type, id, relation } of sets) {
    let byRelation = byType.get(type);
    if (byRelation === undefined) {
      byRelation = new Map();
      byType.set(type, byRelation);
    }
    const ids = byRelation.get(relation);
    if (ids === undefined) byRelation.set(relation, new Set([id]));
    else ids.add(id);
  }
  return (type, id, relation) => byType.get(type)?.get(relation)?.has(id) === true;
}

function idTest(ids: readonly string[] | undefined): ((id: string) => boolean) | undefined {
  if (ids === undefined) return undefined;
  if (ids.length <= SET_THRESHOLD) return (id) => ids.includes(id);
  const set = new Set(ids);
  return (id) => set.has(id);
}
