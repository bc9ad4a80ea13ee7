// Check and CheckBulk: validate a request against the schema, then dispatch it through the chain.

import type { Dispatcher, Evaluation } from "../dispatch/dispatcher.js";
import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { canonicalJson } from "../tuple/canonical-json.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";
import { createBatchingReader, type ReadCost } from "./batching-reader.js";
import { EngineError } from "./engine-error.js";
import type { Explanation } from "./explanation.js";
import type { Outcome, OutcomeKind } from "./outcome.js";

/** DEFAULT_MAX_DEPTH is how many levels a check may descend before it fails, as in SpiceDB. */
export const DEFAULT_MAX_DEPTH = 50;

/** CheckRequest asks whether `subject` has `permission` (or a relation) on `resource`. */
export interface CheckRequest {
  readonly resource: ObjectRef;
  readonly permission: string;
  readonly subject: SubjectRef;
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
  readonly explanation?: Explanation;
}

/** BulkCheckItem is one answer of a bulk check: a result, or the error of that item alone. */
export type BulkCheckItem =
  | { readonly ok: true; readonly result: CheckResult }
  | { readonly ok: false; readonly error: EngineError };

/** CheckEngine answers checks at a snapshot. */
export interface CheckEngine {
  check(reader: SnapshotReader, request: CheckRequest): Promise<CheckResult>;
  /**
   * answerAtOnce answers request from what the dispatcher chain already holds (an exact entry of
   * the in-process cache) as of `now` (epoch ms), without waiting, or returns undefined: then
   * {@link check} computes it. Requests for explanations are never answered so.
   */
  answerAtOnce(request: CheckRequest, now: number): CheckResult | undefined;
  /** checkBulk answers many checks at once, sharing reads and sub-results between them. */
  checkBulk(reader: SnapshotReader, requests: readonly CheckRequest[]): Promise<BulkCheckItem[]>;
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
}

/** createCheckEngine returns an engine over a schema and a dispatcher chain. */
export function createCheckEngine(options: CheckEngineOptions): CheckEngine {
  const { schema, dispatcher } = options;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const readCost: ReadCost = { worthBatching: true };

  const run = async (
    reader: SnapshotReader,
    group: readonly CheckRequest[],
  ): Promise<ReadonlyMap<string, Outcome>> => {
    const [first] = group;
    const evaluation: Evaluation = {
      schema,
      reader,
      context: first!.context ?? {},
      subject: first!.subject,
      explain: first!.explain ?? false,
      dispatcher,
      memo: new Map(),
    };
    return dispatcher.dispatchCheck({
      evaluation,
      resourceType: first!.resource.type,
      resourceIds: [...new Set(group.map((r) => r.resource.id))],
      name: first!.permission,
      depthRemaining: maxDepth,
      path: undefined,
      cancellation: { cancelled: false },
    });
  };

  return {
    answerAtOnce(request, now) {
      if (request.explain) return undefined;
      const outcome = dispatcher.answered(
        {
          resourceType: request.resource.type,
          resourceId: request.resource.id,
          name: request.permission,
          subject: request.subject,
          context: request.context ?? {},
          depthRemaining: maxDepth,
        },
        now,
      );
      return outcome === undefined ? undefined : toResult(outcome);
    },

    async check(reader, request) {
      validateRequest(schema, request);
      const outcomes = await run(createBatchingReader(reader, readCost), [request]);
      return toResult(outcomes.get(request.resource.id)!);
    },

    async checkBulk(snapshot, requests) {
      // One batching reader for every group: their walks read level by level together.
      const reader = createBatchingReader(snapshot, readCost);
      const items: BulkCheckItem[] = new Array(requests.length);
      // Items that share a subject, a context and a permission on one type become one batch.
      const groups = new Map<string, number[]>();
      requests.forEach((request, index) => {
        try {
          validateRequest(schema, request);
        } catch (error) {
          items[index] = { ok: false, error: asEngineError(error) };
          return;
        }
        const key = [
          request.resource.type,
          request.permission,
          formatSubjectRef(request.subject),
          canonicalJson(request.context ?? {}),
          request.explain ? "e" : "",
        ].join("\u0000");
        const group = groups.get(key);
        if (group) group.push(index);
        else groups.set(key, [index]);
      });
      await Promise.all(
        [...groups.values()].map(async (indexes) => {
          try {
            const outcomes = await run(
              reader,
              indexes.map((i) => requests[i]!),
            );
            for (const i of indexes)
              items[i] = { ok: true, result: toResult(outcomes.get(requests[i]!.resource.id)!) };
          } catch (error) {
            asEngineError(error);
            // One item's failure (a caveat that cannot be evaluated, say) must not fail the others
            // of its batch: answer them one by one.
            await Promise.all(
              indexes.map(async (i) => {
                try {
                  const outcomes = await run(reader, [requests[i]!]);
                  items[i] = {
                    ok: true,
                    result: toResult(outcomes.get(requests[i]!.resource.id)!),
                  };
                } catch (itemError) {
                  items[i] = { ok: false, error: asEngineError(itemError) };
                }
              }),
            );
          }
        }),
      );
      return items;
    },
  };
}

function toResult(outcome: Outcome): CheckResult {
  return {
    result: outcome.kind,
    missing: outcome.missing,
    validUntil: outcome.validUntil,
    servedFromCache: outcome.fromCache === true,
    explanation: outcome.explanation,
  };
}

function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  throw error;
}

/** validateRequest rejects types, relations and permissions the schema lacks, naming the field. */
function validateRequest(schema: CompiledSchema, request: CheckRequest): void {
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
}
