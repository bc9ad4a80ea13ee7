// A generated case loaded into SpiceDB and into Latch's memory store, for the differential tests.

import type { CaveatContext } from "../../src/schema/caveat/compiled-caveat.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { SnapshotReader } from "../../src/store/store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { formatTimestamp } from "../../src/tuple/timestamp.js";
import type { SpiceDbOracle } from "../oracle/spicedb-oracle.js";
import { toWallClock } from "../oracle/spicedb-quirks.js";
import { roundTripReader } from "./round-trip-reader.js";

/** SpiceDbCase is a case both sides hold, and how to ask each at the same time. */
export interface SpiceDbCase {
  /** The relationships both hold: generated expiries moved to clearly past or future real times. */
  readonly relationships: readonly Relationship[];
  /**
   * Latch's reader, at the time the case was loaded, with round trips as on Postgres: every walk's
   * reads merge level by level.
   */
  readonly reader: SnapshotReader;
  /** told is context for SpiceDB at the reader's time (see {@link toldAt}). */
  told(context: CaveatContext): Record<string, unknown>;
}

/**
 * loadSpiceDbCase loads a generated schema and its relationships into oracle, and the
 * relationships not yet expired into a new memory store.
 */
export async function loadSpiceDbCase(
  oracle: SpiceDbOracle,
  schemaText: string,
  generated: readonly Relationship[],
): Promise<SpiceDbCase> {
  const { relationships, live } = await loadOracleCase(oracle, schemaText, generated);
  const store = createMemoryStore();
  const { revision } = await store.write(
    live.map((relationship) => ({ operation: "touch", relationship })),
  );
  const at = new Date();
  return {
    relationships,
    reader: roundTripReader(store.snapshot(revision, at)),
    told: (context) => toldAt(at, context),
  };
}

/**
 * loadOracleCase loads a generated schema and its relationships, their expiries moved to clearly
 * past or future real times, into oracle; it returns those relationships, and those of them not
 * yet expired, for Latch.
 */
export async function loadOracleCase(
  oracle: SpiceDbOracle,
  schemaText: string,
  generated: readonly Relationship[],
): Promise<{ relationships: Relationship[]; live: Relationship[] }> {
  const relationships = generated.map(toWallClock);
  await oracle.load(schemaText, relationships);
  const live = relationships.filter((r) => !r.expiresAt || r.expiresAt > new Date());
  return { relationships, live };
}

/**
 * toldAt is context for SpiceDB, which has no server time, asked about time at: with `now` the
 * time Latch's caveats see then (at to the whole second) unless context gives one.
 */
export function toldAt(at: Date, context: CaveatContext): Record<string, unknown> {
  return { now: formatTimestamp(new Date(at.getTime() - (at.getTime() % 1000))), ...context };
}
