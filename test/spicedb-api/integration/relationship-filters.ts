// Relationship filters drawn from a case's relationships, for the differential test of SpiceDB's
// ReadRelationships, DeleteRelationships and preconditions on Latch.

import { v1 } from "@authzed/authzed-node";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { WILDCARD } from "../../../src/tuple/relationship.js";

/** The fields of a relationship a filter can name; each shape below names some of them. */
type Field =
  | "type"
  | "id"
  | "prefix"
  | "relation"
  | "subjectType"
  | "subjectId"
  | "subjectRelation"
  | "wildcard";

/**
 * SHAPES are the fields of one relationship each filter names: each field alone where SpiceDB may
 * allow it, the resource's fields with the subject's, and every field at once (one relationship).
 */
const SHAPES: readonly (readonly Field[])[] = [
  ["type"],
  ["type", "id"],
  ["type", "prefix"],
  ["type", "relation"],
  ["type", "id", "relation"],
  ["type", "prefix", "relation"],
  ["type", "subjectType"],
  ["type", "subjectType", "subjectId"],
  ["type", "subjectType", "subjectRelation"],
  ["type", "subjectType", "wildcard"],
  ["type", "prefix", "subjectType", "subjectRelation"],
  ["type", "relation", "subjectType", "subjectId", "subjectRelation"],
  ["type", "id", "relation", "subjectType", "subjectId", "subjectRelation"],
  ["subjectType"],
  ["subjectType", "subjectId"],
  ["relation", "subjectType", "subjectRelation"],
  ["id"],
  ["prefix"],
  ["relation"],
];

/**
 * filterUniverse is every filter of the SHAPES drawn from relationships (deduplicated), plus
 * filters that match nothing (an unknown id, a prefix no id has) and ones SpiceDB refuses (no
 * field at all; an id with a prefix): each side must answer or refuse as the other does.
 */
export function filterUniverse(relationships: readonly Relationship[]): v1.RelationshipFilter[] {
  const byKey = new Map<string, v1.RelationshipFilter>();
  const add = (filter: v1.RelationshipFilter) => {
    byKey.set(JSON.stringify(v1.RelationshipFilter.toJson(filter)), filter);
  };
  for (const relationship of relationships) {
    for (const shape of SHAPES) add(filterOf(relationship, new Set(shape)));
    const { type, id } = relationship.resource;
    add(v1.RelationshipFilter.create({ resourceType: type, optionalResourceId: `${id}-none` }));
    add(v1.RelationshipFilter.create({ resourceType: type, optionalResourceIdPrefix: `${id}z` }));
    add(
      v1.RelationshipFilter.create({
        resourceType: type,
        optionalResourceId: id,
        optionalResourceIdPrefix: id,
      }),
    );
  }
  add(v1.RelationshipFilter.create({}));
  return [...byKey.values()];
}

/** filterOf is the filter naming the given fields of relationship. */
function filterOf(relationship: Relationship, fields: ReadonlySet<Field>): v1.RelationshipFilter {
  const { resource, relation, subject } = relationship;
  const named = (field: Field, value: string) => (fields.has(field) ? value : "");
  const subjectNamed = fields.has("subjectType");
  return v1.RelationshipFilter.create({
    resourceType: named("type", resource.type),
    optionalResourceId: named("id", resource.id),
    // The whole id when it has a single character: a prefix is never empty.
    optionalResourceIdPrefix: named("prefix", resource.id.slice(0, -1) || resource.id),
    optionalRelation: named("relation", relation),
    optionalSubjectFilter: subjectNamed
      ? v1.SubjectFilter.create({
          subjectType: subject.type,
          optionalSubjectId: fields.has("wildcard") ? WILDCARD : named("subjectId", subject.id),
          optionalRelation: fields.has("subjectRelation")
            ? v1.SubjectFilter_RelationFilter.create({ relation: subject.relation ?? "" })
            : undefined,
        })
      : undefined,
  });
}
