// The shape of a relationship (what a schema must allow for it), and whether a shape filter selects it.

import { type Relationship, WILDCARD } from "../tuple/relationship.js";
import type { RelationshipShape, ShapeFilter } from "./store.js";

/** relationshipShape is what a schema must allow for rel. */
export function relationshipShape(rel: Relationship): RelationshipShape {
  const { resource, relation, subject, caveat, expiresAt } = rel;
  return {
    resourceType: resource.type,
    relation,
    subjectType: subject.type,
    ...(subject.relation === undefined ? {} : { subjectRelation: subject.relation }),
    wildcard: subject.id === WILDCARD,
    ...(caveat === undefined ? {} : { caveat: caveat.name }),
    expiring: expiresAt !== undefined,
  };
}

/** shapeSelects says whether filter selects rel: each field it sets is rel's, exactly. */
export function shapeSelects(filter: ShapeFilter, rel: Relationship): boolean {
  if (rel.resource.type !== filter.resourceType) return false;
  if (filter.relation !== undefined && rel.relation !== filter.relation) return false;
  if (!("subjectType" in filter)) return true;
  const { subject } = rel;
  return (
    subject.type === filter.subjectType &&
    subject.relation === filter.subjectRelation &&
    (subject.id === WILDCARD) === filter.wildcard &&
    rel.caveat?.name === filter.caveat &&
    (rel.expiresAt !== undefined) === filter.expiring
  );
}
