// How much one write may hold: refused with the count and the limit, before any work.

import { StoreError } from "./store.js";

/** WriteLimits bound one write, as SpiceDB's `--write-relationships-max-*-per-call` do. */
export interface WriteLimits {
  readonly maxUpdatesPerWrite: number;
  readonly maxPreconditionsPerWrite: number;
}

/**
 * checkWriteSize throws a StoreError, "too-many-updates" or "too-many-preconditions", when a
 * write of that many updates and preconditions is past limits: the API calls it before it reads
 * a request's updates, a store before it prepares them.
 */
export function checkWriteSize(limits: WriteLimits, updates: number, preconditions: number): void {
  checkCount("updates", updates, limits.maxUpdatesPerWrite);
  checkCount("preconditions", preconditions, limits.maxPreconditionsPerWrite);
}

/** checkCount throws the StoreError of a write holding more than max updates or preconditions. */
export function checkCount(what: "updates" | "preconditions", count: number, max: number): void {
  if (count <= max) return;
  throw new StoreError(
    what === "updates" ? "too-many-updates" : "too-many-preconditions",
    `a write may hold at most ${max} ${what}, but ${count} were given`,
  );
}
