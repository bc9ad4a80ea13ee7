// The refusals every store makes alike: a bad limit, a collected revision, a replaced schema.

import { StoreError } from "./store.js";

/** checkLimit throws "invalid-argument" unless limit is unset or a non-negative integer. */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new StoreError("invalid-argument", `limit must be a non-negative integer, got ${limit}`);
  }
}

/** revisionCollected is the refusal to `what` (read at, watch after) a revision before the oldest. */
export function revisionCollected(what: string, at: number, oldest: number): StoreError {
  return new StoreError(
    "revision-unavailable",
    `cannot ${what} revision ${at}: it has been garbage-collected (the oldest available revision is ${oldest})`,
  );
}

/** schemaChanged is the "schema-changed" error of a write expecting schema revision `expected`. */
export function schemaChanged(expected: number, current: number): StoreError {
  return new StoreError(
    "schema-changed",
    `the schema changed while the write was checked (checked against the schema of revision ${expected}, now ${current}); nothing was written`,
  );
}
