// One leg of an on-behalf-of decision: a member's suspension, an actor's delegation, or a member's permission.

import type { Explanation } from "../engine/explanation.js";
import type { OutcomeKind } from "../engine/outcome.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";

/**
 * LegKind names what a leg asks: whether a member is suspended, whether an actor may act for the
 * member before it, or whether a member has the permission on the resource.
 */
export type LegKind = "suspension" | "delegation" | "permission";

/**
 * LegQuestion is a leg as the engine asks it: an ordinary check of `resource#permission@subject`,
 * which decides the leg of `member`.
 */
export interface LegQuestion {
  readonly kind: LegKind;
  readonly member: SubjectRef;
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
}

/**
 * DecisionLeg is a leg's part in a decision. `result` is the leg's verdict, the one the decision
 * combines: for a suspension leg, allowed when the member is not suspended and denied when it is
 * (a suspension that holds only conditionally counts as holding: it fails closed); for the
 * others, the check's own answer. `explanation` is the proof of the leg's check, when asked.
 */
export interface DecisionLeg {
  readonly kind: LegKind;
  readonly member: SubjectRef;
  readonly result: OutcomeKind;
  /** For a conditional leg: the caveat parameters to supply, sorted. */
  readonly missing: readonly string[];
  readonly explanation?: Explanation;
}
