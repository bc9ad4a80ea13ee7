// The record of one check, from what the check path holds when it answers: the seam between the two.

import type { JsonObject } from "@bufbuild/protobuf";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import { formatObjectRef, formatSubjectRef } from "../tuple/format-relationship.js";
import { proofOf } from "./decision-proof.js";
import type { Decision } from "./decision-record.js";

/** CheckDecisionInput is what a check's record is made of. */
export interface CheckDecisionInput {
  /** The id and time newDecisionId gave when the request arrived. */
  readonly stamp: { readonly id: string; readonly time: Date };
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** The name of the API key that asked; undefined in development mode. */
  readonly apiKey: string | undefined;
  readonly question: CheckRequest;
  readonly result: CheckResult;
  /** Where it was answered: the token and revision read, and the schema's revision. */
  readonly token: string;
  readonly revision: number;
  readonly schemaRevision: number;
  /** The request's `traceparent` header, if any. */
  readonly traceparent: string | null | undefined;
}

/**
 * checkDecision is the record of a check (or of one CheckBulk item): its proof is built from the
 * result's explanation, when the check was evaluated with one.
 */
export function checkDecision(input: CheckDecisionInput): Decision {
  const { question, result } = input;
  const traceId = traceIdOf(input.traceparent);
  return {
    decisionId: input.stamp.id,
    time: input.stamp.time.toISOString(),
    kind: "check",
    ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey }),
    subject: formatSubjectRef(question.subject),
    actors: [],
    resource: formatObjectRef(question.resource),
    permission: question.permission,
    result: result.result,
    ...(result.missing.length === 0 ? {} : { missingParameters: result.missing }),
    ...(result.explanation === undefined
      ? {}
      : { proof: proofOf(result.explanation, question.subject) }),
    ...(question.context === undefined ? {} : { context: question.context as JsonObject }),
    token: input.token,
    revision: input.revision,
    schemaRevision: input.schemaRevision,
    cached: result.servedFromCache,
    latencyUs: Math.round((performance.now() - input.startedAt) * 1000),
    ...(traceId === undefined ? {} : { traceId }),
  };
}

/** W3C Trace Context: version 00, a trace id (not all zeros), a parent id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** traceIdOf is the trace id of a `traceparent` header, or undefined for none or a malformed one. */
export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  const id = TRACEPARENT.exec(traceparent?.trim() ?? "")?.[1];
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
