// Check and CheckBulk: validate a request against the schema, then decide it from its legs, asked through the dispatcher chain.

import { combineLegs } from "../agents/combine-legs.js";
import type { DecisionLeg, LegQuestion } from "../agents/decision-leg.js";
import { type ActorChain, decisionLegs, type LegPlan } from "../agents/decision-legs.js";
import type { DenialReason } from "../agents/denial-reason.js";
import { hasSuspensions } from "../agents/suspension-leg.js";
import { validateActors } from "../agents/validate-actors.js";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";
import { createBatchingReader, type ReadCost } from "./batching-reader.js";
import { type CheckWork, countingReader } from "./check-work.js";
import { EngineError } from "./engine-error.js";
import {
  evaluatePlainChecks,
  type PlainCheck,
  type PlainCheckSetup,
} from "./evaluate-plain-checks.js";
import type { Explanation } from "./explanation.js";
import type { Outcome, OutcomeKind } from "./outcome.js";

/** DEFAULT_MAX_DEPTH is how many levels a check may descend before it fails, as in SpiceDB. */
export const DEFAULT_MAX_DEPTH = 50;

/** DEFAULT_ACT_FOR_PERMISSION is the permission on an actor's object that lets it act for someone. */
export const DEFAULT_ACT_FOR_PERMISSION = "act_for";

/**
 * CheckRequest asks whether `subject` has `permission` (or a relation) on `resource`; with
 * `actors`, whether they may exercise it on the subject's behalf.
 */
export interface CheckRequest {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
  /**
   * The agents acting for the subject, its direct delegate first, the one making the call last.
   * Then the answer is allowed only when, at the one snapshot of the check, every member of the
   * chain has the permission, every actor may act for the member before it, and no member is
   * suspended.
   */
  readonly actors?: readonly SubjectRef[];
  readonly context?: CaveatContext;
  /** Return the proof of the answer. */
  readonly explain?: boolean;
}

/** CheckResult is the answer to a check. */
export interface CheckResult {
  readonly result: OutcomeKind;
  /** For conditional results: the caveat parameters to supply, sorted. */
  readonly missing: readonly string[];
  /**
   * When the answer may change (ms since the epoch): a relationship it used expires, or the second
   * ends whose time a caveat saw as `now`.
   */
  readonly validUntil: number;
  /** Whether a cache answered the check itself (no store read for its top level). */
  readonly servedFromCache: boolean;
  /** The proof of the subject's permission. */
  readonly explanation?: Explanation;
  /** For denied results: the first member of the chain whose leg failed. */
  readonly deniedBy?: SubjectRef;
  /** For denied results: why that member's leg failed. */
  readonly reason?: DenialReason;
  /** The decision's legs, when the request named actors or a suspension denied it. */
  readonly legs?: readonly DecisionLeg[];
  /**
   * For an explained answer: the sets (see the change tracker) every leg read, so that its proof
   * holds at a later revision while none of them changed; absent when a leg cut a cycle.
   */
  readonly reads?: readonly string[];
}

/** BulkCheckItem is one answer of a bulk check: a result, or the error of that item alone. */
export type BulkCheckItem =
  | { readonly ok: true; readonly result: CheckResult }
  | { readonly ok: false; readonly error: EngineError };

/** ChainRequest names a chain (a subject and its actors) and the context its decisions use. */
export interface ChainRequest extends ActorChain {
  readonly context?: CaveatContext;
}

