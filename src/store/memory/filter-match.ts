// Tests a relationship against the parts of a filter that an index lookup did not already decide.

import type { Relationship } from "../../tuple/relationship.js";
import { NamedSets } from "../named-sets.js";
import type { RelationshipFilter } from "../store.js";

/** RelationshipTest says whether a relationship passes a filter, or the part of it still to check. */
export type RelationshipTest = (rel: Relationship) => boolean;

/** Past this many ids a Set beats Array.prototype.includes. */
const SET_THRESHOLD = 8;

/** SetTest says whether the set `type:id#relation` passes a filter's resource fields. */
export type SetTest = (type: string, id: string, relation: string) => boolean;

/**
 * resourceTest tests the resource fields of filter (type, ids, relation, object relations with
 * the subjects they name), or is undefined when filter sets none of them.
 */
export function resourceTest(filter: RelationshipFilter): RelationshipTest | undefined {
  const fields = fieldsTest(filter);
  const named = filter.objectRelations && new NamedSets(filter.objectRelations);
  if (fields === undefined && named === undefined) return undefined;
  return (rel) =>
    (fields === undefined || fields(rel.resource.type, rel.resource.id, rel.relation)) &&
    (named === undefined || named.holds(rel));
}

/**
 * fieldsTest tests a set against filter's resource type (and the prefix it excepts), ids, id
 * prefix and relation (not the sets it names), or is undefined when filter sets none of them.
 */
export function fieldsTest(filter: RelationshipFilter): SetTest | undefined {
  const { relation, resourceIdPrefix: prefix } = filter;
  const hasId = idTest(filter.resourceIds);
  const typeTest = typeTestOf(filter);
  if (
    typeTest === undefined &&
    hasId === undefined &&
    relation === undefined &&
    prefix === undefined
  ) {
    return undefined;
  }
  return (type, id, setRelation) =>
    (typeTest === undefined || typeTest(type)) &&
    (hasId === undefined || hasId(id)) &&
    (prefix === undefined || id.startsWith(prefix)) &&
    (relation === undefined || setRelation === relation);
}

/**
 * typeTestOf tests a resource type against filter's type and the prefix it excepts, or is
 * undefined when filter sets neither.
 */
export function typeTestOf(filter: RelationshipFilter): ((type: string) => boolean) | undefined {
  const { resourceType, exceptResourceTypePrefix: except } = filter;
  if (resourceType === undefined && except === undefined) return undefined;
  return (type) =>
    (resourceType === undefined || type === resourceType) &&
    (except === undefined || !type.startsWith(except));
}

/** relationshipTest tests every field of filter, resource and subject; undefined when it sets none. */
export function relationshipTest(filter: RelationshipFilter): RelationshipTest | undefined {
  const resource = resourceTest(filter);
  const subject = subjectTest(filter);
  if (resource === undefined || subject === undefined) return resource ?? subject;
  return (rel) => resource(rel) && subject(rel);
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
