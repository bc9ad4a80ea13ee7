// Hands each answer of the permission service to the decision log, and tells the caller its id.

import type { JsonObject } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { checkDecision } from "../decisions/check-decision.js";
import type { DecisionCall } from "../decisions/decision-call.js";
import { newDecisionId } from "../decisions/decision-id.js";
import type { ProofSource } from "../decisions/decision-log.js";
import type { DecisionProof } from "../decisions/decision-proof.js";
import type { Decision } from "../decisions/decision-record.js";
import { type LookupQuestion, lookupDecision } from "../decisions/lookup-decision.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import { recordingSpan } from "../telemetry/tracing.js";
import { AccessGrantLinks } from "./access-grant-links.js";
import type { ApiContext, ReadPoint } from "./api-context.js";
import { CallContext, requestHeaderValue } from "./grpc-call-context.js";
import { PRINCIPAL } from "./guard-service.js";
import { ProofCache } from "./proof-cache.js";

/**
 * DECISION_ID_HEADER carries a Check's or a lookup's decision id: a response header, but a Check's
 * is a trailer over gRPC (where a header would cost grpc-js a HEADERS frame of its own, measured
 * at a sixth of a cached check's CPU, while the trailers are sent anyway).
 */
export const DECISION_ID_HEADER = "latch-decision-id";

/**
 * Recorded is a decision handed to the log: its id, for the response, and, in `sync` mode, the
 * promise the response must wait for (it rejects when the log cannot take the record).
 */
export interface Recorded {
  readonly decisionId: string;
  readonly committed: Promise<void> | undefined;
}

/**
 * LookupRecord is a lookup call's decision, its id given when the call starts (every response
 * carries it) and its record made when the call ends, with the count returned.
 */
export interface LookupRecord {
  readonly decisionId: string;
  finish(returned: number): Promise<void> | undefined;
}

/**
 * DecisionRecorder records the decisions of one server's permission service: a record per check
 * (per CheckBulk item) and per lookup call, each with a new decision id. A check answered without
 * an explanation gets its proof from a {@link ProofCache}, made off the request path just after
 * the answer goes out; a proof's grants name their access requests ({@link AccessGrantLinks}). With the log off it records nothing and gives no ids.
 */
export class DecisionRecorder {
  private readonly proofs: ProofCache;
  private readonly links: AccessGrantLinks;

  constructor(private readonly context: ApiContext) {
    this.links = new AccessGrantLinks(context.store);
    this.proofs = new ProofCache(context.store, context.tracker, this.links);
  }

  /** recording says whether the log is on: when it is not, nothing is recorded and no id given. */
  get recording(): boolean {
    return this.context.decisions.mode !== "off";
  }

  /**
   * check records the answer to question (its id the response's {@link DECISION_ID_HEADER}: a
   * CheckBulk sets it to each item's in turn, the last one staying; its items carry their own), evaluated at read point `at` as of evaluatedAt (epoch
   * ms), for a call that arrived at startedAt (performance.now()), with the request's origin.
   */
  check(
    call: HandlerContext,
    at: ReadPoint,
    question: CheckRequest,
    result: CheckResult,
    evaluatedAt: number,
    startedAt: number,
    origin: JsonObject | undefined,
  ): Recorded {
    const made = checkDecision(this.call(call, at, startedAt), question, result, origin);
    announce(call, made.decisionId);
    const explained = made.proof;
    let decision: Decision = made;
    let proof: DecisionProof | ProofSource | undefined;
    if (explained === undefined) {
      // Most answers' proofs were made for an answer before them: then the record is ready at once.
      proof =
        this.proofs.known(at, question, result, evaluatedAt) ??
        this.proofs.proving(at, question, result, evaluatedAt);
    } else if (this.links.mayLink(explained)) {
      // An explained answer's proof may rest on a grant: named as the log writes, off the path.
      // (Only here is the decision copied without it: a copy of every record would cost each.)
      const { proof: _named, ...unproved } = made;
      decision = unproved;
      proof = () => this.links.link(at.revision, explained);
    }
    return {
      decisionId: decision.decisionId,
      committed: this.context.decisions.record(decision, proof) ?? undefined,
    };
  }

  /** lookup starts the record of a lookup call, before its first response, announcing its id. */
  lookup(
    call: HandlerContext,
    at: ReadPoint,
    lookup: LookupQuestion,
    startedAt: number,
  ): LookupRecord {
    const asked = this.call(call, at, startedAt);
    // A header on both ports: a stream sends it before its first response, whatever it costs.
    call.responseHeader.set(DECISION_ID_HEADER, asked.stamp.id);
    return {
      decisionId: asked.stamp.id,
      finish: (returned) =>
        this.context.decisions.record(lookupDecision(asked, lookup, returned)) ?? undefined,
    };
  }

  private call(call: HandlerContext, at: ReadPoint, startedAt: number): DecisionCall {
    const span = recordingSpan();
    return {
      stamp: newDecisionId(),
      startedAt,
      apiKey: call.values.get(PRINCIPAL)?.keyName,
      token: at.token,
      revision: at.revision,
      schemaRevision: at.schema.revision,
      traceparent: requestHeaderValue(call, "traceparent"),
      spanTraceId: span?.spanContext().traceId,
    };
  }
}

function announce(call: HandlerContext, decisionId: string): void {
  if (call instanceof CallContext) call.setTrailer(DECISION_ID_HEADER, decisionId);
  else call.responseHeader.set(DECISION_ID_HEADER, decisionId);
}
