// What every record says of the call that asked: its id and time, the key, where it read, how long it took.

import type { DecisionId } from "./decision-id.js";
import type { Decision } from "./decision-record.js";

/** DecisionCall is what the check path knows of a call when it records one of its decisions. */
export interface DecisionCall {
  /** The id and time newDecisionId gave the decision. */
  readonly stamp: DecisionId;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** The name of the API key that asked; undefined in development mode. */
  readonly apiKey: string | undefined;
  /** Where it was answered: the token and revision read, and the schema's revision. */
  readonly token: string;
  readonly revision: number;
  readonly schemaRevision: number;
  /** The request's `traceparent` header, if any. */
  readonly traceparent: string | null | undefined;
  /**
   * The trace id of the call's sampled span, when it is traced: the caller's trace when it sent a
   * `traceparent`, else the one the server began.
   */
  readonly spanTraceId?: string | undefined;
}

/** CallFields are the fields of a record that {@link DecisionCall} gives. */
type CallFields =
  | "decisionId"
  | "time"
  | "apiKey"
  | "token"
  | "revision"
  | "schemaRevision"
  | "latencyUs"
  | "traceId";

/** AskedFields are the fields of a record that the call's question and answer give. */
export type AskedFields = Omit<Decision, CallFields>;

/**
 * callDecision is the record of a call's decision: the call's fields, its latency measured now,
 * then those asked gives, in one object literal. (Merging them into one object, or spreading,
 * cost the check path several times as much. Fields without a value are undefined rather than
 * absent: the record's JSON leaves them out either way. The fields keep the record's order, which
 * its JSON, the text stored and hashed, follows.)
 */
export function callDecision(call: DecisionCall, asked: AskedFields): Decision {
  return {
    decisionId: call.stamp.id,
    time: isoTime(call.stamp.time),
    apiKey: call.apiKey,
    token: call.token,
    revision: call.revision,
    schemaRevision: call.schemaRevision,
    latencyUs: Math.round((performance.now() - call.startedAt) * 1000),
    traceId: call.spanTraceId ?? traceIdOf(call.traceparent),
    kind: asked.kind,
    subject: asked.subject,
    actors: asked.actors,
    resource: asked.resource,
    permission: asked.permission,
    result: asked.result,
    missingParameters: asked.missingParameters,
    deniedBy: asked.deniedBy,
    reason: asked.reason,
    proof: asked.proof,
    lookup: asked.lookup,
    context: asked.context,
    cached: asked.cached,
    origin: asked.origin,
  };
}

let lastTime: Date | undefined;
let lastIso = "";

/** isoTime is time in RFC 3339, written once for the many decisions of one millisecond. */
function isoTime(time: Date): string {
  if (time !== lastTime) {
    lastTime = time;
    lastIso = time.toISOString();
  }
  return lastIso;
}

/** W3C Trace Context: version 00, a trace id (not all zeros), a parent id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** traceIdOf is the trace id of a `traceparent` header, or undefined for none or a malformed one. */
export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  if (traceparent === null || traceparent === undefined) return undefined;
  const id = TRACEPARENT.exec(traceparent?.trim() ?? "")?.[1];
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
