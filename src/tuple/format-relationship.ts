// Writes relationships and references in SpiceDB's text syntax, canonically.

import { canonicalJson } from "./canonical-json.js";
import type { ObjectRef, Relationship, SubjectRef } from "./relationship.js";
import { formatTimestamp } from "./timestamp.js";

/** formatObjectRef writes `type:id`. */
export function formatObjectRef(ref: ObjectRef): string {
  return `${ref.type}:${ref.id}`;
}

/** formatSubjectRef writes `type:id`, or `type:id#relation` for a subject set. */
export function formatSubjectRef(ref: SubjectRef): string {
  const object = formatObjectRef(ref);
  return ref.relation === undefined ? object : `${object}#${ref.relation}`;
}

/**
 * formatRelationship writes `resource#relation@subject[caveat:{context}][expiration:timestamp]`,
 * canonically: context keys sorted at every level, no whitespace, the expiration in UTC with 'Z'
 * and milliseconds only when not zero. A context that is present but empty is written `{}`, so
 * that parseRelationship gives back an equal relationship. It does not validate: see
 * validateRelationship.
 */
export function formatRelationship(rel: Relationship): string {
  let text = `${formatObjectRef(rel.resource)}#${rel.relation}@${formatSubjectRef(rel.subject)}`;
  if (rel.caveat !== undefined) {
    const { name, context } = rel.caveat;
    text += context === undefined ? `[${name}]` : `[${name}:${canonicalJson(context)}]`;
  }
  if (rel.expiresAt !== undefined) text += `[expiration:${formatTimestamp(rel.expiresAt)}]`;
  return text;
}
