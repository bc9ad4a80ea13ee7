// Identity keys for stores and caches: what makes two relationships, or two object#relation sets, the same.

import { formatObjectRef, formatSubjectRef } from "./format-relationship.js";
import type { Relationship } from "./relationship.js";

/**
 * relationshipKey identifies a relationship as SpiceDB does, by (resource, relation, subject),
 * ignoring its caveat and expiration: writing the same key again replaces the relationship. The key
 * is `type:id#relation@type:id[#relation]`, unique for valid names and ids, which never contain
 * ':', '#' or '@'.
 */
export function relationshipKey(rel: Relationship): string {
  return `${formatObjectRef(rel.resource)}#${rel.relation}@${formatSubjectRef(rel.subject)}`;
}

/** objectRelationKey identifies the set `type:id#relation`, the unit of reads and cache invalidation. */
export function objectRelationKey(type: string, id: string, relation: string): string {
  return `${type}:${id}#${relation}`;
}
