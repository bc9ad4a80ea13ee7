// Latch's proof of a check (its explanation) as SpiceDB's debug trace (CheckDebugTrace).

import { protobuf, type v1 } from "@authzed/authzed-node";
import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import {
  CaveatEvaluation_Result,
  CheckResult,
  type ExplanationNodeSchema,
  ExplanationNode_Kind as Kind,
} from "../gen/latch/v1/permission_service_pb.js";
import { spiceObject } from "./translate-core.js";

type ExplanationInit = MessageInitShape<typeof ExplanationNodeSchema>;

// The package exports debug.proto's messages only as fields of others: their types from there.
/** DebugInformation is authzed.api.v1.DebugInformation. */
export type DebugInformation = NonNullable<v1.CheckPermissionResponse["debugTrace"]>;
/** CheckDebugTrace is authzed.api.CheckDebugTrace. */
export type CheckDebugTrace = NonNullable<DebugInformation["check"]>;
type CaveatEvalInfo = NonNullable<CheckDebugTrace["caveatEvaluationInfo"]>;
type PermissionType = CheckDebugTrace["permissionType"];

/** CheckDebugTrace.PermissionType's numbers, as debug.proto gives them. */
const PERMISSION_TYPE = {
  unspecified: 0 as PermissionType,
  relation: 1 as PermissionType,
  permission: 2 as PermissionType,
};

/** CheckDebugTrace.Permissionship's numbers, as debug.proto gives them. */
const RESULTS: Readonly<Record<CheckResult, CheckDebugTrace["result"]>> = {
  [CheckResult.UNSPECIFIED]: 0,
  [CheckResult.DENIED]: 1,
  [CheckResult.ALLOWED]: 2,
  [CheckResult.CONDITIONAL]: 3,
};

/** CaveatEvalInfo.Result's numbers, as debug.proto gives them (UNEVALUATED, 1, is never ours). */
const CAVEAT_RESULTS: Readonly<Record<CaveatEvaluation_Result, CaveatEvalInfo["result"]>> = {
  [CaveatEvaluation_Result.UNSPECIFIED]: 0,
  [CaveatEvaluation_Result.FALSE]: 2,
  [CaveatEvaluation_Result.TRUE]: 3,
  [CaveatEvaluation_Result.MISSING_PARAMETERS]: 4,
};

/** The operators of a rewrite: in SpiceDB's trace they are no checks of their own. */
const OPERATORS: ReadonlySet<Kind> = new Set([
  Kind.UNION,
  Kind.INTERSECTION,
  Kind.EXCLUSION,
  Kind.ARROW,
]);

/**
 * spiceDebugTrace is the proof of a check as SpiceDB's trace: one CheckDebugTrace per
 * `object#relation` the proof checked (the subject repeated on each, as SpiceDB does), its
 * sub-problems the checks it was decided from. The rewrite's operators (union, intersection,
 * exclusion, arrow) are not checks in SpiceDB's trace: their operands become sub-problems of the
 * check they belong to. A relation checks as RELATION, anything else as PERMISSION. A caveated
 * relationship's evaluation is the caveat info of the relation that used it (the first one, when
 * several were), with the context it was evaluated with: the request's, overridden by the
 * relationship's. Not filled: durations, the caveat's expression, operation ids and sources, and
 * whether a sub-problem was cached (Latch's proof does not say).
 */
export function spiceDebugTrace(
  asked: TraceQuestion,
  root: ExplanationInit,
  context: JsonObject | undefined,
): CheckDebugTrace {
  const scope = { subject: asked.subject, context };
  const trace = traceOf(root, scope);
  if (trace.permission === asked.permission) return trace;
  // A permission that only names another (`permission edit = write`) is proved by that one's
  // proof: SpiceDB's trace still starts at the permission asked.
  return {
    ...trace,
    permission: asked.permission,
    permissionType: PERMISSION_TYPE.permission,
    caveatEvaluationInfo: undefined,
    resolution: { oneofKind: "subProblems", subProblems: { traces: [trace] } },
  };
}

/** TraceQuestion is what a check asked: its permission and its subject. */
export interface TraceQuestion {
  readonly permission: string;
  readonly subject?: v1.SubjectReference;
}

interface TraceScope {
  readonly subject: v1.SubjectReference | undefined;
  readonly context: JsonObject | undefined;
}

function traceOf(node: ExplanationInit, scope: TraceScope): CheckDebugTrace {
  const found: Found = { traces: [] };
  for (const child of node.children ?? []) collect(node, child, scope, found);
  const kind = node.kind ?? Kind.UNSPECIFIED;
  return {
    resource: spiceObject(node.object),
    permission: node.relation ?? "",
    permissionType:
      kind === Kind.RELATION
        ? PERMISSION_TYPE.relation
        : kind === Kind.CYCLE
          ? PERMISSION_TYPE.unspecified
          : PERMISSION_TYPE.permission,
    ...(scope.subject === undefined ? {} : { subject: scope.subject }),
    result: RESULTS[node.result ?? CheckResult.UNSPECIFIED],
    ...(found.caveat === undefined ? {} : { caveatEvaluationInfo: found.caveat }),
    resolution: { oneofKind: "subProblems", subProblems: { traces: found.traces } },
    traceOperationId: "",
    source: "",
  };
}

/** Found is what a check's proof holds beneath it: its sub-problems and its caveat's evaluation. */
interface Found {
  readonly traces: CheckDebugTrace[];
  caveat?: CaveatEvalInfo;
}

/** collect adds what child of check proves to found: a sub-problem, or what lies beneath it. */
function collect(
  check: ExplanationInit,
  child: ExplanationInit,
  scope: TraceScope,
  found: Found,
): void {
  const kind = child.kind ?? Kind.UNSPECIFIED;
  if (kind === Kind.RELATIONSHIP) {
    if (found.caveat === undefined && child.caveat !== undefined) {
      found.caveat = caveatInfo(child, scope.context);
    }
    // A subject set's check, or an arrow's check on the relationship's subject.
    for (const next of child.children ?? []) collect(check, next, scope, found);
    return;
  }
  if (OPERATORS.has(kind) && sameCheck(check, child)) {
    for (const next of child.children ?? []) collect(check, next, scope, found);
    return;
  }
  found.traces.push(traceOf(child, scope));
}

function sameCheck(a: ExplanationInit, b: ExplanationInit): boolean {
  return (
    a.relation === b.relation && a.object?.type === b.object?.type && a.object?.id === b.object?.id
  );
}

function caveatInfo(node: ExplanationInit, request: JsonObject | undefined): CaveatEvalInfo {
  const caveat = node.caveat ?? {};
  const written = node.relationship?.caveat?.context;
  const context = written === undefined ? request : { ...request, ...written };
  const missing = caveat.missingParameters ?? [];
  return {
    caveatName: caveat.name ?? "",
    expression: "",
    result: CAVEAT_RESULTS[caveat.result ?? CaveatEvaluation_Result.UNSPECIFIED],
    ...(context === undefined ? {} : { context: protobuf.Struct.fromJson(context) }),
    ...(missing.length === 0
      ? {}
      : { partialCaveatInfo: { missingRequiredContext: [...missing] } }),
  };
}
