// What one check cost: the sub-problems it evaluated and the store queries it made.

import type { SnapshotReader } from "../store/store.js";

/** CheckWork counts the work of one check, for the histograms of /metrics. */
export interface CheckWork {
  /** Dispatches evaluated from the store (not answered by the cache), the check's own included. */
  dispatches: number;
  /** Queries the store answered (one for the reads a level of the walk merged). */
  queries: number;
}

/** countingReader is reader with each query counted in work. */
export function countingReader(reader: SnapshotReader, work: CheckWork): SnapshotReader {
  return {
    revision: reader.revision,
    now: reader.now,
    query(filter, options) {
      work.queries++;
      return reader.query(filter, options);
    },
  };
}
