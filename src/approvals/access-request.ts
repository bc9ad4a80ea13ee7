// An access request as Latch stores it: one relationship on the built-in definition, on the relation of its status, its fields in the caveat context.

import type { RelationshipFilter } from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import {
  ACCESS_REQUEST_DEFINITION,
  ACCESS_REQUEST_NOTE_CAVEAT,
  type AccessRequestNote,
  type AccessRequestStatus,
  STORED_STATUSES,
  type StoredStatus,
} from "./access-request-names.js";

/** ACCESS_REQUEST_MAX_DURATION_MS bounds the duration a request may ask for: 30 days. */
export const ACCESS_REQUEST_MAX_DURATION_MS = 30 * 24 * 60 * 60 * 1000;

/** DEFAULT_ACCESS_REQUEST_TTL_MS is how long a request stays pending by default: a day. */
export const DEFAULT_ACCESS_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;

/** Decision is who moved a request out of pending (or revoked it), when, and why. */
export interface Decision {
  readonly by: string;
  readonly at: Date;
  readonly note: string;
}

/** AccessRequest is one request: what, for how long, why, who asked, and what became of it. */
export interface AccessRequest {
  /** A UUID, the id of its `latch/access_request` object. */
  readonly id: string;
  /** The relationship asked for, without caveat or expiration. */
  readonly relationship: Relationship;
  readonly durationMs: number;
  readonly justification: string;
  readonly actors: readonly SubjectRef[];
  /** The relation its record is on. */
  readonly status: StoredStatus;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  /** When it expires if still pending. */
  readonly pendingUntil: Date;
  /** The last decision: approval, denial, cancellation or revocation. */
  readonly decision?: Decision;
  /** The token of the revision the grant was written at. */
  readonly grantedAt?: string;
  readonly grantExpiresAt?: Date;
  /** The token of the revision the grant was deleted at. */
  readonly revokedAt?: string;
}

/** ALL_ACCESS_REQUESTS selects every request's record. */
export const ALL_ACCESS_REQUESTS: RelationshipFilter = { resourceType: ACCESS_REQUEST_DEFINITION };

/** accessRequestFilter selects the record of request id, on whichever status it is. */
export function accessRequestFilter(id: string, status?: StoredStatus): RelationshipFilter {
  return {
    resourceType: ACCESS_REQUEST_DEFINITION,
    resourceIds: [id],
    ...(status === undefined ? {} : { relation: status }),
  };
}

/** statusAt is where request stands at now: a pending request past its deadline is expired. */
export function statusAt(request: AccessRequest, now: Date): AccessRequestStatus {
  return request.status === "pending" && request.pendingUntil.getTime() <= now.getTime()
    ? "expired"
    : request.status;
}

/** accessRequestRecord is the relationship that stores request, on the relation of its status. */
export function accessRequestRecord(request: AccessRequest): Relationship {
  const { relationship, decision } = request;
  const note: AccessRequestNote = {
    resource_type: relationship.resource.type,
    resource_id: relationship.resource.id,
    relation: relationship.relation,
    subject_type: relationship.subject.type,
    subject_id: relationship.subject.id,
    subject_relation: relationship.subject.relation ?? "",
    duration_ms: request.durationMs,
    justification: request.justification,
    actors: request.actors.map(formatSubjectRef).join(" "),
    requested_by: request.requestedBy,
    requested_at: formatTimestamp(request.requestedAt),
    pending_until: formatTimestamp(request.pendingUntil),
    ...(decision === undefined
      ? {}
      : {
          decided_by: decision.by,
          decided_at: formatTimestamp(decision.at),
          note: decision.note,
        }),
    ...(request.grantedAt === undefined ? {} : { granted_at: request.grantedAt }),
    ...(request.grantExpiresAt === undefined
      ? {}
      : { grant_expires_at: formatTimestamp(request.grantExpiresAt) }),
    ...(request.revokedAt === undefined ? {} : { revoked_at: request.revokedAt }),
  };
  const self = { type: ACCESS_REQUEST_DEFINITION, id: request.id };
  return {
    resource: self,
    relation: request.status,
    subject: self,
    caveat: { name: ACCESS_REQUEST_NOTE_CAVEAT, context: { ...note } },
  };
}

/**
 * accessRequestOf reads the request a stored record holds. Records are written by
 * ApprovalService alone (writes of `latch/` types are refused elsewhere), so every field is
 * there; a value missing all the same reads as empty, or for a time as the epoch.
 */
export function accessRequestOf(record: Relationship): AccessRequest {
  const note = record.caveat?.context ?? {};
  const text = (key: keyof AccessRequestNote) => {
    const value = note[key];
    return typeof value === "string" ? value : "";
  };
  const time = (key: keyof AccessRequestNote) => {
    const at = new Date(text(key));
    return Number.isNaN(at.getTime()) ? new Date(0) : at;
  };
  const subjectRelation = text("subject_relation");
  const decidedBy = text("decided_by");
  const grantedAt = text("granted_at");
  const revokedAt = text("revoked_at");
  const duration = note.duration_ms;
  return {
    id: record.resource.id,
    relationship: {
      resource: { type: text("resource_type"), id: text("resource_id") },
      relation: text("relation"),
      subject: {
        type: text("subject_type"),
        id: text("subject_id"),
        ...(subjectRelation === "" ? {} : { relation: subjectRelation }),
      },
    },
    durationMs: typeof duration === "number" ? duration : 0,
    justification: text("justification"),
    actors: text("actors")
      .split(" ")
      .flatMap((actor) => {
        const parsed = parseSubjectRef(actor);
        return parsed.ok ? [parsed.value] : [];
      }),
    status: storedStatus(record.relation),
    requestedBy: text("requested_by"),
    requestedAt: time("requested_at"),
    pendingUntil: time("pending_until"),
    ...(decidedBy === ""
      ? {}
      : { decision: { by: decidedBy, at: time("decided_at"), note: text("note") } }),
    ...(grantedAt === "" ? {} : { grantedAt }),
    ...(text("grant_expires_at") === "" ? {} : { grantExpiresAt: time("grant_expires_at") }),
    ...(revokedAt === "" ? {} : { revokedAt }),
  };
}

function storedStatus(relation: string): StoredStatus {
  const status = STORED_STATUSES.find((known) => known === relation);
  if (status === undefined) throw new Error(`an access request record on the relation ${relation}`);
  return status;
}
