// The local evaluation of a dispatch: cut cycles, reuse this request's answers, prune, then walk.

import type { DispatchCheck } from "../dispatch/dispatcher.js";
import { EngineError } from "./engine-error.js";
import { evaluateRelation } from "./evaluate-relation.js";
import { evaluateRewrite } from "./evaluate-rewrite.js";
import type { Explanation } from "./explanation.js";
import { ALLOWED, DENIED, type Outcome, withDetails } from "./outcome.js";

/** evaluateCheck answers a dispatch by reading the store and dispatching its sub-problems. */
export async function evaluateCheck(request: DispatchCheck): Promise<ReadonlyMap<string, Outcome>> {
  const { evaluation, resourceType, name } = request;
  const results = new Map<string, Outcome>();
  evaluation.work.dispatches++;
  if (request.cancellation.cancelled) {
    for (const id of request.resourceIds) results.set(id, DENIED);
    return results;
  }
  const member = evaluation.schema.member(resourceType, name);
  if (!member)
    throw new EngineError(
      "invalid-argument",
      `definition '${resourceType}' has no relation or permission '${name}'`,
    );

  const { subject } = evaluation;
  const toEvaluate: string[] = [];
  for (const id of request.resourceIds) {
    const key = `${resourceType}:${id}#${name}`;
    const known = evaluation.memo.get(key);
    // An outcome that took more depth than remains here would have failed here: compute it again.
    if (known && known.depthRequired <= request.depthRemaining) results.set(id, known);
    // A set always contains itself: group:eng#member is a member of group:eng, as in SpiceDB.
    else if (subject.relation === name && subject.type === resourceType && subject.id === id)
      results.set(id, ALLOWED);
    else if (onPath(request, key)) results.set(id, cycleCut(request, key));
    else toEvaluate.push(id);
  }
  if (toEvaluate.length === 0) return results;

  if (
    subject.relation === undefined &&
    !evaluation.schema.reachability.canReach(resourceType, name, subject.type)
  ) {
    for (const id of toEvaluate) results.set(id, DENIED);
    return results;
  }
  if (request.depthRemaining <= 0) {
    throw new EngineError(
      "max-depth",
      `the check went deeper than the depth limit at ${resourceType}:${toEvaluate[0]}#${name}; the data nests too deeply (LATCH_MAX_DEPTH raises the limit) or the schema recurses without end`,
    );
  }

  const batch = { ...request, resourceIds: toEvaluate };
  const outcomes =
    member.kind === "relation"
      ? await evaluateRelation(batch, member)
      : await evaluateRewrite(batch, member.rewrite);
  const reusable = !request.cancellation.cancelled;
  for (const [id, computed] of outcomes) {
    // This level, and the deepest of the levels below it.
    const outcome: Outcome = { ...computed, depthRequired: computed.depthRequired + 1 };
    results.set(id, outcome);
    if (reusable && !outcome.cyclic) evaluation.memo.set(`${resourceType}:${id}#${name}`, outcome);
  }
  return results;
}

function onPath(request: DispatchCheck, key: string): boolean {
  for (let node = request.path; node; node = node.parent) if (node.key === key) return true;
  return false;
}

function cycleCut(request: DispatchCheck, key: string): Outcome {
  const outcome = withDetails(DENIED, { cyclic: true });
  if (!request.evaluation.explain) return outcome;
  const explanation: Explanation = { node: key, step: "cycle", result: "denied", children: [] };
  return withDetails(outcome, { explanation });
}
