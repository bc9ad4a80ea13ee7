// A snapshot reader that stops a request's work at its deadline or cancellation, at the next store read.

import type { SnapshotReader } from "../store/store.js";

/**
 * abortableReader wraps reader so that every query first checks signal and rejects with its
 * reason once it has aborted. The engine's work advances by store reads, so a call past its
 * deadline, or cancelled, stops within one level of its walk instead of running to the end.
 */
export function abortableReader(reader: SnapshotReader, signal: AbortSignal): SnapshotReader {
  return {
    revision: reader.revision,
    now: reader.now,
    query(filter, options) {
      if (signal.aborted) return Promise.reject(signal.reason);
      return reader.query(filter, options);
    },
  };
}
