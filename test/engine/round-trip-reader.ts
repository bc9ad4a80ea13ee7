// Test helper: a reader that answers as a database does, a timer turn later, and counts its queries.

import type { SnapshotReader } from "../../src/store/store.js";

/** RoundTripReader is a reader whose every query costs a round trip, and how many it has made. */
export interface RoundTripReader extends SnapshotReader {
  readonly queries: number;
}

/**
 * roundTripReader wraps reader so that each query answers after a timer (a millisecond or more):
 * slow enough that the engine's batching reader keeps merging, as it does on Postgres and PGlite.
 */
export function roundTripReader(reader: SnapshotReader): RoundTripReader {
  let queries = 0;
  return {
    revision: reader.revision,
    now: reader.now,
    get queries() {
      return queries;
    },
    query(filter, options) {
      queries++;
      return reader.query(filter, options).then(
        (rows) => new Promise((resolve) => setTimeout(() => resolve(rows), 0)),
        (error: unknown) => new Promise((_, reject) => setTimeout(() => reject(error), 0)),
      );
    },
  };
}
