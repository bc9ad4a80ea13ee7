// The record of one check, from what the check path holds when it answers: the seam between the two.

import type { JsonObject } from "@bufbuild/protobuf";
import type { DenialReason } from "../agents/denial-reason.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import { callDecision, type DecisionCall } from "./decision-call.js";
import { checkProof } from "./decision-proof.js";
import type { Decision, DenialReasonName } from "./decision-record.js";

/**
 * checkDecision is the record of a check (or of one CheckBulk item). Its proof is built from the
 * result's explanation when the question asked for one; otherwise the log makes it as it writes
 * the record (see ProofSource). It names who in the chain failed and why as the response does:
 * when the check had actors, or when a suspension denied it; and its origin, when the caller sent one.
 */
export function checkDecision(
  call: DecisionCall,
  question: CheckRequest,
  result: CheckResult,
  origin?: JsonObject,
): Decision {
  const withDenial = result.reason === "suspended" || question.actors !== undefined;
  const { deniedBy, reason } = result;
  return callDecision(call, {
    kind: "check",
    subject: formatSubjectRef(question.subject),
    actors: question.actors === undefined ? NO_ACTORS : question.actors.map(formatSubjectRef),
    resource: formatObjectRef(question.resource),
    permission: question.permission,
    result: result.result,
    missingParameters: result.missing.length === 0 ? undefined : result.missing,
    deniedBy: withDenial && deniedBy !== undefined ? formatSubjectRef(deniedBy) : undefined,
    reason: withDenial && reason !== undefined ? REASON_NAMES[reason] : undefined,
    proof: question.explain ? checkProof(question, result) : undefined,
    context: question.context as JsonObject | undefined,
    cached: result.servedFromCache,
    origin,
  });
}

const NO_ACTORS: readonly string[] = [];

const REASON_NAMES: Record<DenialReason, DenialReasonName> = {
  "no-permission": "no_permission",
  "not-delegated": "not_delegated",
  suspended: "suspended",
  "condition-false": "condition_false",
};
