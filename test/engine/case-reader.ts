// Test helper: a generated case's relationships in a memory store, read as of the case's fixedNow.

import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { SnapshotReader } from "../../src/store/store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { fixedNow } from "../generators/index.js";

const DAY = 24 * 60 * 60 * 1000;
const WEEK = 7 * DAY;

/**
 * caseReader writes a case's relationships and returns a reader at the time the case means (`at`,
 * fixedNow unless given). The store refuses expiries already past at write time, so the case is
 * moved at least two days into the future, by whole weeks: every generated expiry (at most a day
 * before fixedNow) is then still ahead, and the server's time that caveats see as `now` falls on
 * the same weekday and time of day as the case's, all that generated caveats read of it.
 */
export async function caseReader(
  relationships: readonly Relationship[],
  at: Date = fixedNow,
): Promise<SnapshotReader> {
  const shift = Math.ceil((Date.now() + 2 * DAY - fixedNow.getTime()) / WEEK) * WEEK;
  const store = createMemoryStore();
  const updates = relationships.map((r) => ({
    operation: "touch" as const,
    relationship: r.expiresAt ? { ...r, expiresAt: new Date(r.expiresAt.getTime() + shift) } : r,
  }));
  const { revision } = await store.write(updates);
  return store.snapshot(revision, new Date(at.getTime() + shift));
}
