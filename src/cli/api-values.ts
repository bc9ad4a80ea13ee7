// Values from the API's messages, in the forms the CLI prints: relationships, results, explanations.

import { readRelationship } from "../api/convert/read-relationship.js";
import type { Explanation, ExplanationStep } from "../engine/explanation.js";
import type { OutcomeKind } from "../engine/outcome.js";
import type { Relationship as RelationshipMessage } from "../gen/latch/v1/core_pb.js";
import {
  CaveatEvaluation_Result,
  CheckResult,
  type ExplanationNode,
  ExplanationNode_Kind,
  ExplanationNode_Role,
} from "../gen/latch/v1/permission_service_pb.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";

/** relationshipOf is a relationship message as the tuple layer's value. */
export function relationshipOf(message: RelationshipMessage | undefined): Relationship {
  return readRelationship("relationship", message);
}

/** relationshipText is a relationship message in SpiceDB's text form. */
export function relationshipText(message: RelationshipMessage | undefined): string {
  return formatRelationship(relationshipOf(message));
}

const RESULTS: Partial<Record<CheckResult, OutcomeKind>> = {
  [CheckResult.ALLOWED]: "allowed",
  [CheckResult.DENIED]: "denied",
  [CheckResult.CONDITIONAL]: "conditional",
};

/** resultName is a check result as a word: allowed, denied or conditional. */
export function resultName(result: CheckResult): OutcomeKind {
  const name = RESULTS[result];
  if (name === undefined) throw new Error(`the server sent an unknown check result ${result}`);
  return name;
}

const STEPS: Partial<Record<ExplanationNode_Kind, ExplanationStep>> = {
  [ExplanationNode_Kind.RELATION]: "relation",
  [ExplanationNode_Kind.RELATIONSHIP]: "relationship",
  [ExplanationNode_Kind.UNION]: "union",
  [ExplanationNode_Kind.INTERSECTION]: "intersection",
  [ExplanationNode_Kind.EXCLUSION]: "exclusion",
  [ExplanationNode_Kind.ARROW]: "arrow",
  [ExplanationNode_Kind.NIL]: "nil",
  [ExplanationNode_Kind.SELF]: "self",
  [ExplanationNode_Kind.CYCLE]: "cycle",
};

const CAVEAT_RESULTS = {
  [CaveatEvaluation_Result.TRUE]: "true",
  [CaveatEvaluation_Result.FALSE]: "false",
  [CaveatEvaluation_Result.MISSING_PARAMETERS]: "missing",
} as const;

/**
 * explanationOf turns the API's proof tree back into the engine's, so that the CLI renders it
 * exactly as `latch validate` renders a failed assertion.
 */
export function explanationOf(node: ExplanationNode): Explanation {
  const step = STEPS[node.kind];
  if (step === undefined)
    throw new Error(`the server sent an unknown explanation kind ${node.kind}`);
  const { caveat } = node;
  const caveatResult =
    caveat === undefined ? undefined : CAVEAT_RESULTS[caveat.result as keyof typeof CAVEAT_RESULTS];
  return {
    node: `${node.object?.type}:${node.object?.id}#${node.relation}`,
    step,
    result: resultName(node.result),
    ...(node.relationship === undefined ? {} : { relationship: relationshipOf(node.relationship) }),
    ...(caveat === undefined || caveatResult === undefined
      ? {}
      : {
          caveat: {
            name: caveat.name,
            result: caveatResult,
            ...(caveat.missingParameters.length === 0 ? {} : { missing: caveat.missingParameters }),
          },
        }),
    ...(node.role === ExplanationNode_Role.BASE
      ? { role: "base" as const }
      : node.role === ExplanationNode_Role.SUBTRACTED
        ? { role: "subtracted" as const }
        : {}),
    children: node.children.map(explanationOf),
  };
}
