// latch.v1.PermissionService: Check, CheckBulk, Expand, LookupResources and LookupSubjects.

import { create, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl, Code as StatusCode } from "@connectrpc/connect";
import { context as otelContext } from "@opentelemetry/api";
import type { LookupQuestion } from "../decisions/lookup-decision.js";
import { ExpiryRefresher } from "../dispatch/expiry-refresh.js";
import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import type { CheckWork } from "../engine/check-work.js";
import { expand } from "../engine/expand.js";
import type { Consistency, RelationshipSchema } from "../gen/latch/v1/core_pb.js";
import {
  type CheckResponse,
  CheckResponseSchema,
  type CheckResult as CheckResultMessage,
  type ExplanationNodeSchema,
  type PermissionService,
} from "../gen/latch/v1/permission_service_pb.js";
import type { Relationship } from "../tuple/relationship.js";
import {
  type ApiContext,
  latestReadPoint,
  type ReadPoint,
  readAt,
  type SnapshotRead,
} from "./api-context.js";
import { toConnectError } from "./api-error.js";
import { readConsistency } from "./convert/read-consistency.js";
import { readContext } from "./convert/read-context.js";
import {
  readActors,
  readName,
  readObjectRef,
  readSubjectRef,
  readType,
} from "./convert/read-refs.js";
import {
  type DecisionFields,
  decisionFields,
  decisionFieldsKey,
  showsDecision,
} from "./convert/write-decision.js";
import { expandMessage } from "./convert/write-expand.js";
import {
  checkResultMessage,
  explanationMessage,
  relationshipMessage,
} from "./convert/write-messages.js";
import { DecisionRecorder } from "./decision-recorder.js";
import { RequestError, RequestLimitError } from "./request-error.js";
import { requestableRelationships } from "./requestable-relationships.js";
import { refuseServerContext } from "./server-context.js";
import { withOwnString } from "./shared-response.js";

type CheckResponseInit = MessageInitShape<typeof CheckResponseSchema>;

/** DEFAULT_EXPAND_DEPTH is how deep Expand follows subject sets when the request says 0. */
export const DEFAULT_EXPAND_DEPTH = 10;
/** MAX_EXPAND_DEPTH bounds a requested Expand depth, as the engine's depth limit does checks. */
export const MAX_EXPAND_DEPTH = 50;