/** CheckEngine answers checks at a snapshot. */
export interface CheckEngine {
  /** check answers request at the reader's snapshot, counting its work in `work` when given. */
  check(reader: SnapshotReader, request: CheckRequest, work?: CheckWork): Promise<CheckResult>;
  /**
   * answerAtOnce answers request from what the dispatcher chain already holds (an exact entry of
   * the in-process cache for every leg) as of `now` (epoch ms), without waiting, or returns
   * undefined: then {@link check} computes it. Requests for explanations are never answered so.
   */
  answerAtOnce(request: CheckRequest, now: number): CheckResult | undefined;
  /** checkBulk answers many checks at once, sharing reads, sub-results and legs between them. */
  checkBulk(reader: SnapshotReader, requests: readonly CheckRequest[]): Promise<BulkCheckItem[]>;
  /**
   * checkChain answers whether a chain may act at all, whatever the resource: the legs of a
   * decision that name none (every member's suspension, every actor's delegation), combined as
   * {@link check} combines legs; allowed when there are none. Throws as {@link validateChain}.
   */
  checkChain(reader: SnapshotReader, chain: ChainRequest): Promise<CheckResult>;
  /**
   * validateChain throws an "invalid-argument" EngineError, naming the field, for actors that
   * {@link check} would refuse (see validateActors).
   */
  validateChain(chain: ActorChain): void;
}

/**
 * CheckEngineOptions configure the engine. The dispatcher is the head of the chain every
 * sub-problem goes through: the local link alone, or a chain with a cache in front of it.
 */
export interface CheckEngineOptions {
  readonly schema: CompiledSchema;
  readonly dispatcher: Dispatcher;
  /** How many levels a check may descend before it fails (LATCH_MAX_DEPTH on a server). */
  readonly maxDepth?: number;
  /**
   * The permission (or relation) on an actor's object that lets it act for the member before it
   * in a chain (LATCH_ACT_FOR_PERMISSION on a server); {@link DEFAULT_ACT_FOR_PERMISSION} if unset.
   */
  readonly actForPermission?: string;
}

/**
 * createCheckEngine returns an engine over a schema and a dispatcher chain. Every decision is
 * made of legs (see decisionLegs), each an ordinary check asked of the chain, all through one
 * reader: one snapshot, shared reads, and each leg cached like any sub-problem.
 */
