// Checks a parsed relationship against the schema: types, relation, and the subject types it allows.

import { type Relationship, WILDCARD } from "../tuple/relationship.js";
import type { AllowedSubject, CompiledSchema } from "./compiled-schema.js";

/** SchemaViolation is why the schema rejects a relationship, and the 0-based offset in its text to blame. */
export interface SchemaViolation {
  readonly offset: number;
  readonly message: string;
}

/**
 * checkRelationshipAgainstSchema returns why a relationship cannot be written under the schema,
 * or undefined: its resource and subject types must be definitions, its relation a relation (not
 * a permission) of the resource type, a subject set's relation must exist, and one of the
 * relation's allowed subject types must match exactly: type, `:*` or `#relation`, caveat and
 * expiration (as SpiceDB requires). `text` is the relationship as written, for the offsets.
 */
export function checkRelationshipAgainstSchema(
  schema: CompiledSchema,
  rel: Relationship,
  text: string,
): SchemaViolation | undefined {
  const { resource, relation, subject } = rel;
  const relationAt = text.indexOf("#") + 1;
  const subjectAt = text.indexOf("@") + 1;
  if (!schema.definitions.has(resource.type)) {
    return { offset: 0, message: `the schema has no definition '${resource.type}'` };
  }
  const member = schema.member(resource.type, relation);
  if (member === undefined) {
    return {
      offset: relationAt,
      message: `definition '${resource.type}' has no relation or permission '${relation}'`,
    };
  }
  if (member.kind === "permission") {
    return {
      offset: relationAt,
      message: `'${relation}' is a permission of definition '${resource.type}'; relationships can only be written to relations`,
    };
  }
  if (!schema.definitions.has(subject.type)) {
    return { offset: subjectAt, message: `the schema has no definition '${subject.type}'` };
  }
  if (subject.relation !== undefined && !schema.member(subject.type, subject.relation)) {
    return {
      offset: subjectAt,
      message: `definition '${subject.type}' has no relation or permission '${subject.relation}'`,
    };
  }
  const allowed = member.allowedSubjects;
  const sameShape = allowed.filter((a) => sameSubjectShape(a, rel));
  const sameCaveat = sameShape.filter((a) => a.caveat === rel.caveat?.name);
  if (sameCaveat.some((a) => a.expiration === (rel.expiresAt !== undefined))) return undefined;
  const caveatAt = text.indexOf("[", subjectAt);
  const expirationAt = text.indexOf("[expiration:", subjectAt);
  const offset =
    sameShape.length === 0
      ? subjectAt
      : sameCaveat.length === 0
        ? rel.caveat === undefined
          ? text.length
          : caveatAt
        : expirationAt < 0
          ? text.length
          : expirationAt;
  const allowedText = allowed.map(describeAllowed).join(", ");
  return {
    offset,
    message: `${resource.type}#${relation} does not allow ${describeGiven(rel)}; it allows ${allowedText}`,
  };
}

function sameSubjectShape(allowed: AllowedSubject, rel: Relationship): boolean {
  const { subject } = rel;
  if (allowed.type !== subject.type) return false;
  if (subject.id === WILDCARD) return allowed.wildcard;
  return !allowed.wildcard && allowed.relation === subject.relation;
}

/** describeAllowed writes an allowed subject type as the schema does: `user:*`, `group#member with cav and expiration`. */
export function describeAllowed(allowed: AllowedSubject): string {
  const base = allowed.wildcard
    ? `${allowed.type}:*`
    : allowed.relation === undefined
      ? allowed.type
      : `${allowed.type}#${allowed.relation}`;
  return base + traits(allowed.caveat, allowed.expiration);
}

function describeGiven(rel: Relationship): string {
  const { subject } = rel;
  const base =
    subject.id === WILDCARD
      ? `${subject.type}:*`
      : subject.relation === undefined
        ? subject.type
        : `${subject.type}#${subject.relation}`;
  return base + traits(rel.caveat?.name, rel.expiresAt !== undefined);
}

function traits(caveat: string | undefined, expiration: boolean): string {
  if (caveat !== undefined) return ` with ${caveat}${expiration ? " and expiration" : ""}`;
  return expiration ? " with expiration" : "";
}
