// Whether relationships fit a schema: at write time for each relationship, at schema-write time for the store.

import { validateCaveatContext } from "../schema/caveat/index.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { checkRelationshipAgainstSchema } from "../schema/relationship-fit.js";
import type { RelationshipShape } from "../store/store.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { SchemaConflictError } from "./api-error.js";
import { RequestError } from "./request-error.js";

/**
 * checkRelationshipFits throws a RequestError naming field when the schema does not allow rel:
 * unknown types or relations, a permission, a subject type the relation does not allow, a caveat
 * or expiry it does not allow, or a caveat context value of the wrong type.
 */
export function checkRelationshipFits(
  schema: CompiledSchema,
  field: string,
  rel: Relationship,
): void {
  const violation = checkRelationshipAgainstSchema(schema, rel, formatRelationship(rel));
  if (violation !== undefined) throw new RequestError(field, `${field}: ${violation.message}`);
  const { caveat } = rel;
  if (caveat?.context === undefined) return;
  const compiled = schema.caveats.get(caveat.name);
  if (compiled === undefined) return;
  const [problem] = validateCaveatContext(compiled, caveat.context);
  if (problem !== undefined) {
    const at = `${field}.caveat.context.${problem.parameter}`;
    throw new RequestError(at, `${at}: ${problem.message}`);
  }
}

/** MAX_LISTED_CONFLICTS bounds the relationship shapes a refused schema write lists. */
const MAX_LISTED_CONFLICTS = 20;

/**
 * checkShapesFit throws a SchemaConflictError listing the relationship shapes in the store that
 * the schema would no longer allow (a relation removed, a subject type or trait dropped).
 */
export function checkShapesFit(schema: CompiledSchema, shapes: readonly RelationshipShape[]): void {
  const conflicts: string[] = [];
  for (const shape of shapes) {
    const example = exampleOf(shape);
    const violation = checkRelationshipAgainstSchema(schema, example, formatRelationship(example));
    if (violation !== undefined) conflicts.push(violation.message);
  }
  if (conflicts.length === 0) return;
  const listed = conflicts.slice(0, MAX_LISTED_CONFLICTS).map((c) => `  - ${c}`);
  if (conflicts.length > MAX_LISTED_CONFLICTS) {
    listed.push(`  - and ${conflicts.length - MAX_LISTED_CONFLICTS} more`);
  }
  throw new SchemaConflictError(
    `the schema does not allow relationships the store holds; delete them first or keep allowing them:\n${listed.join("\n")}`,
  );
}

/** exampleOf is a relationship of shape, with placeholder ids, for the schema check. */
function exampleOf(shape: RelationshipShape): Relationship {
  return {
    resource: { type: shape.resourceType, id: "id" },
    relation: shape.relation,
    subject: {
      type: shape.subjectType,
      id: shape.wildcard ? WILDCARD : "id",
      ...(shape.subjectRelation === undefined ? {} : { relation: shape.subjectRelation }),
    },
    ...(shape.caveat === undefined ? {} : { caveat: { name: shape.caveat } }),
    ...(shape.expiring ? { expiresAt: new Date(0) } : {}),
  };
}
