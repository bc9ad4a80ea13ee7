// Tests a relationship against the parts of a filter that an index lookup did not already decide.

import { formatSubjectRef } from "../../tuple/format-relationship.js";
import type { Relationship } from "../../tuple/relationship.js";
import type { ObjectRelation, RelationshipFilter } from "../store.js";

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
 * fieldsTest tests a set against filter's resource type (and the prefix it excepts), ids and
 * relation (not the sets it names), or is undefined when filter sets none of them.
 */
export function fieldsTest(filter: RelationshipFilter): SetTest | undefined {
  const { relation } = filter;
  const hasId = idTest(filter.resourceIds);
  const typeTest = typeTestOf(filter);
  if (typeTest === undefined && hasId === undefined && relation === undefined) return undefined;
  return (type, id, setRelation) =>
    (typeTest === undefined || typeTest(type)) &&
    (hasId === undefined || hasId(id)) &&
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

/**
 * SetSubjects is what a filter reads of a set it names: all of its relationships, or those of
 * these subjects (as `formatSubjectRef` writes them).
 */
export type SetSubjects = "all" | ReadonlySet<string>;

/** NamedSet is a set a filter names, once, and what the filter reads of it. */
export interface NamedSet {
  readonly type: string;
  readonly id: string;
  readonly relation: string;
  readonly subjects: SetSubjects;
}

/**
 * NamedSets are the sets of a filter's object relations, each once, by type, relation and id (no
 * key to collide): a set named several times reads the subjects of each, or all of it when one
 * names no subjects.
 */
export class NamedSets {
  private readonly byType = new Map<string, Map<string, Map<string, NamedSet>>>();

  constructor(sets: readonly ObjectRelation[]) {
    for (const { type, id, relation, subjects } of sets) {
      let byRelation = this.byType.get(type);
      if (byRelation === undefined) {
        byRelation = new Map();
        this.byType.set(type, byRelation);
      }
      let byId = byRelation.get(relation);
      if (byId === undefined) {
        byId = new Map();
        byRelation.set(relation, byId);
      }
      const named = byId.get(id)?.subjects;
      const merged: SetSubjects =
        named === "all" || subjects === undefined
          ? "all"
          : new Set([...(named ?? []), ...subjects.map(formatSubjectRef)]);
      byId.set(id, { type, id, relation, subjects: merged });
    }
  }

  /** list lists the sets named, each once, in no order. */
  *list(): Iterable<NamedSet> {
    for (const byRelation of this.byType.values()) {
      for (const byId of byRelation.values()) yield* byId.values();
    }
  }

  /** holds says whether rel is one of the relationships the named sets select. */
  holds(rel: Relationship): boolean {
    const subjects = this.byType
      .get(rel.resource.type)
      ?.get(rel.relation)
      ?.get(rel.resource.id)?.subjects;
    if (subjects === undefined) return false;
    return subjects === "all" || subjects.has(formatSubjectRef(rel.subject));
  }
}

function idTest(ids: readonly string[] | undefined): ((id: string) => boolean) | undefined {
  if (ids === undefined) return undefined;
  if (ids.length <= SET_THRESHOLD) return (id) => ids.includes(id);
  const set = new Set(ids);
  return (id) => set.has(id);
}
