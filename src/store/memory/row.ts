// One version of a relationship in the memory store, and whether a snapshot sees it.

import type { Relationship } from "../../tuple/relationship.js";

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
