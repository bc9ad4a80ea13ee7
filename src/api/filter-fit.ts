// Whether a relationship filter names what the schema defines: a typo must be refused, not match nothing.

import { requireDefinition } from "../engine/lookup-validation.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { RelationshipFilter } from "../store/store.js";
import { RequestError } from "./request-error.js";

/**
 * checkFilterFits throws a RequestError naming the field when filter names a type the schema
 * does not define, a relation that is not a relation of its resource type (or, with no type, of
 * any type), or a subject relation its subject type (or every type) lacks. A filter that could
 * only ever match nothing is a mistake: a delete by it would succeed and delete nothing.
 */
export function checkFilterFits(
  schema: CompiledSchema,
  field: string,
  filter: RelationshipFilter,
): void {
  const { resourceType, relation, subjectType, subjectRelation } = filter;
  if (resourceType !== undefined) {
    requireDefinition(schema, `${field}.resource_type`, resourceType);
  }
  if (subjectType !== undefined) requireDefinition(schema, `${field}.subject_type`, subjectType);
  if (relation !== undefined) checkRelation(schema, `${field}.relation`, resourceType, relation);
  if (typeof subjectRelation === "string") {
    const types = subjectType === undefined ? [...schema.definitions.keys()] : [subjectType];
    if (!types.some((type) => schema.member(type, subjectRelation) !== undefined)) {
      throw new RequestError(
        `${field}.subject_relation`,
        `${field}.subject_relation: ${subjectType === undefined ? "no definition has" : `definition '${subjectType}' has no`} relation or permission '${subjectRelation}'`,
      );
    }
  }
}

function checkRelation(
  schema: CompiledSchema,
  field: string,
  type: string | undefined,
  relation: string,
): void {
  const types = type === undefined ? [...schema.definitions.keys()] : [type];
  const members = types.flatMap((t) => schema.member(t, relation) ?? []);
  if (members.some((member) => member.kind === "relation")) return;
  const owner = type === undefined ? "no definition has" : `definition '${type}' has no`;
  const hint =
    members.length > 0
      ? `; '${relation}' is a permission, and relationships are stored only for relations`
      : "";
  throw new RequestError(field, `${field}: ${owner} relation '${relation}'${hint}`);
}
