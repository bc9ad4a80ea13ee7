// A decision as the log keeps it: who asked, for whom, about what, the answer, why, and when.

import type { JsonObject } from "@bufbuild/protobuf";
import type { DecisionProof } from "./decision-proof.js";

/** DecisionKind is the call a decision answered: one check (a CheckBulk item is one), or a lookup. */
export type DecisionKind = "check" | "lookup_resources" | "lookup_subjects";

/** DECISION_KINDS lists every kind, for filters. */
export const DECISION_KINDS: readonly DecisionKind[] = [
  "check",
  "lookup_resources",
  "lookup_subjects",
];

/** DecisionResult is a check's answer. */
export type DecisionResult = "allowed" | "denied" | "conditional";

/** DECISION_RESULTS lists every result, for filters. */
export const DECISION_RESULTS: readonly DecisionResult[] = ["allowed", "denied", "conditional"];

/** DenialReasonName says why an on-behalf-of check was denied, as the record writes it. */
export type DenialReasonName = "no_permission" | "not_delegated" | "suspended" | "condition_false";

/** LookupParameters are what a lookup asked beyond its subject, resource and permission, and what it found. */
export interface LookupParameters {
  /** The request's limit; absent when it set none. */
  readonly limit?: number;
  /** The request's cursor; absent when it set none. */
  readonly cursor?: string;
  /** How many resources or subjects the call returned. */
  readonly returned: number;
}

/**
 * Decision is what the check path hands the log: every field of the record but `masked`, with
 * the caller's caveat context as it came (the log redacts it). Field names are the record's, and
 * the export's: see {@link DecisionRecord}.
 */
export interface Decision {
  /** A UUIDv7 from newDecisionId, made when the decision was. */
  readonly decisionId: string;
  /** The decision's time, RFC 3339 in UTC with milliseconds: the time in its id. */
  readonly time: string;
  readonly kind: DecisionKind;
  /** The API key's name; absent in development mode (no key configured). */
  readonly apiKey?: string;
  /** `user:alice`, `group:eng#member`; for LookupSubjects the type asked for (`user`, `group#member`). */
  readonly subject: string;
  /** The agents acting for the subject, nearest first; empty for a plain check. */
  readonly actors: readonly string[];
  /** `document:plan`; for LookupResources the type asked for (`document`). */
  readonly resource: string;
  readonly permission: string;
  /** A check's answer; absent for lookups. */
  readonly result?: DecisionResult;
  /** The caveat parameters a conditional answer lacks. */
  readonly missingParameters?: readonly string[];
  /** For a denied on-behalf-of check: the member of the chain that failed, and why. */
  readonly deniedBy?: string;
  readonly reason?: DenialReasonName;
  readonly proof?: DecisionProof;
  /** The request's caveat context. */
  readonly context?: JsonObject;
  /** The consistency token of the revision read, and that revision. */
  readonly token: string;
  readonly revision: number;
  /** The revision of the schema the answer was computed with. */
  readonly schemaRevision: number;
  /** Whether every part of the answer came from the result cache. */
  readonly cached: boolean;
  /** From the request's arrival to its answer, in microseconds. */
  readonly latencyUs: number;
  /** The W3C trace id of the request: its `traceparent`'s, or its sampled span's when traced. */
  readonly traceId?: string;
  /** For lookups: their other parameters and the count returned. */
  readonly lookup?: LookupParameters;
  /** Where a check's question came from, as its caller said (an MCP gateway's server, tool and arguments). */
  readonly origin?: JsonObject;
}

/**
 * DecisionRecord is a decision as stored, returned and exported: its context (and the caveat
 * contexts in its proof) with the configured keys replaced by their keyed hash, and `masked`
 * naming each value so replaced, as a path (`context.ssn`). Its JSON, its proof replaced by a
 * reference to the proof's own row (see stored-proof.ts), is the text stored and hashed; export
 * writes it whole with keys sorted, one a line.
 */
export interface DecisionRecord extends Decision {
  readonly masked: readonly string[];
}
