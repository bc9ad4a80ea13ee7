// The reference decision on behalf of a subject: each leg asked alone of an oracle, then combined as the issue states.

import type { ObjectRef, SubjectRef } from "../../src/tuple/relationship.js";
import type { RefResult } from "./reference-evaluator.js";

/** RefReason is why a decision is denied (the engine's DenialReason, restated). */
export type RefReason = "no-permission" | "not-delegated" | "suspended" | "condition-false";

/** RefLegKind is what a leg asks. */
export type RefLegKind = "suspension" | "delegation" | "permission";

/** RefLegAnswer is an oracle's answer to one leg's check, and whether a false caveat decided a denial. */
export interface RefLegAnswer {
  readonly result: RefResult;
  readonly byCondition: boolean;
}

/** LegOracle answers a plain check: whether `subject` has `permission` on `resource`. */
export type LegOracle = (
  resource: ObjectRef,
  permission: string,
  subject: SubjectRef,
) => RefLegAnswer;

/** RefChainQuestion asks for `resource#permission` on behalf of `subject`, by `actors`. */
export interface RefChainQuestion {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
  readonly actors: readonly SubjectRef[];
}

/** RefChainRules names where delegations and suspensions are: the chain's schema conventions. */
export interface RefChainRules {
  readonly actFor: string;
  /** The object and relation holding suspensions, when the schema has them. */
  readonly suspensions?: { readonly object: ObjectRef; readonly relation: string };
}

/** RefDecision is the decision, with the first failing member and why when denied. */
export interface RefDecision {
  readonly result: RefResult;
  readonly deniedBy?: SubjectRef;
  readonly reason?: RefReason;
  /** What the first failing leg asks, when denied. */
  readonly failingLeg?: RefLegKind;
  /** Every leg, in chain order: a suspension leg's result is allowed when the member is not suspended. */
  readonly legs: readonly RefLeg[];
}

/** RefLeg is one leg's verdict. */
export interface RefLeg {
  readonly kind: RefLegKind;
  readonly member: SubjectRef;
  readonly result: RefResult;
}

/**
 * decideOnBehalf decides a question from its legs, each asked alone: for every member of the
 * chain `[subject, ...actors]`, in order: that it is not suspended (the suspension check denies;
 * a conditional suspension counts as one), for an actor that it may act for the member before it
 * (its own `actFor`, with that member as subject), and that it has the permission. Denied when a leg fails, naming the first failing leg's member; else
 * conditional when a leg is (with every conditional leg's missing parameters); else allowed.
 */
export function decideOnBehalf(
  ask: LegOracle,
  question: RefChainQuestion,
  rules: RefChainRules,
): RefDecision {
  const chain = [question.subject, ...question.actors];
  const legs: (RefLeg & { reason: RefReason })[] = [];
  chain.forEach((member, index) => {
    if (rules.suspensions && member.relation === undefined) {
      const { object, relation } = rules.suspensions;
      const suspended = ask(object, relation, member).result.kind !== "denied";
      legs.push({
        kind: "suspension",
        member,
        result: suspended ? { kind: "denied" } : { kind: "allowed" },
        reason: "suspended",
      });
    }
    if (index > 0) {
      const answer = ask({ type: member.type, id: member.id }, rules.actFor, chain[index - 1]!);
      legs.push({
        kind: "delegation",
        member,
        result: answer.result,
        reason: answer.byCondition ? "condition-false" : "not-delegated",
      });
    }
    const answer = ask(question.resource, question.permission, member);
    legs.push({
      kind: "permission",
      member,
      result: answer.result,
      reason: answer.byCondition ? "condition-false" : "no-permission",
    });
  });
  const verdicts = legs.map(({ kind, member, result }) => ({ kind, member, result }));
  const failing = legs.find((leg) => leg.result.kind === "denied");
  if (failing) {
    return {
      result: { kind: "denied" },
      deniedBy: failing.member,
      reason: failing.reason,
      failingLeg: failing.kind,
      legs: verdicts,
    };
  }
  const missing = legs.flatMap((leg) =>
    leg.result.kind === "conditional" ? leg.result.missing : [],
  );
  if (legs.some((leg) => leg.result.kind === "conditional")) {
    return {
      result: { kind: "conditional", missing: [...new Set(missing)].sort() },
      legs: verdicts,
    };
  }
  return { result: { kind: "allowed" }, legs: verdicts };
}
