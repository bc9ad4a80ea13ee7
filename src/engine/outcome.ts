// Outcomes of a check: allowed, denied or conditional, combined in three-valued (Kleene) logic.

import type { Explanation } from "./explanation.js";

/** OutcomeKind is the answer: allowed, denied, or conditional on caveat parameters not given. */
export type OutcomeKind = "allowed" | "denied" | "conditional";

/**
 * ReadSet is the sets (`type:id#relation`, or for a relation read by subject the keys of the
 * relationships read) an outcome depended on: its own reads and the read sets of the outcomes it
 * was made from, a tree built without copying, flattened only when a cache keeps the outcome.
 */
export interface ReadSet {
  readonly sets: readonly string[];
  readonly from: readonly ReadSet[];
}

/** Outcome is the result of one sub-problem of a check, with what it depended on. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** For conditional outcomes: the caveat parameters whose absence left the answer open, sorted. */
  readonly missing: readonly string[];
  /**
   * Milliseconds since the epoch when the outcome may change: a relationship it used expires, or
   * the second ends whose time a caveat saw as `now`; Infinity if never.
   */
  readonly validUntil: number;
  /**
   * True when the outcome was computed while cutting a cycle in the data (a sub-problem met
   * itself and was taken as denied). Such outcomes are right for the request that computed them
   * but must not be reused by another.
   */
  readonly cyclic: boolean;
  /**
   * How many levels of the walk the outcome took, from its own sub-problem down (0 when it took
   * none: a set that contains itself, or one that cannot reach the subject's type). Computing it
   * again with less depth remaining fails with the depth limit, so it may be reused only where at
   * least this much depth remains.
   */
  readonly depthRequired: number;
  /** The proof, when the request asked for explanations. */
  readonly explanation?: Explanation;
  /**
   * The sets whose relationships decided the outcome: while none of them changes, the outcome
   * stays the same (until validUntil). Unset when it depends on the schema alone.
   */
  readonly reads?: ReadSet;
  /** True when a cache answered, not the store. */
  readonly fromCache?: boolean;
  /**
   * True on a denied outcome that a caveat evaluating false decided: a relationship denied by its
   * caveat counts so; a union is so when some denied branch is; an intersection when every denied
   * operand is (one denied without a false caveat denies regardless); a negation never is. So a
   * denial says whether the subject lacks the grant or holds it under a condition that is false.
   */
  readonly conditionFalse?: boolean;
}

const NONE: readonly string[] = Object.freeze([]);

/** ALLOWED is the plain allowed outcome, with no expiry, shared to save allocations. */
export const ALLOWED: Outcome = Object.freeze({
  kind: "allowed",
  missing: NONE,
  validUntil: Number.POSITIVE_INFINITY,
  cyclic: false,
  depthRequired: 0,
});

/** DENIED is the plain denied outcome, shared to save allocations. */
export const DENIED: Outcome = Object.freeze({
  kind: "denied",
  missing: NONE,
  validUntil: Number.POSITIVE_INFINITY,
  cyclic: false,
  depthRequired: 0,
});

/** DENIED_BY_CONDITION is the outcome of a relationship whose caveat evaluated false. */
export const DENIED_BY_CONDITION: Outcome = Object.freeze({ ...DENIED, conditionFalse: true });

/** conditional makes a conditional outcome for the missing parameters. */
export function conditional(missing: readonly string[]): Outcome {
  return {
    kind: "conditional",
    missing: [...new Set(missing)].sort(),
    validUntil: Number.POSITIVE_INFINITY,
    cyclic: false,
    depthRequired: 0,
  };
}

/**
 * withDetails returns the outcome with an expiry, cycle mark, depth required, explanation or reads
 * added (the earliest expiry and the greatest depth win), sharing when unchanged.
 */
export function withDetails(
  outcome: Outcome,
  details: {
    validUntil?: number;
    cyclic?: boolean;
    depthRequired?: number;
    explanation?: Explanation;
    reads?: ReadSet;
  },
): Outcome {
  const validUntil = Math.min(outcome.validUntil, details.validUntil ?? Number.POSITIVE_INFINITY);
  const cyclic = outcome.cyclic || (details.cyclic ?? false);
  const depthRequired = Math.max(outcome.depthRequired, details.depthRequired ?? 0);
  const explanation = details.explanation ?? outcome.explanation;
  const reads = details.reads ?? outcome.reads;
  if (
    validUntil === outcome.validUntil &&
    cyclic === outcome.cyclic &&
    depthRequired === outcome.depthRequired &&
    explanation === outcome.explanation &&
    reads === outcome.reads
  )
    return outcome;
  return { ...outcome, validUntil, cyclic, depthRequired, explanation, reads };
}

/** withReads returns the outcome depending also on sets, which its computation read. */
export function withReads(outcome: Outcome, sets: readonly string[]): Outcome {
  return { ...outcome, reads: { sets, from: outcome.reads ? [outcome.reads] : [] } };
}

/** flattenReads lists the sets of a read set once each. */
export function flattenReads(reads: ReadSet | undefined): string[] {
  const found = new Set<string>();
  const visit = (node: ReadSet) => {
    for (const set of node.sets) found.add(set);
    for (const child of node.from) visit(child);
  };
  if (reads) visit(reads);
  return [...found];
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
  return withDetails(base, {
    validUntil: outcome.validUntil,
    cyclic: outcome.cyclic,
    depthRequired: outcome.depthRequired,
    ...(outcome.reads ? { reads: outcome.reads } : {}),
  });
}

/**
 * combine folds outcomes: the `dominant` kind wins outright (its own expiry, cycle mark and
 * reads: while it holds, so does the result), a conditional comes next (missing parameters
 * merged), and otherwise the result is `neutral`. Expiries, cycle marks and reads of everything
 * that decided the result are kept. The depth required is the greatest of all: every outcome
 * folded was computed, and one computed with too little depth would have failed the whole.
 *
 * A denial decided by false caveats (see {@link Outcome.conditionFalse}) does not win an
 * intersection outright, since another operand's plain denial would decide it regardless: the
 * intersection's denial is by condition only when every denied operand's is, and then it rests
 * on all of them.
 */
function combine(
  outcomes: readonly Outcome[],
  dominant: OutcomeKind,
  neutral: OutcomeKind,
): Outcome {
  let depthRequired = 0;
  for (const outcome of outcomes) depthRequired = Math.max(depthRequired, outcome.depthRequired);
  let validUntil = Number.POSITIVE_INFINITY;
  let cyclic = false;
  let missing: string[] | undefined;
  let byCondition = false;
  const from: ReadSet[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === dominant && outcome.conditionFalse !== true)
      return withDetails(outcome, { depthRequired });
    validUntil = Math.min(validUntil, outcome.validUntil);
    cyclic ||= outcome.cyclic;
    if (outcome.reads) from.push(outcome.reads);
    if (outcome.kind === "conditional") missing = [...(missing ?? []), ...outcome.missing];
    byCondition ||= outcome.conditionFalse === true;
  }
  const result =
    byCondition && (dominant === "denied" || !missing)
      ? DENIED_BY_CONDITION
      : missing
        ? conditional(missing)
        : base(neutral);
  const reads = from.length === 0 ? undefined : from.length === 1 ? from[0] : { sets: [], from };
  return withDetails(result, { validUntil, cyclic, depthRequired, ...(reads ? { reads } : {}) });
}

function base(kind: OutcomeKind): Outcome {
  return kind === "allowed" ? ALLOWED : DENIED;
}