export function createCheckEngine(options: CheckEngineOptions): CheckEngine {
  const { schema, dispatcher } = options;
  const setup: PlainCheckSetup = {
    schema,
    dispatcher,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
  };
  const plan: LegPlan = {
    suspensions: hasSuspensions(schema),
    actFor: options.actForPermission ?? DEFAULT_ACT_FOR_PERMISSION,
  };
  const readCost: ReadCost = { worthBatching: true };
  const legsOf = (request: CheckRequest) => decisionLegs(request, plan, request);

  /** decide answers legs asked for a request (or a chain) at the reader's snapshot. */
  const decide = async (
    reader: SnapshotReader,
    legs: readonly LegQuestion[],
    request: ChainRequest & { readonly explain?: boolean },
    work?: CheckWork,
  ): Promise<CheckResult> => {
    const answers = await evaluatePlainChecks(
      setup,
      reader,
      legs.map((leg) => plainCheckOf(leg, request)),
      work,
    );
    const outcomes = answers.map((answer) => {
      if (answer instanceof EngineError) throw answer;
      return answer;
    });
    return combineLegs(legs, outcomes, hasActors(request));
  };

  return {
    answerAtOnce(request, now) {
      if (request.explain) return undefined;
      if (hasActors(request)) {
        try {
          validateActors(schema, request, plan.actFor);
        } catch {
          // A chain check would refuse must reach check, which says why.
          return undefined;
        }
      }
      const legs = legsOf(request);
      const context = request.context ?? {};
      const outcomes: Outcome[] = [];
      for (const leg of legs) {
        const outcome = dispatcher.answered(
          {
            resourceType: leg.resource.type,
            resourceId: leg.resource.id,
            name: leg.permission,
            subject: leg.subject,
            context,
            depthRemaining: setup.maxDepth,
          },
          now,
        );
        if (outcome === undefined) return undefined;
        outcomes.push(outcome);
      }
      return combineLegs(legs, outcomes, hasActors(request));
    },

    async check(reader, request, work) {
      validateRequest(schema, request, plan.actFor);
      const counted = work === undefined ? reader : countingReader(reader, work);
      return decide(createBatchingReader(counted, readCost), legsOf(request), request, work);
    },

    validateChain(chain) {
      validateActors(schema, chain, plan.actFor);
    },

    async checkChain(reader, chain) {
      validateActors(schema, chain, plan.actFor);
      return decide(createBatchingReader(reader, readCost), decisionLegs(chain, plan), chain);
    },

    async checkBulk(snapshot, requests) {
      // One batching reader for every leg of every item: their walks read level by level together.
      const reader = createBatchingReader(snapshot, readCost);
      const items: BulkCheckItem[] = new Array(requests.length);
      // Legs items share (the same suspension or delegation, say) are asked once.
      const checks: PlainCheck[] = [];
      const asked = new Map<string, number>();
      const legsOfItems: (readonly LegQuestion[] | undefined)[] = [];
      const answerIndexes: number[][] = [];
      requests.forEach((request, index) => {
        try {
          validateRequest(schema, request, plan.actFor);
        } catch (error) {
          if (!(error instanceof EngineError)) throw error;
          items[index] = { ok: false, error };
          return;
        }
        const legs = legsOf(request);
        const who = `|${canonicalJson(request.context ?? {})}|${request.explain ? "e" : ""}`;
        legsOfItems[index] = legs;
        answerIndexes[index] = legs.map((leg) => {
          const key = `${leg.resource.type}:${leg.resource.id}#${leg.permission}@${formatSubjectRef(leg.subject)}${who}`;
          let at = asked.get(key);
          if (at === undefined) {
            at = checks.length;
            asked.set(key, at);
            checks.push(plainCheckOf(leg, request));
          }
          return at;
        });
      });
      const answers = await evaluatePlainChecks(setup, reader, checks);
      requests.forEach((request, index) => {
        const legs = legsOfItems[index];
        if (legs === undefined) return;
        const outcomes: Outcome[] = [];
        for (const at of answerIndexes[index]!) {
          const answer = answers[at]!;
          if (answer instanceof EngineError) {
            items[index] = { ok: false, error: answer };
            return;
          }
          outcomes.push(answer);
        }
        items[index] = { ok: true, result: combineLegs(legs, outcomes, hasActors(request)) };
      });
      return items;
    },
  };
}

function plainCheckOf(
  leg: LegQuestion,
  request: ChainRequest & { readonly explain?: boolean },
): PlainCheck {
  return {
    resource: leg.resource,
    permission: leg.permission,
    subject: leg.subject,
    context: request.context ?? {},
    explain: request.explain ?? false,
  };
}

function hasActors(chain: ActorChain): boolean {
  return chain.actors !== undefined && chain.actors.length > 0;
}

/**
 * validateRequest rejects types, relations and permissions the schema lacks, and chains of
 * actors it cannot decide on, naming the field.
 */
function validateRequest(schema: CompiledSchema, request: CheckRequest, actFor: string): void {
  const { resource, permission, subject } = request;
  if (!schema.definitions.has(resource.type)) {
    throw new EngineError(
      "invalid-argument",
      `resource.type: the schema has no definition '${resource.type}'`,
    );
  }
  if (!schema.member(resource.type, permission)) {
    throw new EngineError(
      "invalid-argument",
      `permission: definition '${resource.type}' has no relation or permission '${permission}'`,
    );
  }
  if (!schema.definitions.has(subject.type)) {
    throw new EngineError(
      "invalid-argument",
      `subject.type: the schema has no definition '${subject.type}'`,
    );
  }
  if (subject.relation !== undefined && !schema.member(subject.type, subject.relation)) {
    throw new EngineError(
      "invalid-argument",
      `subject.relation: definition '${subject.type}' has no relation or permission '${subject.relation}'`,
    );
  }
  if (request.actors !== undefined) validateActors(schema, request, actFor);
}