/** createPermissionService implements the permission service over the API context. */
export function createPermissionService(
  context: ApiContext,
): ServiceImpl<typeof PermissionService> {
  const refresher = new ExpiryRefresher(context.store);
  const recorder = new DecisionRecorder(context);
  /**
   * answered counts an answer evaluated as of `evaluatedAt` (epoch ms), and has the one after its expiry
   * computed ahead if that is near.
   */
  const answered = (
    at: ReadPoint,
    question: CheckRequest,
    result: CheckResult,
    evaluatedAt: number,
  ) => {
    context.metrics.countCheck(
      result.result,
      result.servedFromCache,
      question.actors !== undefined,
    );
    if (at.engines === at.schema.cached)
      refresher.consider(at.revision, at.engines.checks, question, result, evaluatedAt);
  };

  /** requestable is what the denied member of an answer at `at` may ask for (LATCH_REQUESTABLE). */
  const requestable = (at: ReadPoint, question: CheckRequest, result: CheckResult) =>
    requestableRelationships(at.schema.compiled, context.requestable, question, result);

  /**
   * callerContext is the context of a request at field, if any, as a request field: within the
   * bounds of every context, and without the parameters the server supplies.
   */
  const callerContext = (field: string, value: JsonObject | undefined) => {
    if (value === undefined) return {};
    refuseServerContext(field, value, context.serverContext);
    return { context: readContext(field, value) };
  };

  /**
   * recordedLookup yields a response for each item a lookup found, each with the call's decision
   * id (empty with the log off), and records the call with the count returned when the stream
   * ends, however it ends.
   */
  async function* recordedLookup<Item, Response>(
    call: HandlerContext,
    at: SnapshotRead,
    lookup: LookupQuestion,
    startedAt: number,
    found: AsyncIterable<Item> | Iterable<Item>,
    response: (item: Item, decisionId: string) => Response,
  ): AsyncGenerator<Response> {
    // In the call's trace (the active context does not cross the read's await): its id is the record's.
    const record = recorder.recording
      ? otelContext.with(at.trace, () => recorder.lookup(call, at, lookup, startedAt))
      : undefined;
    let returned = 0;
    try {
      for await (const item of found) {
        returned++;
        yield response(item, record?.decisionId ?? "");
      }
    } finally {
      await record?.finish(returned);
    }
  }

  /**
   * recorded is response with the id of its decision's record, once the log has it: at once in
   * `async` mode, once committed in `sync` mode.
   */
  const recorded = (
    call: HandlerContext,
    at: ReadPoint,
    question: CheckRequest,
    result: CheckResult,
    evaluatedAt: number,
    startedAt: number,
    origin: JsonObject | undefined,
    response: CheckResponseInit,
  ) => {
    const { decisionId, committed } = recorder.check(
      call,
      at,
      question,
      result,
      evaluatedAt,
      startedAt,
      origin,
    );
    // A shared answer's encoding is kept: this call's adds only its own id to it.
    const withId = Object.isFrozen(response)
      ? withOwnString(response, CheckResponseSchema.field.decisionId, decisionId)
      : { ...response, decisionId };
    return committed === undefined ? withId : committed.then(() => withId);
  };

  /** checkThroughStore answers a check that the cache could not answer at once. */
  const checkThroughStore = async (
    question: CheckRequest,
    consistency: Consistency | undefined,
    call: HandlerContext,
    startedAt: number,
    origin: JsonObject | undefined,
  ) => {
    const read = await readAt(context, "consistency", consistency, call.signal);
    const work: CheckWork = { dispatches: 0, queries: 0 };
    const result = await otelContext.with(read.trace, () =>
      read.engines.checks.check(read.reader, question, work),
    );
    context.metrics.observeCheckWork(work);
    const evaluatedAt = read.reader.now.getTime();
    answered(read, question, result, evaluatedAt);
    const response = {
      ...checkItem(question, result, requestable(read, question, result)),
      checkedAt: read.token,
    };
    if (!recorder.recording) return response;
    return otelContext.with(read.trace, () =>
      recorded(call, read, question, result, evaluatedAt, startedAt, origin, response),
    );
  };

  return {
    // Not async: a check the in-process cache holds is answered in the tick that received it.
    check(request, call) {
      const startedAt = performance.now();
      const question: CheckRequest = {
        resource: readObjectRef("resource", request.resource),
        permission: readName("permission", request.permission),
        subject: readSubjectRef("subject", request.subject, "no-wildcard"),
        ...callerContext("context", request.context),
        explain: request.explain,
        ...readActors("actors", request.actors),
      };
      const origin = readOrigin("origin", request.origin);
      const latest =
        readConsistency("consistency", request.consistency).kind === "minimize-latency"
          ? latestReadPoint(context)
          : undefined;
      const now = Date.now();
      const cached = latest?.engines.checks.answerAtOnce(question, now);
      if (latest === undefined || cached === undefined) {
        return checkThroughStore(question, request.consistency, call, startedAt, origin);
      }
      answered(latest, question, cached, now);
      const response = cachedCheckResponse(
        latest,
        question,
        cached,
        requestable(latest, question, cached),
      );
      if (!recorder.recording) return response;
      return recorded(call, latest, question, cached, now, startedAt, origin, response);
    },

    async checkBulk(request, call) {
      const startedAt = performance.now();
      const { items } = request;
      if (items.length > context.limits.maxBulkChecks) {
        throw new RequestLimitError(
          "items",
          `items: ${items.length} checks is more than the limit of ${context.limits.maxBulkChecks} per call`,
        );
      }
      // A caller that supplies what the server does is refused whole, not item by item.
      items.forEach((item, i) => {
        if (item.context !== undefined)
          refuseServerContext(`items[${i}].context`, item.context, context.serverContext);
      });
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const requests = items.map((item, i) => {
        const field = `items[${i}]`;
        try {
          return {
            resource: readObjectRef(`${field}.resource`, item.resource),
            permission: readName(`${field}.permission`, item.permission),
            subject: readSubjectRef(`${field}.subject`, item.subject, "no-wildcard"),
            ...(item.context === undefined
              ? {}
              : { context: readContext(`${field}.context`, item.context) }),
            explain: request.explain,
            ...readActors(`${field}.actors`, item.actors),
            origin: readOrigin(`${field}.origin`, item.origin),
          };
        } catch (error) {
          return toConnectError(error);
        }
      });
      const valid = requests.flatMap((r) => {
        if (!("resource" in r)) return [];
        const { origin: _, ...question } = r;
        return [question];
      });
      const answers = await otelContext.with(read.trace, () =>
        read.engines.checks.checkBulk(read.reader, valid),
      );
      const evaluatedAt = read.reader.now.getTime();
      const commits: Promise<void>[] = [];
      /** answerOf is an item's answer, recorded as a decision of its own when the log is on. */
      const answerOf = (
        question: CheckRequest,
        origin: JsonObject | undefined,
        result: CheckResult,
      ) => {
        answered(read, question, result, evaluatedAt);
        const item = checkItem(question, result, requestable(read, question, result));
        if (!recorder.recording) return item;
        const { decisionId, committed } = recorder.check(
          call,
          read,
          question,
          result,
          evaluatedAt,
          startedAt,
          origin,
        );
        if (committed !== undefined) commits.push(committed);
        return { ...item, decisionId };
      };
      let next = 0;
      const response = {
        checkedAt: read.token,
        // In the call's trace, as the answers were: the trace id of each item's record is the call's.
        pairs: otelContext.with(read.trace, () =>
          requests.map((r, i) => {
            const item = items[i]!;
            if (!("resource" in r)) return { request: item, response: statusOf(r) };
            const answer = answers[next++]!;
            return answer.ok
              ? {
                  request: item,
                  response: {
                    case: "item" as const,
                    value: answerOf(valid[next - 1]!, r.origin, answer.result),
                  },
                }
              : { request: item, response: statusOf(toConnectError(answer.error)) };
          }),
        ),
      };
      await Promise.all(commits);
      return response;
    },

    async expand(request, call) {
      const resource = readObjectRef("resource", request.resource);
      const permission = readName("permission", request.permission);
      const depth = request.depth === 0 ? DEFAULT_EXPAND_DEPTH : request.depth;
      if (depth > MAX_EXPAND_DEPTH) {
        throw new RequestError("depth", `depth: at most ${MAX_EXPAND_DEPTH}, got ${depth}`);
      }
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const tree = await expand(read.schema.compiled, read.reader, {
        resource,
        relation: permission,
        depth,
        subjectSetsNamed: request.subjectSetsNamed,
      });
      return { tree: expandMessage(tree), expandedAt: read.token };
    },

    async *lookupResources(request, call) {
      const startedAt = performance.now();
      const resourceType = readType("resource_type", request.resourceType);
      const permission = readName("permission", request.permission);
      const subject = readSubjectRef("subject", request.subject, "no-wildcard");
      const given = callerContext("context", request.context);
      const question = {
        resourceType,
        permission,
        subject,
        ...given,
        ...(request.limit === 0 ? {} : { limit: request.limit }),
        ...(request.cursor === "" ? {} : { cursor: request.cursor }),
        ...readActors("actors", request.actors),
      };
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const found = read.engines.lookups.lookupResources(read.reader, question);
      const lookup = { kind: "lookup_resources", question } as const;
      yield* recordedLookup(call, read, lookup, startedAt, found, (item, decisionId) => ({
        resourceId: item.id,
        conditional: item.result === "conditional",
        missingParameters: item.missing,
        afterCursor: item.cursor,
        lookedUpAt: read.token,
        decisionId,
      }));
    },

    async *lookupSubjects(request, call) {
      const startedAt = performance.now();
      const resource = readObjectRef("resource", request.resource);
      const permission = readName("permission", request.permission);
      const subjectType = readType("subject_type", request.subjectType);
      const subjectRelation =
        request.subjectRelation === ""
          ? undefined
          : readName("subject_relation", request.subjectRelation);
      const given = callerContext("context", request.context);
      const question = {
        resource,
        permission,
        subjectType,
        ...(subjectRelation === undefined ? {} : { subjectRelation }),
        ...given,
      };
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const found = await otelContext.with(read.trace, () =>
        read.engines.lookups.lookupSubjects(read.reader, question),
      );
      const lookup = { kind: "lookup_subjects", question } as const;
      yield* recordedLookup(call, read, lookup, startedAt, found, (item, decisionId) => ({
        subjectId: item.id,
        conditional: item.result === "conditional",
        missingParameters: item.missing,
        excludedSubjectIds: item.excludedIds,
        lookedUpAt: read.token,
        decisionId,
      }));
    },
  };
}

