// ListDecisions' cursors: where a page ended, bound to the query that made it.

import { createHash } from "node:crypto";
import { canonicalJson } from "../tuple/canonical-json.js";
import type { DecisionFilter } from "./decision-filter.js";
import {
  type DecisionId,
  decisionIdBytes,
  decisionIdFromBytes,
  decisionIdTime,
} from "./decision-id.js";

const PREFIX = "dc1_";
const FINGERPRINT_BYTES = 8;
const CURSOR = /^dc1_[A-Za-z0-9_-]{32}$/;

/** CursorError is a cursor ListDecisions did not make for this query; the message says which. */
export class CursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CursorError";
  }
}

/**
 * encodeCursor is the cursor after the decision `lastId`, for the query of filter: `dc1_` and,
 * in base64url, the id's 16 bytes and 8 bytes of a SHA-256 of the filter (so that a cursor
 * cannot be taken to another query, which would skip or repeat records unnoticed).
 */
export function encodeCursor(lastId: string, filter: DecisionFilter): string {
  return (
    PREFIX + Buffer.concat([decisionIdBytes(lastId), fingerprint(filter)]).toString("base64url")
  );
}

/**
 * decodeCursor returns the id a cursor resumes after, with its time, or throws a CursorError: for
 * text that is not a cursor, and for a cursor made for another filter.
 */
export function decodeCursor(cursor: string, filter: DecisionFilter): DecisionId {
  const bytes = CURSOR.test(cursor)
    ? Buffer.from(cursor.slice(PREFIX.length), "base64url")
    : undefined;
  const id = bytes === undefined ? undefined : decisionIdFromBytes(bytes.subarray(0, 16));
  const time = id === undefined ? undefined : decisionIdTime(id);
  if (id === undefined || time === undefined || bytes === undefined) {
    throw new CursorError("not a cursor that ListDecisions returned (they start with dc1_)");
  }
  if (!bytes.subarray(16).equals(fingerprint(filter))) {
    throw new CursorError(
      "this cursor belongs to another query: pass the same filter as the call that returned it",
    );
  }
  return { id, time };
}

function fingerprint(filter: DecisionFilter): Buffer {
  return createHash("sha256").update(canonicalJson(filter)).digest().subarray(0, FINGERPRINT_BYTES);
}
