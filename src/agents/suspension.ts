// A suspension as Latch stores it: a relationship on the built-in definition, its note in the caveat context.

import type { RelationshipFilter } from "../store/store.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import {
  SUSPENDED_RELATION,
  SUSPENSION_DEFINITION,
  SUSPENSION_NOTE_CAVEAT,
  SUSPENSION_OBJECT_ID,
  type SuspensionNote,
} from "./suspension-names.js";

/** MAX_REASON_LENGTH bounds a suspension's reason, in characters (code points). */
export const MAX_REASON_LENGTH = 1024;

/** Suspension is one subject suspended: who, why, by whom, since and until when. */
export interface Suspension {
  /** An object, or a wildcard (`agent:*`); never a subject set. */
  readonly subject: SubjectRef;
  readonly reason: string;
  /** The API key's name, or "development". */
  readonly suspendedBy: string;
  readonly suspendedAt: Date;
  /** When it ends by itself; undefined when it lasts until it is lifted. */
  readonly expiresAt?: Date;
}

/** ALL_SUSPENSIONS selects every suspension in the store. */
export const ALL_SUSPENSIONS: RelationshipFilter = {
  resourceType: SUSPENSION_DEFINITION,
  resourceIds: [SUSPENSION_OBJECT_ID],
  relation: SUSPENDED_RELATION,
};

/**
 * suspensionKey is the relationship that suspends subject, without its note: what a delete
 * names (`latch/suspension:all#suspended@agent:bot`).
 */
export function suspensionKey(subject: SubjectRef): Relationship {
  return {
    resource: { type: SUSPENSION_DEFINITION, id: SUSPENSION_OBJECT_ID },
    relation: SUSPENDED_RELATION,
    subject,
  };
}

/** suspensionRelationship is the relationship that stores suspension. */
export function suspensionRelationship(suspension: Suspension): Relationship {
  const note: SuspensionNote = {
    reason: suspension.reason,
    suspended_by: suspension.suspendedBy,
    suspended_at: formatTimestamp(suspension.suspendedAt),
  };
  const { expiresAt } = suspension;
  return {
    ...suspensionKey(suspension.subject),
    caveat: { name: SUSPENSION_NOTE_CAVEAT, context: note },
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * suspensionOf reads the suspension a stored relationship of {@link ALL_SUSPENSIONS} holds. A note
 * the caveat's types refused could not have been written; a value missing from it (written
 * by an import, say) reads as empty, or for the time as the epoch.
 */
export function suspensionOf(relationship: Relationship): Suspension {
  const note = relationship.caveat?.context ?? {};
  const text = (key: keyof SuspensionNote) => {
    const value = note[key];
    return typeof value === "string" ? value : "";
  };
  const suspendedAt = new Date(text("suspended_at"));
  return {
    subject: relationship.subject,
    reason: text("reason"),
    suspendedBy: text("suspended_by"),
    suspendedAt: Number.isNaN(suspendedAt.getTime()) ? new Date(0) : suspendedAt,
    ...(relationship.expiresAt === undefined ? {} : { expiresAt: relationship.expiresAt }),
  };
}
