// Test helpers for on-behalf-of checks: the reference's leg oracle, comparable answers, labels.

import type { CheckResult } from "../../src/engine/check-engine.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { formatRelationship, formatSubjectRef } from "../../src/tuple/format-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { ACT_FOR, type ChainQuery, SUSPENSION } from "../generators/index.js";
import type { LegOracle, RefChainRules, RefDecision } from "../reference/reference-chain.js";
import type { ReferenceModel } from "../reference/reference-evaluator.js";

/** CHAIN_RULES are the conventions of generated chain cases: `act_for`, and the suspension definition. */
export const CHAIN_RULES: RefChainRules = {
  actFor: ACT_FOR,
  suspensions: {
    object: { type: SUSPENSION.type, id: SUSPENSION.id },
    relation: SUSPENSION.relation,
  },
};

/** referenceLegs asks each leg of the reference model, with whether a false caveat decided a denial. */
export function referenceLegs(model: ReferenceModel): LegOracle {
  return (resource, permission, subject) => ({
    result: model.check(resource, permission, subject),
    byCondition: model.deniedByCondition(resource, permission, subject),
  });
}

/** Comparable is what an on-behalf-of answer must agree on: result, missing, denied_by and reason. */
export interface Comparable {
  readonly result: string;
  readonly missing: readonly string[];
  readonly deniedBy?: string;
  readonly reason?: string;
}

/** engineAnswer is the comparable part of the engine's answer. */
export function engineAnswer(result: CheckResult): Comparable {
  return {
    result: result.result,
    missing: result.missing,
    ...(result.deniedBy && { deniedBy: formatSubjectRef(result.deniedBy) }),
    ...(result.reason && { reason: result.reason }),
  };
}

/** referenceAnswer is the comparable part of a reference decision. */
export function referenceAnswer(decision: RefDecision): Comparable {
  return {
    result: decision.result.kind,
    missing: decision.result.kind === "conditional" ? decision.result.missing : [],
    ...(decision.deniedBy && { deniedBy: formatSubjectRef(decision.deniedBy) }),
    ...(decision.reason && { reason: decision.reason }),
  };
}

/** chainLabel describes a question and its case, for a failing assertion. */
export function chainLabel(
  question: ChainQuery,
  schema: { readonly text: string; readonly schema: CompiledSchema },
  relationships: readonly Relationship[],
  context: Readonly<Record<string, unknown>>,
): string {
  const chain = [question.subject, ...question.actors].map(formatSubjectRef).join(" ← ");
  return `${question.resource.type}:${question.resource.id}#${question.permission} for ${chain}\n${schema.text}\n${relationships.map(formatRelationship).join("\n")}\ncontext ${JSON.stringify(context)}`;
}
