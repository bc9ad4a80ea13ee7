// The names of Latch's built-in access request definition, its caveat and its status relations.

/** ACCESS_REQUEST_DEFINITION is the built-in definition whose objects are access requests. */
export const ACCESS_REQUEST_DEFINITION = "latch/access_request";

/**
 * ACCESS_REQUEST_NOTE_CAVEAT is the caveat a request's record is written with. Its expression is
 * `true`: it carries the request's fields in the record's caveat context, and never limits it.
 */
export const ACCESS_REQUEST_NOTE_CAVEAT = "latch/access_request_note";

/**
 * STORED_STATUSES are the relations of the built-in definition: a request's one record,
 * `latch/access_request:ID#pending@latch/access_request:ID`, moves from relation to relation as
 * the request is decided. EXPIRED is not stored: it is a pending request read after its deadline.
 */
export const STORED_STATUSES = ["pending", "approved", "denied", "cancelled", "revoked"] as const;

/** StoredStatus is the relation a request's record is on. */
export type StoredStatus = (typeof STORED_STATUSES)[number];

/** AccessRequestStatus is where a request stands, as read at a time. */
export type AccessRequestStatus = StoredStatus | "expired";

/**
 * AccessRequestNote is the caveat context of a request's record, as written: ids and names as
 * text, times RFC 3339, `duration_ms` and the subject's relation empty when it has none. Decision
 * fields are absent until a decision.
 */
export interface AccessRequestNote {
  readonly resource_type: string;
  readonly resource_id: string;
  readonly relation: string;
  readonly subject_type: string;
  readonly subject_id: string;
  readonly subject_relation: string;
  readonly duration_ms: number;
  readonly justification: string;
  /** The actors, space-separated (`user:alice service:gateway`). */
  readonly actors: string;
  readonly requested_by: string;
  readonly requested_at: string;
  readonly pending_until: string;
  readonly decided_by?: string;
  readonly decided_at?: string;
  readonly note?: string;
  readonly granted_at?: string;
  readonly grant_expires_at?: string;
  readonly revoked_at?: string;
}

/** The built-in caveat, in the schema language: its parameters are the note's fields. */
export const ACCESS_REQUEST_NOTE_TEXT = `caveat ${ACCESS_REQUEST_NOTE_CAVEAT}(resource_type string, resource_id string, relation string, subject_type string, subject_id string, subject_relation string, duration_ms int, justification string, actors string, requested_by string, requested_at timestamp, pending_until timestamp, decided_by string, decided_at timestamp, note string, granted_at string, grant_expires_at timestamp, revoked_at string) {
  true
}
`;
