// Checks a write's precondition against the head, naming what made it fail.

import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { type Precondition, type RelationshipFilter, StoreError } from "./store.js";
import { checkCount } from "./write-limits.js";

/**
 * checkPreconditions checks a write's preconditions before anything is read, throwing a
 * StoreError: at most maxPreconditions of them ("too-many-preconditions": each costs a query
 * while every other writer waits), each with a known operation ("invalid-argument").
 */
export function checkPreconditions(
  preconditions: readonly Precondition[],
  maxPreconditions: number,
): void {
  checkCount("preconditions", preconditions.length, maxPreconditions);
  for (const { operation } of preconditions) checkOperation(operation);
}

/**
 * checkPrecondition throws StoreError("precondition-failed") unless precondition holds, given
 * firstMatch, which finds the first live relationship at the head that matches a filter.
 */
export function checkPrecondition(
  { operation, filter }: Precondition,
  firstMatch: (filter: RelationshipFilter) => Relationship | undefined,
): void {
  checkOperation(operation);
  const match = firstMatch(filter);
  if (operation === "must-match" && match === undefined) {
    throw new StoreError(
      "precondition-failed",
      `precondition failed: no relationship matches the must-match filter ${JSON.stringify(filter)}`,
    );
  }
  if (operation === "must-not-match" && match !== undefined) {
    throw new StoreError(
      "precondition-failed",
      `precondition failed: ${formatRelationship(match)} matches the must-not-match filter ${JSON.stringify(filter)}`,
    );
  }
}

function checkOperation(operation: string): void {
  if (operation !== "must-match" && operation !== "must-not-match") {
    throw new StoreError(
      "invalid-argument",
      `unknown precondition operation ${JSON.stringify(operation)}`,
    );
  }
}
