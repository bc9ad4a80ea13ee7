// Relationships (tuples): their types, text syntax, validation and identity keys.

export { canonicalJson } from "./canonical-json.js";
export { formatObjectRef, formatRelationship, formatSubjectRef } from "./format-relationship.js";
export {
  validateCaveatName,
  validateObjectId,
  validateObjectType,
  validateRelation,
  validateSubjectId,
} from "./identifiers.js";
export type { ParseResult, TupleErrorCode, TupleParseError } from "./parse-error.js";
export { parseObjectRef, parseSubjectRef } from "./parse-ref.js";
export { parseRelationship } from "./parse-relationship.js";
export type { ObjectRef, Relationship, RelationshipCaveat, SubjectRef } from "./relationship.js";
export { WILDCARD } from "./relationship.js";
export { objectRelationKey, relationshipKey } from "./relationship-key.js";
export { validateRelationship } from "./validate-relationship.js";
