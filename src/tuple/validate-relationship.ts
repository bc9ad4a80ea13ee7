// Checks a relationship built in code (from an API request, say) against the rules its text form obeys.

import { checkContext } from "./context-limits.js";
import {
  checkCaveatName,
  checkObjectId,
  checkObjectType,
  checkRelation,
  checkSubjectId,
  explain,
} from "./identifiers.js";
import { quoteValue } from "./issue.js";
import {
  type Relationship,
  type RelationshipCaveat,
  type SubjectRef,
  WILDCARD,
} from "./relationship.js";

const MIN_YEAR = 0;
const MAX_YEAR = 9999;

/**
 * validateRelationship returns why rel could not be written as SpiceDB would accept it (the first
 * problem, naming the field, the rule and the position in the value), or undefined if it is valid.
 */
export function validateRelationship(rel: Relationship): string | undefined {
  const { resource, subject } = rel;
  return (
    explain("resource type", resource.type, checkObjectType(resource.type)) ??
    explain("resource id", resource.id, checkObjectId(resource.id)) ??
    explain("relation", rel.relation, checkRelation(rel.relation)) ??
    explain("subject type", subject.type, checkObjectType(subject.type)) ??
    explain("subject id", subject.id, checkSubjectId(subject.id)) ??
    validateSubjectRelation(subject) ??
    (rel.caveat === undefined ? undefined : validateCaveat(rel.caveat)) ??
    (rel.expiresAt === undefined ? undefined : validateExpiration(rel.expiresAt))
  );
}

function validateSubjectRelation(subject: SubjectRef): string | undefined {
  if (subject.relation === undefined) return undefined;
  if (subject.id === WILDCARD) {
    return `invalid subject relation ${quoteValue(subject.relation)}: a wildcard subject can't have a relation`;
  }
  return explain("subject relation", subject.relation, checkRelation(subject.relation));
}

function validateCaveat(caveat: RelationshipCaveat): string | undefined {
  const nameError = explain("caveat name", caveat.name, checkCaveatName(caveat.name));
  if (nameError !== undefined) return nameError;
  const { context } = caveat;
  if (
    context !== undefined &&
    (typeof context !== "object" || context === null || Array.isArray(context))
  ) {
    return "invalid caveat context: must be a JSON object";
  }
  const issue = context === undefined ? undefined : checkContext(context);
  if (issue === undefined) return undefined;
  return `invalid caveat context${issue.path === "" ? "" : ` at ${issue.path}`}: ${issue.problem}`;
}

function validateExpiration(expiresAt: Date): string | undefined {
  const year = expiresAt.getUTCFullYear();
  if (Number.isNaN(year)) return "invalid expiration: not a valid date";
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return `invalid expiration: year ${year} is outside ${MIN_YEAR} to ${MAX_YEAR}, which RFC 3339 can write`;
  }
  return undefined;
}
