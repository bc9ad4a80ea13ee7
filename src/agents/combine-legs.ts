// The decision from its legs: their Kleene AND, the first failing leg's member and reason, the legs themselves.

import type { CheckResult } from "../engine/check-engine.js";
import { flattenReads, type Outcome, type OutcomeKind } from "../engine/outcome.js";
import type { DecisionLeg, LegKind, LegQuestion } from "./decision-leg.js";
import { type Denial, denialReason } from "./denial-reason.js";

/**
 * combineLegs decides from the outcomes of the legs' checks (`outcomes[i]` answers `legs[i]`,
 * listed as {@link decisionLegs} lists them): denied when a leg's verdict is denied, else
 * conditional when one is (missing: the sorted union), else allowed. It is valid until the
 * earliest expiry any leg rests on, and served from the cache when every leg was. A denial names
 * the first failing leg's member and reason. The legs are returned when `withActors` (the
 * request named actors) or when a suspension denied; `explanation` is the proof of the subject's
 * permission, as for a check without actors.
 */
export function combineLegs(
  legs: readonly LegQuestion[],
  outcomes: readonly Outcome[],
  withActors: boolean,
): CheckResult {
  let result: OutcomeKind = "allowed";
  let missing: readonly string[] | undefined;
  let validUntil = Number.POSITIVE_INFINITY;
  let servedFromCache = true;
  let denial: Denial | undefined;
  let principal: Outcome | undefined;
  for (let index = 0; index < legs.length; index++) {
    const leg = legs[index]!;
    const outcome = outcomes[index]!;
    validUntil = Math.min(validUntil, outcome.validUntil);
    servedFromCache &&= outcome.fromCache === true;
    if (leg.kind === "permission") principal ??= outcome;
    const verdict = verdictOf(leg.kind, outcome);
    if (verdict === "denied") {
      result = "denied";
      denial ??= { deniedBy: leg.member, reason: denialReason(leg.kind, outcome) };
    } else if (verdict === "conditional") {
      if (result === "allowed") result = "conditional";
      missing = missing === undefined ? outcome.missing : [...missing, ...outcome.missing];
    }
  }
  const decided: CheckResult = {
    result,
    missing: result !== "conditional" || missing === undefined ? [] : sortedOnce(missing),
    validUntil,
    servedFromCache,
    ...(principal?.explanation && {
      explanation: principal.explanation,
      ...(outcomes.every((outcome) => !outcome.cyclic) && { reads: readsOf(outcomes) }),
    }),
    ...(denial && { deniedBy: denial.deniedBy, reason: denial.reason }),
  };
  if (!withActors && denial?.reason !== "suspended") return decided;
  return { ...decided, legs: legs.map((leg, index) => decisionLeg(leg, outcomes[index]!)) };
}

/** readsOf lists the sets outcomes read, once each. */
function readsOf(outcomes: readonly Outcome[]): string[] {
  return flattenReads({ sets: [], from: outcomes.flatMap((outcome) => outcome.reads ?? []) });
}

/**
 * verdictOf is a leg's part in the decision: a check's own answer, but for a suspension leg the
 * member passes only when the suspension check denies; a conditional suspension fails closed.
 */
function verdictOf(kind: LegKind, outcome: Outcome): OutcomeKind {
  if (kind !== "suspension") return outcome.kind;
  return outcome.kind === "denied" ? "allowed" : "denied";
}

function decisionLeg(leg: LegQuestion, outcome: Outcome): DecisionLeg {
  const result = verdictOf(leg.kind, outcome);
  return {
    kind: leg.kind,
    member: leg.member,
    result,
    missing: result === "conditional" ? outcome.missing : [],
    ...(outcome.explanation && { explanation: outcome.explanation }),
  };
}

/** sortedOnce lists parameter names once each, sorted, as conditional outcomes hold them. */
function sortedOnce(names: readonly string[]): readonly string[] {
  return [...new Set(names)].sort();
}
