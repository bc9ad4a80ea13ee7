// A snapshot reader whose queries are client spans of the request's trace, when it is sampled.

import type { Context } from "@opentelemetry/api";
import { clientSpan, recordingSpan } from "../telemetry/tracing.js";
import type { SnapshotReader } from "./store.js";

/** The attributes of every relationship query, made once. */
const QUERY_ATTRIBUTES = Object.freeze({
  "db.system": "postgresql",
  "db.operation.name": "SELECT",
  "db.collection.name": "relationships",
});

/**
 * tracedReader is reader with a span `SELECT relationships` (`db.system` postgresql, the rows
 * returned as `db.response.returned_rows`, the filter as `db.query.text` only when identifiers
 * may be traced) for each query, beneath the span of parent, when that is sampled; otherwise it
 * is reader itself.
 */
export function tracedReader(
  reader: SnapshotReader,
  identifiers: boolean,
  parent: Context,
): SnapshotReader {
  if (recordingSpan(parent) === undefined) return reader;
  return {
    revision: reader.revision,
    now: reader.now,
    query(filter, options) {
      const attributes = identifiers
        ? { ...QUERY_ATTRIBUTES, "db.query.text": JSON.stringify({ filter, options }) }
        : QUERY_ATTRIBUTES;
      return clientSpan(
        parent,
        "SELECT relationships",
        attributes,
        () => reader.query(filter, options),
        (rows) => ({ "db.response.returned_rows": rows.length }),
      );
    },
  };
}
