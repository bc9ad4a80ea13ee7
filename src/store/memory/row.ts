// One version of a relationship in the memory store, and whether a snapshot sees it.

import { type Relationship, WILDCARD } from "../../tuple/relationship.js";
import type { RelationshipShape } from "../store.js";

/**
 * Row is one version of a relationship: live from `createdRev` until `deletedRev` (undefined while
 * it is the head version). A touch retires the old row and adds a new one, so old snapshots keep
 * seeing the old caveat and expiry.
 */
export interface Row {
  readonly relationship: Relationship;
  readonly key: string;
  readonly createdRev: number;
  deletedRev: number | undefined;
  /** `expiresAt` in milliseconds, Infinity when the relationship never expires. */
  readonly expiresAtMs: number;
}

/** isVisible says whether a snapshot at `revision`, evaluated at `nowMs`, sees row. */
export function isVisible(row: Row, revision: number, nowMs: number): boolean {
  return (
    row.createdRev <= revision &&
    (row.deletedRev === undefined || row.deletedRev > revision) &&
    row.expiresAtMs > nowMs
  );
}

/** isLiveAtHead says whether row is the head version of its relationship and not expired at `nowMs`. */
export function isLiveAtHead(row: Row, nowMs: number): boolean {
  return row.deletedRev === undefined && row.expiresAtMs > nowMs;
}

/** rowShape is what a schema must allow for row's relationship. */
export function rowShape({ relationship }: Row): RelationshipShape {
  const { resource, relation, subject, caveat, expiresAt } = relationship;
  return {
    resourceType: resource.type,
    relation,
    subjectType: subject.type,
    ...(subject.relation === undefined ? {} : { subjectRelation: subject.relation }),
    wildcard: subject.id === WILDCARD,
    ...(caveat === undefined ? {} : { caveat: caveat.name }),
    expiring: expiresAt !== undefined,
  };
}
