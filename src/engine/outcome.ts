// Outcomes of a check: allowed, denied or conditional, combined in three-valued (Kleene) logic.

import type { Explanation } from "./explanation.js";

/** OutcomeKind is the answer: allowed, denied, or conditional on caveat parameters not given. */
export type OutcomeKind = "allowed" | "denied" | "conditional";

/** Outcome is the result of one sub-problem of a check, with what it depended on. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** For conditional outcomes: the caveat parameters whose absence left the answer open, sorted. */
  readonly missing: readonly string[];
  /** Milliseconds since the epoch when a relationship this outcome used expires; Infinity if none. */
  readonly validUntil: number;
  /**
   * True when the outcome was computed while cutting a cycle in the data (a sub-problem met
   * itself and was taken as denied). Such outcomes are right for the request that computed them
   * but must not be reused by another.
   */
  readonly cyclic: boolean;
  /** The proof, when the request asked for explanations. */
  readonly explanation?: Explanation;
}

const NONE: readonly string[] = Object.freeze([]);

/** ALLOWED is the plain allowed outcome, with no expiry, shared to save allocations. */
export const ALLOWED: Outcome = Object.freeze({
  kind: "allowed",
  missing: NONE,
  validUntil: Number.POSITIVE_INFINITY,
  cyclic: false,
});

/** DENIED is the plain denied outcome, shared to save allocations. */
export const DENIED: Outcome = Object.freeze({
  kind: "denied",
  missing: NONE,
  validUntil: Number.POSITIVE_INFINITY,
  cyclic: false,
});

/** conditional makes a conditional outcome for the missing parameters. */
export function conditional(missing: readonly string[]): Outcome {
  return {
    kind: "conditional",
    missing: [...new Set(missing)].sort(),
    validUntil: Number.POSITIVE_INFINITY,
    cyclic: false,
  };
}

/** withDetails returns the outcome with an expiry, cycle mark or explanation added, sharing when unchanged. */
export function withDetails(
  outcome: Outcome,
  details: { validUntil?: number; cyclic?: boolean; explanation?: Explanation },
): Outcome {
  const validUntil = Math.min(outcome.validUntil, details.validUntil ?? Number.POSITIVE_INFINITY);
  const cyclic = outcome.cyclic || (details.cyclic ?? false);
  const explanation = details.explanation ?? outcome.explanation;
  if (
    validUntil === outcome.validUntil &&
    cyclic === outcome.cyclic &&
    explanation === outcome.explanation
  )
    return outcome;
  return { ...outcome, validUntil, cyclic, explanation };
}

/** anyOf is the Kleene OR of outcomes: allowed if one is, else conditional if one is, else denied. */
export function anyOf(outcomes: readonly Outcome[]): Outcome {
  return combine(outcomes, "allowed", "denied");
}

/** allOf is the Kleene AND of outcomes: denied if one is, else conditional if one is, else allowed. */
export function allOf(outcomes: readonly Outcome[]): Outcome {
  return combine(outcomes, "denied", "allowed");
}

/** negate swaps allowed and denied; a conditional outcome stays conditional on the same parameters. */
export function negate(outcome: Outcome): Outcome {
  if (outcome.kind === "conditional") return outcome;
  const base = outcome.kind === "allowed" ? DENIED : ALLOWED;
  return withDetails(base, { validUntil: outcome.validUntil, cyclic: outcome.cyclic });
}

/**
 * combine folds outcomes: the `dominant` kind wins outright (its own expiry and cycle mark), a
 * conditional comes next (missing parameters merged), and otherwise the result is `neutral`.
 * Expiries and cycle marks of everything that decided the result are kept.
 */
function combine(
  outcomes: readonly Outcome[],
  dominant: OutcomeKind,
  neutral: OutcomeKind,
): Outcome {
  let validUntil = Number.POSITIVE_INFINITY;
  let cyclic = false;
  let missing: string[] | undefined;
  for (const outcome of outcomes) {
    if (outcome.kind === dominant) return outcome;
    validUntil = Math.min(validUntil, outcome.validUntil);
    cyclic ||= outcome.cyclic;
    if (outcome.kind === "conditional") missing = [...(missing ?? []), ...outcome.missing];
  }
  const result = missing ? conditional(missing) : base(neutral);
  return withDetails(result, { validUntil, cyclic });
}

function base(kind: OutcomeKind): Outcome {
  return kind === "allowed" ? ALLOWED : DENIED;
}
