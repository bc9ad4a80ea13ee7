// A decision's proof, from the engine's explanation: what granted an answer, or a bounded account of a denial.

import type { JsonObject } from "@bufbuild/protobuf";
import type { DecisionLeg } from "../agents/decision-leg.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import type { Explanation } from "../engine/explanation.js";
import { renderExplanation } from "../engine/render-explanation.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { formatTimestamp } from "../tuple/timestamp.js";

/** ProofRelationship is one relationship a proof rests on, its caveat and expiry apart. */
export interface ProofRelationship {
  /** `document:plan#viewer@user:alice`. */
  readonly relationship: string;
  /** The caveat it was written with, its context, and how the caveat evaluated. */
  readonly caveat?: string;
  readonly caveatContext?: JsonObject;
  readonly caveatResult?: "true" | "false" | "missing";
  /** RFC 3339, when it expires. */
  readonly expiresAt?: string;
  /** The id of the approved access request that wrote it: it is that request's grant. */
  readonly accessRequest?: string;
}

/** FailingLeg is the part of an on-behalf-of check that denied it. */
export interface FailingLeg {
  /** `suspension`, `delegation` or `permission`. */
  readonly kind: string;
  /** The member of the chain the leg is about, `agent:bot`. */
  readonly member: string;
  /** The leg's own result. */
  readonly result: string;
}

/**
 * DecisionProof says why an answer is right. Allowed or conditional: the relationships on a path
 * that granted it (one path per union, every branch of an intersection); when that path holds no
 * relationship (`self`: the subject is the resource itself), the summary says what granted it. Denied: the failing leg
 * (on-behalf-of checks), and a summary of what was tried, at most {@link MAX_SUMMARY_LINES} lines
 * of at most {@link MAX_SUMMARY_LINE} characters, written without caveat contexts (so that no
 * value the log redacts hides in it).
 */
export interface DecisionProof {
  readonly grantedBy?: readonly ProofRelationship[];
  readonly failingLeg?: FailingLeg;
  readonly summary?: readonly string[];
  /** Set when grantedBy or summary was cut at its bound. */
  readonly truncated?: boolean;
  /** Why there is no proof: it could not be made when the record was written. */
  readonly unavailable?: string;
}

/** The most relationships a proof lists, and summary lines a denial keeps. */
export const MAX_PROOF_RELATIONSHIPS = 64;
export const MAX_SUMMARY_LINES = 20;
export const MAX_SUMMARY_LINE = 300;

/**
 * proofOf builds the proof of a check's answer from its explanation; subject is the checked
 * subject, named in a denial's summary.
 */
export function proofOf(explanation: Explanation, subject: SubjectRef): DecisionProof {
  if (explanation.result === "denied") return summaryOf(explanation, subject);
  const found: ProofRelationship[] = [];
  const complete = granting(explanation, found);
  if (found.length === 0) return { grantedBy: found, ...summaryOf(explanation, subject) };
  return complete ? { grantedBy: found } : { grantedBy: found, truncated: true };
}

/**
 * checkProof builds the proof of an explained check's answer. With legs (an on-behalf-of check,
 * or one a suspension denied): for a denial, the first failing leg and the summary of its check;
 * otherwise the granting relationships of every permission and delegation leg, in the chain's
 * order. Without legs, {@link proofOf} of its explanation.
 */
export function checkProof(question: CheckRequest, result: CheckResult): DecisionProof {
  const chain = [question.subject, ...(question.actors ?? [])];
  const legs = result.legs;
  if (legs === undefined) {
    return result.explanation === undefined ? {} : proofOf(result.explanation, question.subject);
  }
  const failing = result.result === "denied" ? legs.find((l) => l.result === "denied") : undefined;
  if (failing !== undefined) {
    const failingLeg = {
      kind: failing.kind,
      member: formatSubjectRef(failing.member),
      result: failing.result,
    };
    if (failing.explanation === undefined) return { failingLeg };
    return { failingLeg, ...summaryOf(failing.explanation, legSubject(failing, chain)) };
  }
  const found: ProofRelationship[] = [];
  const complete = legs.every(
    (leg) =>
      leg.kind === "suspension" ||
      leg.explanation === undefined ||
      granting(leg.explanation, found),
  );
  return complete ? { grantedBy: found } : { grantedBy: found, truncated: true };
}

/**
 * legSubject is the subject a leg's check asked about: for a delegation, the member before the
 * actor in the chain (`agent:bot#act_for@user:alice`); otherwise the member itself.
 */
function legSubject(leg: DecisionLeg, chain: readonly SubjectRef[]): SubjectRef {
  if (leg.kind !== "delegation") return leg.member;
  const member = formatSubjectRef(leg.member);
  const at = chain.findIndex((m) => formatSubjectRef(m) === member);
  return chain[at - 1] ?? leg.member;
}

/** summaryOf is the bounded summary of an explanation, without caveat contexts. */
function summaryOf(explanation: Explanation, subject: SubjectRef): DecisionProof {
  const lines = renderExplanation(withoutContexts(explanation), subject);
  const summary = lines
    .slice(0, MAX_SUMMARY_LINES)
    .map((line) => (line.length > MAX_SUMMARY_LINE ? `${line.slice(0, MAX_SUMMARY_LINE)}…` : line));
  const truncated = lines.length > summary.length || summary.some((l, i) => l !== lines[i]);
  return truncated ? { summary, truncated } : { summary };
}

/**
 * granting adds the relationships of node's granting path to found, as renderExplanation picks
 * them; it returns false once found holds MAX_PROOF_RELATIONSHIPS and more were left out.
 */
function granting(node: Explanation, found: ProofRelationship[]): boolean {
  if (node.result === "denied") return true;
  if (node.relationship !== undefined) {
    if (found.length === MAX_PROOF_RELATIONSHIPS) return false;
    found.push(proofRelationship(node));
  }
  const { children } = node;
  let followed: readonly Explanation[];
  switch (node.step) {
    case "relation":
    case "union":
      // One granting branch is the proof; a conditional answer rests on every conditional one.
      followed =
        node.result === "allowed"
          ? children.filter((c) => c.result === "allowed").slice(0, 1)
          : children.filter((c) => c.result === "conditional");
      break;
    case "exclusion":
      followed = children.filter((c) => c.role === "base");
      break;
    default:
      followed = children;
  }
  return followed.every((child) => granting(child, found));
}

function proofRelationship(node: Explanation): ProofRelationship {
  const rel = node.relationship!;
  const caveat = rel.caveat;
  return {
    relationship: relationshipKey(rel),
    ...(caveat === undefined ? {} : { caveat: caveat.name }),
    ...(caveat?.context === undefined ? {} : { caveatContext: caveat.context as JsonObject }),
    ...(node.caveat === undefined ? {} : { caveatResult: node.caveat.result }),
    ...(rel.expiresAt === undefined ? {} : { expiresAt: formatTimestamp(rel.expiresAt) }),
  };
}

function withoutContexts(node: Explanation): Explanation {
  const rel = node.relationship;
  return {
    ...node,
    ...(rel?.caveat?.context === undefined
      ? {}
      : { relationship: { ...rel, caveat: { name: rel.caveat.name } } }),
    children: node.children.map(withoutContexts),
  };
}
