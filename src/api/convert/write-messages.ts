// API messages from the engine's and store's values: relationships, results, explanations.

import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Explanation, ExplanationStep } from "../../engine/explanation.js";
import type { OutcomeKind } from "../../engine/outcome.js";
import type {
  ObjectRefSchema,
  RelationshipSchema,
  SubjectRefSchema,
} from "../../gen/latch/v1/core_pb.js";
import {
  CaveatEvaluation_Result,
  CheckResult as CheckResultMessage,
  ExplanationNode_Kind,
  ExplanationNode_Role,
  type ExplanationNodeSchema,
} from "../../gen/latch/v1/permission_service_pb.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../tuple/relationship.js";

/** objectRefMessage is ref as an API message. */
export function objectRefMessage(ref: ObjectRef): MessageInitShape<typeof ObjectRefSchema> {
  return { type: ref.type, id: ref.id };
}

/** subjectRefMessage is ref as an API message: an empty relation for an object. */
export function subjectRefMessage(ref: SubjectRef): MessageInitShape<typeof SubjectRefSchema> {
  return { object: { type: ref.type, id: ref.id }, relation: ref.relation ?? "" };
}

/** relationshipMessage is rel as an API message. */
export function relationshipMessage(
  rel: Relationship,
): MessageInitShape<typeof RelationshipSchema> {
  const { caveat, expiresAt } = rel;
  return {
    resource: objectRefMessage(rel.resource),
    relation: rel.relation,
    subject: subjectRefMessage(rel.subject),
    ...(caveat === undefined
      ? {}
      : {
          caveat: {
            name: caveat.name,
            ...(caveat.context === undefined ? {} : { context: jsonObject(caveat.context) }),
          },
        }),
    ...(expiresAt === undefined ? {} : { expiresAt: timestampFromDate(expiresAt) }),
  };
}

const RESULTS: Record<OutcomeKind, CheckResultMessage> = {
  allowed: CheckResultMessage.ALLOWED,
  denied: CheckResultMessage.DENIED,
  conditional: CheckResultMessage.CONDITIONAL,
};

/** checkResultMessage is an outcome as the API's enum. */
export function checkResultMessage(kind: OutcomeKind): CheckResultMessage {
  return RESULTS[kind];
}

const KINDS: Record<ExplanationStep, ExplanationNode_Kind> = {
  relation: ExplanationNode_Kind.RELATION,
  relationship: ExplanationNode_Kind.RELATIONSHIP,
  union: ExplanationNode_Kind.UNION,
  intersection: ExplanationNode_Kind.INTERSECTION,
  exclusion: ExplanationNode_Kind.EXCLUSION,
  arrow: ExplanationNode_Kind.ARROW,
  nil: ExplanationNode_Kind.NIL,
  self: ExplanationNode_Kind.SELF,
  cycle: ExplanationNode_Kind.CYCLE,
};

const CAVEAT_RESULTS = {
  true: CaveatEvaluation_Result.TRUE,
  false: CaveatEvaluation_Result.FALSE,
  missing: CaveatEvaluation_Result.MISSING_PARAMETERS,
} as const;

/** explanationMessage is a proof tree as API messages. */
export function explanationMessage(
  node: Explanation,
): MessageInitShape<typeof ExplanationNodeSchema> {
  const { object, relation } = splitNode(node.node);
  return {
    kind: KINDS[node.step],
    object: objectRefMessage(object),
    relation,
    result: checkResultMessage(node.result),
    ...(node.relationship === undefined
      ? {}
      : { relationship: relationshipMessage(node.relationship) }),
    ...(node.caveat === undefined
      ? {}
      : {
          caveat: {
            name: node.caveat.name,
            result: CAVEAT_RESULTS[node.caveat.result],
            missingParameters: [...(node.caveat.missing ?? [])],
          },
        }),
    role:
      node.role === "base"
        ? ExplanationNode_Role.BASE
        : node.role === "subtracted"
          ? ExplanationNode_Role.SUBTRACTED
          : ExplanationNode_Role.UNSPECIFIED,
    children: node.children.map(explanationMessage),
  };
}

/**
 * splitNode reads the engine's `type:id#relation` node name. Ids and types never hold ':' or
 * '#', so the first of each splits it exactly.
 */
export function splitNode(node: string): { object: ObjectRef; relation: string } {
  const colon = node.indexOf(":");
  const hash = node.indexOf("#", colon);
  return {
    object: { type: node.slice(0, colon), id: node.slice(colon + 1, hash) },
    relation: node.slice(hash + 1),
  };
}

/** jsonObject narrows a stored caveat context, which is always a JSON object, for a Struct field. */
export function jsonObject(context: Readonly<Record<string, unknown>>): JsonObject {
  return context as JsonObject;
}
