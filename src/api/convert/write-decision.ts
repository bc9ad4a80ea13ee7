// The parts of a check's answer that say who in the chain failed and why, as API messages.

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CheckResult } from "../../engine/check-engine.js";
import type { SubjectRefSchema } from "../../gen/latch/v1/core_pb.js";
import {
  DecisionLeg_Kind,
  type DecisionLegSchema,
  DenialReason,
} from "../../gen/latch/v1/permission_service_pb.js";
import { formatSubjectRef } from "../../tuple/format-relationship.js";
import { checkResultMessage, explanationMessage, subjectRefMessage } from "./write-messages.js";

type Reason = NonNullable<CheckResult["reason"]>;
type Leg = NonNullable<CheckResult["legs"]>[number];

const REASONS: Record<Reason, DenialReason> = {
  "no-permission": DenialReason.NO_PERMISSION,
  "not-delegated": DenialReason.NOT_DELEGATED,
  suspended: DenialReason.SUSPENDED,
  "condition-false": DenialReason.CONDITION_FALSE,
};

const LEG_KINDS: Record<Leg["kind"], DecisionLeg_Kind> = {
  suspension: DecisionLeg_Kind.SUSPENSION,
  delegation: DecisionLeg_Kind.DELEGATION,
  permission: DecisionLeg_Kind.PERMISSION,
};

/** DecisionFields are the fields a Check response and a CheckBulk item share about the chain. */
export interface DecisionFields {
  readonly deniedBy?: MessageInitShape<typeof SubjectRefSchema>;
  readonly reason?: DenialReason;
  readonly legs?: MessageInitShape<typeof DecisionLegSchema>[];
}

/**
 * showsDecision says whether an answer names who in the chain failed and its legs: when the check
 * had actors, or when a suspension denied it. A plain check's answer reads as it always has.
 */
export function showsDecision(result: CheckResult, withActors: boolean): boolean {
  return withActors || result.reason === "suspended";
}

/**
 * decisionFields are result's denied_by, reason and legs when {@link showsDecision}, each when the
 * engine gave it.
 */
export function decisionFields(result: CheckResult, withActors: boolean): DecisionFields {
  if (!showsDecision(result, withActors)) return {};
  const { deniedBy, reason, legs } = result;
  return {
    ...(deniedBy === undefined ? {} : { deniedBy: subjectRefMessage(deniedBy) }),
    ...(reason === undefined ? {} : { reason: REASONS[reason] }),
    ...(legs === undefined ? {} : { legs: legs.map(legMessage) }),
  };
}

/**
 * decisionFieldsKey is a key of the fields {@link decisionFields} gives result when it shows
 * them: equal keys, equal fields. It is undefined when a leg carries an explanation (those fields
 * are not worth a key). Its separators appear in no subject ref as formatted (a type, an id and a
 * relation hold none of them) nor in a caveat parameter's name.
 */
export function decisionFieldsKey(result: CheckResult): string | undefined {
  const { deniedBy, reason, legs = [] } = result;
  let key = `${deniedBy === undefined ? "" : formatSubjectRef(deniedBy)};${reason ?? ""}`;
  for (const leg of legs) {
    if (leg.explanation !== undefined) return undefined;
    key += `;${leg.kind},${formatSubjectRef(leg.member)},${leg.result},${leg.missing.join(" ")}`;
  }
  return key;
}

/** denialReasonName is the engine's name of a reason, for clients that print it (the CLI). */
export function denialReasonName(reason: DenialReason): Reason | undefined {
  return (Object.keys(REASONS) as Reason[]).find((name) => REASONS[name] === reason);
}

function legMessage(leg: Leg): MessageInitShape<typeof DecisionLegSchema> {
  return {
    kind: LEG_KINDS[leg.kind],
    member: subjectRefMessage(leg.member),
    result: checkResultMessage(leg.result),
    missingParameters: [...leg.missing],
    ...(leg.explanation === undefined ? {} : { explanation: explanationMessage(leg.explanation) }),
  };
}
