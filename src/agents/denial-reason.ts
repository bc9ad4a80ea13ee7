// Why a decision was denied: the first failing leg, in chain order, names the member and the reason.

import type { Outcome } from "../engine/outcome.js";
import type { SubjectRef } from "../tuple/relationship.js";
import type { LegKind } from "./decision-leg.js";

/**
 * DenialReason says why a decision was denied: the member lacks the permission, the actor has no
 * delegation from the member before it, the member is suspended, or the permission or delegation
 * is granted only under a caveat that evaluated false.
 */
export type DenialReason = "no-permission" | "not-delegated" | "suspended" | "condition-false";

/** Denial names the member whose leg failed first and why. */
export interface Denial {
  readonly deniedBy: SubjectRef;
  readonly reason: DenialReason;
}

/**
 * denialReason is the reason a leg of `kind` gives when its verdict is denied, from the outcome
 * of its check: a suspension leg fails because its check did not deny; a delegation or
 * permission leg because its check denied, by a caveat that evaluated false or for want of a grant.
 */
export function denialReason(kind: LegKind, outcome: Outcome): DenialReason {
  if (kind === "suspension") return "suspended";
  if (outcome.conditionFalse === true) return "condition-false";
  return kind === "delegation" ? "not-delegated" : "no-permission";
}
