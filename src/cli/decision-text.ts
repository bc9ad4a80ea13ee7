// Decisions as the CLI prints them: the record's JSON (export, --json), or lines for people.

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DecisionProof } from "../decisions/decision-proof.js";
import type {
  DecisionRecord,
  DecisionResult,
  DenialReasonName,
  DecisionKind as Kind,
} from "../decisions/decision-record.js";
import { type Decision, DecisionKind } from "../gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../gen/latch/v1/permission_service_pb.js";

const KINDS: Partial<Record<DecisionKind, Kind>> = {
  [DecisionKind.CHECK]: "check",
  [DecisionKind.LOOKUP_RESOURCES]: "lookup_resources",
  [DecisionKind.LOOKUP_SUBJECTS]: "lookup_subjects",
};

const RESULTS: Partial<Record<CheckResult, DecisionResult>> = {
  [CheckResult.ALLOWED]: "allowed",
  [CheckResult.DENIED]: "denied",
  [CheckResult.CONDITIONAL]: "conditional",
};

/**
 * decisionRecord is a Decision message as the log's record: the fields the README documents,
 * those the message leaves empty left out, as the log stored them (so that export writes each
 * record as it was written).
 */
export function decisionRecord(message: Decision): DecisionRecord {
  const { lookup } = message;
  const text = (key: string, value: string) => (value === "" ? {} : { [key]: value });
  const result = RESULTS[message.result];
  return {
    decisionId: message.decisionId,
    time: (message.time === undefined ? new Date(0) : timestampDate(message.time)).toISOString(),
    kind: KINDS[message.kind] ?? "check",
    ...text("apiKey", message.apiKey),
    subject: message.subject,
    actors: message.actors,
    resource: message.resource,
    permission: message.permission,
    ...(result === undefined ? {} : { result }),
    ...(message.missingParameters.length === 0
      ? {}
      : { missingParameters: message.missingParameters }),
    ...text("deniedBy", message.deniedBy),
    ...(message.reason === "" ? {} : { reason: message.reason as DenialReasonName }),
    ...(message.proof === undefined ? {} : { proof: message.proof as DecisionProof }),
    ...(message.context === undefined ? {} : { context: message.context }),
    masked: message.masked,
    token: message.token,
    revision: Number(message.revision),
    schemaRevision: Number(message.schemaRevision),
    cached: message.cached,
    latencyUs: Number(message.latencyUs),
    ...text("traceId", message.traceId),
    ...(lookup === undefined
      ? {}
      : {
          lookup: {
            ...(lookup.limit === 0 ? {} : { limit: lookup.limit }),
            ...(lookup.cursor === "" ? {} : { cursor: lookup.cursor }),
            returned: Number(lookup.returned),
          },
        }),
    ...(message.origin === undefined ? {} : { origin: message.origin }),
  };
}

/**
 * decisionLine is one line for a listing: `TIME ID RESULT resource#permission@subject`, then
 * `by ACTORS`, `key NAME` and `denied by MEMBER (reason)` where they apply; a lookup shows
 * `lookup_resources` and its count in place of a result.
 */
export function decisionLine(record: DecisionRecord): string {
  const what = `${record.resource}#${record.permission}@${record.subject}`;
  const answer =
    record.kind === "check"
      ? (record.result ?? "")
      : `${record.kind} (${record.lookup?.returned ?? 0} found)`;
  const parts = [record.time, record.decisionId, answer, what];
  if (record.actors.length > 0) parts.push(`by ${record.actors.join(", ")}`);
  if (record.deniedBy !== undefined) {
    parts.push(
      `denied by ${record.deniedBy}${record.reason === undefined ? "" : ` (${record.reason})`}`,
    );
  }
  if (record.apiKey !== undefined) parts.push(`key ${record.apiKey}`);
  return parts.join("  ");
}

/** decisionLines is a whole record for people: its line, then the rest, a field a line, and the proof. */
export function decisionLines(record: DecisionRecord): string[] {
  const lines = [decisionLine(record)];
  const facts = [
    `token ${record.token}`,
    `revision ${record.revision}`,
    `schema revision ${record.schemaRevision}`,
    record.cached ? "from the cache" : "computed",
    `${record.latencyUs} µs`,
    ...(record.traceId === undefined ? [] : [`trace ${record.traceId}`]),
  ];
  lines.push(`  ${facts.join(", ")}`);
  if (record.missingParameters !== undefined) {
    lines.push(`  missing ${record.missingParameters.join(", ")}`);
  }
  if (record.context !== undefined) lines.push(`  context ${JSON.stringify(record.context)}`);
  if (record.masked.length > 0) lines.push(`  masked ${record.masked.join(", ")}`);
  if (record.origin !== undefined) lines.push(`  origin ${JSON.stringify(record.origin)}`);
  const { proof } = record;
  for (const granted of proof?.grantedBy ?? []) {
    const caveat =
      granted.caveat === undefined
        ? ""
        : ` [${granted.caveat}${granted.caveatContext === undefined ? "" : `:${JSON.stringify(granted.caveatContext)}`}]${granted.caveatResult === undefined ? "" : ` (caveat ${granted.caveatResult})`}`;
    const expiry = granted.expiresAt === undefined ? "" : ` [expiration:${granted.expiresAt}]`;
    const request =
      granted.accessRequest === undefined ? "" : ` (access request ${granted.accessRequest})`;
    lines.push(`  granted by ${granted.relationship}${caveat}${expiry}${request}`);
  }
  if (proof?.failingLeg !== undefined) {
    const leg = proof.failingLeg;
    lines.push(`  failing leg: ${leg.kind} of ${leg.member} (${leg.result})`);
  }
  for (const line of proof?.summary ?? []) lines.push(`  ${line}`);
  if (proof?.truncated) lines.push("  (proof cut at its bound)");
  if (proof?.unavailable !== undefined) lines.push(`  no proof: ${proof.unavailable}`);
  return lines;
}