/** readOrigin is a request's origin at field, if any: bounded as a caveat context is. */
function readOrigin(field: string, origin: JsonObject | undefined): JsonObject | undefined {
  return origin === undefined ? undefined : readContext(field, origin);
}

/**
 * The response to a check answered from the cache with a plain result (no missing parameters,
 * expiry, explanation or relationships to request) is the same message for every check with that
 * result, and, when it names who in the chain failed and its legs, for every check whose chain's
 * legs came out alike (a leg names its member, not the resource), at one read point: made once
 * there, and frozen, so that the gRPC adapter encodes it once too.
 */
const sharedAnswers = new WeakMap<ReadPoint, SharedAnswers>();

/**
 * SharedAnswers holds one read point's shared responses by whether the cache answered them, each
 * by its result and, when it shows them, its decision fields' key (see decisionFieldsKey).
 */
interface SharedAnswers {
  readonly fromCache: Map<string, CheckResponse>;
  readonly computed: Map<string, CheckResponse>;
}

/**
 * SHARED_ANSWERS_MAX bounds one read point's shared responses of each kind: past it they are
 * dropped and made again as they are asked (a read point lasts until the next write).
 */
const SHARED_ANSWERS_MAX = 10_000;

/**
 * cachedCheckResponse is the response to a check the cache answered at read point `at`, with the
 * relationships its denied member may ask for.
 */
