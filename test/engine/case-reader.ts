// Test helper: a generated case's relationships in a memory store, read as of the case's fixedNow.

import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { SnapshotReader } from "../../src/store/store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { fixedNow } from "../generators/index.js";

const DAY = 24 * 60 * 60 * 1000;
const WEEK = 7 * DAY;

/**
/**
 * CaseShift moves a case into the future: the store refuses expiries already past at write time,
 * so a case's times all move by the same amount, at least two days past now, by whole weeks:
 * every generated expiry (at most a day before fixedNow) is then still ahead, and the server's
 * time that caveats see as `now` falls on the same weekday and time of day as the case's, all
 * that generated caveats read of it.
 */
export interface CaseShift {
  /** The relationship with its expiry moved. */
  (relationship: Relationship): Relationship;
  /** The time moved. */
  time(date: Date): Date;
}

/** caseShift returns the shift of a case written now. */
export function caseShift(): CaseShift {
  const by = Math.ceil((Date.now() + 2 * DAY - fixedNow.getTime()) / WEEK) * WEEK;
  const time = (date: Date) => new Date(date.getTime() + by);
  const shift = (r: Relationship): Relationship =>
    r.expiresAt ? { ...r, expiresAt: time(r.expiresAt) } : r;
  return Object.assign(shift, { time });
}

/**
 * caseReader writes a case's relationships and returns a reader at the time the case means (`at`,
 * fixedNow unless given), both moved by {@link caseShift}.
 */
export async function caseReader(
  relationships: readonly Relationship[],
  at: Date = fixedNow,
): Promise<SnapshotReader> {
  const shift = caseShift();
  const store = createMemoryStore();
  const updates = relationships.map((r) => ({
    operation: "touch" as const,
    relationship: shift(r),
  }));
  const { revision } = await store.write(updates);
  return store.snapshot(revision, shift.time(at));
}
