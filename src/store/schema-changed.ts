// The refusal of a write checked against a schema that has since been replaced.

import { StoreError } from "./store.js";

/** schemaChanged is the "schema-changed" error of a write expecting schema revision `expected`. */
export function schemaChanged(expected: number, current: number): StoreError {
  return new StoreError(
    "schema-changed",
    `the schema changed while the write was checked (checked against the schema of revision ${expected}, now ${current}); nothing was written`,
  );
}
