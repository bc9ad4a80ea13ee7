// The record of one check, from what the check path holds when it answers: the seam between the two.

import type { JsonObject } from "@bufbuild/protobuf";
import type { DenialReason } from "../agents/denial-reason.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import { callFields, type DecisionCall } from "./decision-call.js";
import { checkProof } from "./decision-proof.js";
import type { Decision, DenialReasonName } from "./decision-record.js";

/** CheckDecisionInput is what a check's record is made of: the call, the question, the answer. */
export interface CheckDecisionInput extends DecisionCall {
  readonly question: CheckRequest;
  readonly result: CheckResult;
}

/**
 * checkDecision is the record of a check (or of one CheckBulk item). Its proof is built from the
 * result's explanation when the question asked for one; otherwise the log makes it as it writes
 * the record (see ProofSource). It names who in the chain failed and why as the response does:
 * when the check had actors, or when a suspension denied it.
 */
export function checkDecision(input: CheckDecisionInput): Decision {
  const { question, result } = input;
  return {
    ...callFields(input),
    kind: "check",
    subject: formatSubjectRef(question.subject),
    actors: question.actors?.map(formatSubjectRef) ?? [],
    resource: formatObjectRef(question.resource),
    permission: question.permission,
    result: result.result,
    ...(result.missing.length === 0 ? {} : { missingParameters: result.missing }),
    ...denial(question, result),
    ...(question.explain ? { proof: checkProof(question, result) } : {}),
    ...(question.context === undefined ? {} : { context: question.context as JsonObject }),
    cached: result.servedFromCache,
  };
}

function denial(question: CheckRequest, result: CheckResult) {
  const { deniedBy, reason } = result;
  if (deniedBy === undefined || reason === undefined) return {};
  if (question.actors === undefined && reason !== "suspended") return {};
  return { deniedBy: formatSubjectRef(deniedBy), reason: REASON_NAMES[reason] };
}

const REASON_NAMES: Record<DenialReason, DenialReasonName> = {
  "no-permission": "no_permission",
  "not-delegated": "not_delegated",
  suspended: "suspended",
  "condition-false": "condition_false",
};
