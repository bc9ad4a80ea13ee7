// Decision log records (the DecisionService's messages) as API messages.

import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { DecisionRecord, DecisionKind as Kind } from "../../decisions/decision-record.js";
import type { ProblemKind, VerifyReport } from "../../decisions/verify-chain.js";
import {
  ChainProblem_Kind,
  DecisionKind,
  type DecisionSchema,
  type VerifyDecisionsResponseSchema,
} from "../../gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../gen/latch/v1/permission_service_pb.js";
import { checkResultMessage } from "./write-messages.js";

const KINDS: Record<Kind, DecisionKind> = {
  check: DecisionKind.CHECK,
  lookup_resources: DecisionKind.LOOKUP_RESOURCES,
  lookup_subjects: DecisionKind.LOOKUP_SUBJECTS,
};

const PROBLEMS: Record<ProblemKind, ChainProblem_Kind> = {
  changed: ChainProblem_Kind.CHANGED,
  removed: ChainProblem_Kind.REMOVED,
  out_of_order: ChainProblem_Kind.OUT_OF_ORDER,
  inserted: ChainProblem_Kind.INSERTED,
};

/** decisionMessage is a record as the API's Decision message. */
export function decisionMessage(record: DecisionRecord): MessageInitShape<typeof DecisionSchema> {
  const { lookup } = record;
  return {
    decisionId: record.decisionId,
    time: timestampFromDate(new Date(record.time)),
    kind: KINDS[record.kind],
    apiKey: record.apiKey ?? "",
    subject: record.subject,
    actors: [...record.actors],
    resource: record.resource,
    permission: record.permission,
    result:
      record.result === undefined ? CheckResult.UNSPECIFIED : checkResultMessage(record.result),
    missingParameters: [...(record.missingParameters ?? [])],
    deniedBy: record.deniedBy ?? "",
    reason: record.reason ?? "",
    ...(record.proof === undefined ? {} : { proof: record.proof as JsonObject }),
    ...(record.context === undefined ? {} : { context: record.context }),
    ...(record.origin === undefined ? {} : { origin: record.origin }),
    masked: [...record.masked],
    token: record.token,
    revision: BigInt(record.revision),
    schemaRevision: BigInt(record.schemaRevision),
    cached: record.cached,
    latencyUs: BigInt(record.latencyUs),
    traceId: record.traceId ?? "",
    ...(lookup === undefined
      ? {}
      : {
          lookup: {
            limit: lookup.limit ?? 0,
            cursor: lookup.cursor ?? "",
            returned: BigInt(lookup.returned),
          },
        }),
  };
}

/** verifyMessage is a verification report as the API's response. */
export function verifyMessage(
  report: VerifyReport,
): MessageInitShape<typeof VerifyDecisionsResponseSchema> {
  const { problem } = report;
  return {
    batches: BigInt(report.batches),
    decisions: BigInt(report.records),
    firstBatch: BigInt(report.firstBatch ?? 0),
    lastBatch: BigInt(report.lastBatch ?? 0),
    lastHash: report.lastHash ?? "",
    ...(problem === undefined
      ? {}
      : {
          problem: {
            kind: PROBLEMS[problem.kind],
            batch: BigInt(problem.batch),
            position: problem.position ?? 0,
            decisionId: problem.decisionId ?? "",
            detail: problem.detail,
          },
        }),
  };
}