function cachedCheckResponse(
  at: ReadPoint,
  question: CheckRequest,
  result: CheckResult,
  requestable: readonly Relationship[],
): CheckResponseInit {
  const key = sharedAnswerKey(question, result, requestable);
  if (key === undefined)
    return { ...checkItem(question, result, requestable), checkedAt: at.token };
  let answers = sharedAnswers.get(at);
  if (answers === undefined) {
    answers = { fromCache: new Map(), computed: new Map() };
    sharedAnswers.set(at, answers);
  }
  // By whether the cache answered it too: a response must say so as the metrics count it.
  const byKey = result.servedFromCache ? answers.fromCache : answers.computed;
  let response = byKey.get(key);
  if (response === undefined) {
    response = Object.freeze(
      create(CheckResponseSchema, { ...checkItem(question, result, []), checkedAt: at.token }),
    );
    if (byKey.size >= SHARED_ANSWERS_MAX) byKey.clear();
    byKey.set(key, response);
  }
  return response;
}

/**
 * sharedAnswerKey is the key of the shared response (see sharedAnswers) that answers question
 * with result, or undefined when the response is the question's own.
 */
function sharedAnswerKey(
  question: CheckRequest,
  result: CheckResult,
  requestable: readonly Relationship[],
): string | undefined {
  if (
    requestable.length > 0 ||
    result.missing.length > 0 ||
    result.explanation !== undefined ||
    Number.isFinite(result.validUntil)
  ) {
    return undefined;
  }
  if (!showsDecision(result, question.actors !== undefined)) return result.result;
  const decision = decisionFieldsKey(result);
  return decision === undefined ? undefined : `${result.result};${decision}`;
}

/** CheckAnswer holds the fields a Check response and a CheckBulk item share. */
interface CheckAnswer extends DecisionFields {
  readonly result: CheckResultMessage;
  readonly missingParameters: string[];
  readonly explanation?: MessageInitShape<typeof ExplanationNodeSchema>;
  readonly servedFromCache: boolean;
  readonly validUntil?: Timestamp;
  readonly requestable?: MessageInitShape<typeof RelationshipSchema>[];
}

/**
 * checkItem is the answer to question as message fields, with the relationships its denied member
 * may ask for.
 */
function checkItem(
  question: CheckRequest,
  result: CheckResult,
  requestable: readonly Relationship[],
): CheckAnswer {
  return {
    result: checkResultMessage(result.result),
    missingParameters: [...result.missing],
    ...(result.explanation === undefined
      ? {}
      : { explanation: explanationMessage(result.explanation) }),
    servedFromCache: result.servedFromCache,
    ...(Number.isFinite(result.validUntil)
      ? { validUntil: timestampFromDate(new Date(result.validUntil)) }
      : {}),
    ...decisionFields(result, question.actors !== undefined),
    ...(requestable.length === 0 ? {} : { requestable: requestable.map(relationshipMessage) }),
  };
}

function statusOf(error: { code: StatusCode; rawMessage: string }) {
  return { case: "error" as const, value: { code: error.code, message: error.rawMessage } };
}
