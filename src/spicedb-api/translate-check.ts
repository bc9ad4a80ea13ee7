// CheckPermission and CheckBulkPermissions messages as Latch's Check and CheckBulk, and back.

import { type protobuf, v1 } from "@authzed/authzed-node";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type CheckBulkRequest,
  CheckBulkRequestSchema,
  type CheckBulkResponseSchema,
  type CheckRequest,
  CheckRequestSchema,
  type CheckResponseSchema,
  CheckResult,
} from "../gen/latch/v1/permission_service_pb.js";
import {
  latchConsistency,
  latchContext,
  latchObject,
  latchSubject,
  spiceTimestamp,
  zedToken,
} from "./translate-core.js";
import {
  type DebugInformation,
  spiceDebugTrace,
  type TraceQuestion,
} from "./translate-debug-trace.js";

type CheckResponseInit = MessageInitShape<typeof CheckResponseSchema>;
type CheckBulkResponseInit = MessageInitShape<typeof CheckBulkResponseSchema>;

const PERMISSIONSHIP: Readonly<Record<CheckResult, v1.CheckPermissionResponse_Permissionship>> = {
  [CheckResult.UNSPECIFIED]: v1.CheckPermissionResponse_Permissionship.UNSPECIFIED,
  [CheckResult.ALLOWED]: v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
  [CheckResult.DENIED]: v1.CheckPermissionResponse_Permissionship.NO_PERMISSION,
  [CheckResult.CONDITIONAL]: v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION,
};

/**
 * latchCheck is a CheckPermission request as Latch's Check; `with_tracing` asks for Latch's
 * proof (`explain`), which {@link spiceTracedCheckResponse} turns into SpiceDB's trace.
 */
export function latchCheck(request: v1.CheckPermissionRequest): CheckRequest {
  return create(CheckRequestSchema, {
    resource: latchObject(request.resource),
    permission: request.permission,
    subject: latchSubject(request.subject),
    context: latchContext(request.context),
    consistency: latchConsistency(request.consistency),
    explain: request.withTracing,
  });
}

/**
 * spiceTracedCheckResponse is Latch's answer to a check with its proof as SpiceDB's answer with
 * its debug trace, and schema the schema text it was checked under.
 */
export function spiceTracedCheckResponse(
  request: v1.CheckPermissionRequest,
  answer: CheckResponseInit,
  schema: string,
): v1.CheckPermissionResponse {
  return { ...translate(answer), ...debugTrace(request, request.context, answer, schema) };
}

/** debugTrace is the debug information of an answer with a proof; none without one. */
function debugTrace(
  asked: TraceQuestion,
  context: protobuf.Struct | undefined,
  answer: { readonly explanation?: CheckResponseInit["explanation"] },
  schema: string,
): { debugTrace?: DebugInformation } {
  const { explanation } = answer;
  if (explanation === undefined) return {};
  const check = spiceDebugTrace(asked, explanation, latchContext(context));
  return { debugTrace: { check, schemaUsed: schema } };
}

/** The SpiceDB answers of frozen Latch answers: a cached check's is shared by many calls. */
const answers = new WeakMap<CheckResponseInit, v1.CheckPermissionResponse>();

/**
 * spiceCheckResponse is Latch's answer to a check as SpiceDB's: allowed, denied or conditional
 * with the parameters it lacks, at its token, and when the answer expires. A frozen answer (the
 * cache's, shared) gets one frozen translation, which the transport encodes once.
 */
export function spiceCheckResponse(answer: CheckResponseInit): v1.CheckPermissionResponse {
  if (!Object.isFrozen(answer)) return translate(answer);
  let known = answers.get(answer);
  if (known === undefined) {
    known = Object.freeze(translate(answer));
    answers.set(answer, known);
  }
  return known;
}

function translate(answer: CheckResponseInit): v1.CheckPermissionResponse {
  return {
    checkedAt: zedToken(answer.checkedAt),
    ...spiceItem(answer),
  };
}

/** spiceItem is the permissionship, missing context and expiry of a check's answer. */
function spiceItem(answer: {
  readonly result?: CheckResult;
  readonly missingParameters?: readonly string[];
  readonly validUntil?: { readonly seconds?: bigint; readonly nanos?: number };
}): Omit<v1.CheckPermissionResponse, "checkedAt"> {
  const missing = answer.missingParameters ?? [];
  const until = answer.validUntil;
  return {
    permissionship: PERMISSIONSHIP[answer.result ?? CheckResult.UNSPECIFIED],
    ...(missing.length === 0
      ? {}
      : { partialCaveatInfo: { missingRequiredContext: [...missing] } }),
    ...(until === undefined
      ? {}
      : {
          optionalExpiresAt: spiceTimestamp({
            seconds: until.seconds ?? 0n,
            nanos: until.nanos ?? 0,
          }),
        }),
  };
}

/** latchCheckBulk is a CheckBulkPermissions request as Latch's CheckBulk. */
export function latchCheckBulk(request: v1.CheckBulkPermissionsRequest): CheckBulkRequest {
  return create(CheckBulkRequestSchema, {
    consistency: latchConsistency(request.consistency),
    explain: request.withTracing,
    items: request.items.map((item) => ({
      resource: latchObject(item.resource),
      permission: item.permission,
      subject: latchSubject(item.subject),
      context: latchContext(item.context),
    })),
  });
}

/**
 * spiceCheckBulkResponse is Latch's CheckBulk answer as SpiceDB's: each pair echoes the item
 * asked, in order, with its answer or the status of its error, and its debug trace when it was
 * asked with tracing (schema is then the schema text the items were checked under).
 */
export function spiceCheckBulkResponse(
  request: v1.CheckBulkPermissionsRequest,
  answer: CheckBulkResponseInit,
  schema = "",
): v1.CheckBulkPermissionsResponse {
  const pairs = answer.pairs ?? [];
  return {
    checkedAt: zedToken(answer.checkedAt),
    pairs: request.items.map((item, i): v1.CheckBulkPermissionsPair => {
      const response = pairs[i]?.response;
      if (response?.case === "item") {
        const { permissionship, partialCaveatInfo } = spiceItem(response.value);
        return {
          request: item,
          response: {
            oneofKind: "item",
            item: {
              permissionship,
              ...(partialCaveatInfo ? { partialCaveatInfo } : {}),
              ...debugTrace(item, item.context, response.value, schema),
            },
          },
        };
      }
      const status = response?.case === "error" ? response.value : undefined;
      return {
        request: item,
        response: {
          oneofKind: "error",
          error: { code: status?.code ?? 2, message: status?.message ?? "", details: [] },
        },
      };
    }),
  };
}
