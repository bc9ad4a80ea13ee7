// Evaluates a permission's rewrite tree over a batch of resources: unions and intersections concurrently.

import type { Cancellation, DispatchCheck } from "../dispatch/dispatcher.js";
import type { Rewrite } from "../schema/compiled-schema.js";
import type { Relationship } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { ChildDispatches } from "./child-dispatches.js";
import type { Explanation, ExplanationStep } from "./explanation.js";
import {
  ALLOWED,
  allOf,
  anyOf,
  DENIED,
  negate,
  type Outcome,
  withDetails,
  withReads,
} from "./outcome.js";
import { relationshipOutcome } from "./relationship-outcome.js";

type Outcomes = ReadonlyMap<string, Outcome>;

/** evaluateRewrite answers the request for a permission by walking its rewrite tree. */
export async function evaluateRewrite(request: DispatchCheck, rewrite: Rewrite): Promise<Outcomes> {
  switch (rewrite.kind) {
    case "nil":
      return explainEach(
        request,
        new Map(request.resourceIds.map((id) => [id, DENIED])),
        "nil",
        [],
      );
    case "self": {
      // The object itself is the one subject of `self`: a subject with no relation, of its id.
      const { subject } = request.evaluation;
      const itself = (id: string) =>
        subject.relation === undefined &&
        subject.type === request.resourceType &&
        subject.id === id;
      return explainEach(
        request,
        new Map(request.resourceIds.map((id) => [id, itself(id) ? ALLOWED : DENIED])),
        "self",
        [],
      );
    }
    case "computed": {
      const children = new ChildDispatches(request);
      for (const id of request.resourceIds)
        children.add(id, request.resourceType, id, rewrite.name);
      await children.run();
      return new Map(
        request.resourceIds.map((id) => [
          id,
          children.outcome(id, request.resourceType, id, rewrite.name),
        ]),
      );
    }
    case "arrow":
      return evaluateArrow(request, rewrite);
    case "union":
    case "intersection":
      return evaluateConcurrently(request, rewrite.kind, rewrite.children);
    case "exclusion":
      return evaluateExclusion(request, rewrite.base, rewrite.subtracted);
  }
}

async function evaluateArrow(
  request: DispatchCheck,
  arrow: Extract<Rewrite, { kind: "arrow" }>,
): Promise<Outcomes> {
  const { evaluation, resourceType, resourceIds } = request;
  const rows = await evaluation.reader.query({
    resourceType,
    resourceIds,
    relation: arrow.tupleset,
  });
  const byResource = new Map<string, Relationship[]>();
  const children = new ChildDispatches(request);
  for (const row of rows) {
    // Arrows walk to the related object itself, whatever the subject relation; never to a wildcard.
    if (row.subject.id === WILDCARD) continue;
    const list = byResource.get(row.resource.id);
    if (list) list.push(row);
    else byResource.set(row.resource.id, [row]);
    // An object whose type lacks the target counts as not having it (it fails `.all()`, as in SpiceDB).
    if (evaluation.schema.member(row.subject.type, arrow.target)) {
      children.add(row.resource.id, row.subject.type, row.subject.id, arrow.target);
    }
  }
  await children.run();
  const results = new Map<string, Outcome>();
  for (const id of resourceIds) {
    const related = byResource.get(id) ?? [];
    const steps = related.map((row) => {
      const via = relationshipOutcome(evaluation, row);
      const target = children.outcome(id, row.subject.type, row.subject.id, arrow.target);
      return { row, via, outcome: allOf([via.outcome, target]), target };
    });
    const outcomes = steps.map((s) => s.outcome);
    const walked =
      arrow.function === "all"
        ? outcomes.length === 0
          ? DENIED
          : allOf(outcomes)
        : anyOf(outcomes);
    const outcome = withReads(walked, [`${resourceType}:${id}#${arrow.tupleset}`]);
    if (!evaluation.explain) {
      results.set(id, outcome);
      continue;
    }
    const explained: Explanation[] = steps.map((s) => ({
      node: `${resourceType}:${id}#${arrow.tupleset}`,
      step: "relationship",
      result: s.outcome.kind,
      relationship: s.row,
      caveat: s.via.caveat,
      children: s.target.explanation ? [s.target.explanation] : [],
    }));
    results.set(id, withExplanation(request, id, outcome, "arrow", explained));
  }
  return results;
}

/**
 * evaluateConcurrently runs the branches of a union or an intersection at once and answers as
 * soon as every resource is decided (a branch allowed it, for a union; denied it, for an
 * intersection), cancelling the branches still running.
 */
async function evaluateConcurrently(
  request: DispatchCheck,
  kind: "union" | "intersection",
  branches: readonly Rewrite[],
): Promise<Outcomes> {
  // A denial by a false caveat does not decide an intersection: whether another operand denies
  // plainly decides its reason (see Outcome.conditionFalse).
  const decides =
    kind === "union"
      ? (outcome: Outcome | undefined) => outcome?.kind === "allowed"
      : (outcome: Outcome | undefined) =>
          outcome?.kind === "denied" && outcome.conditionFalse !== true;
  const cancellation = new BranchCancellation(request.cancellation);
  const branchRequest = { ...request, cancellation };
  const results: (Outcomes | undefined)[] = new Array(branches.length);
  const undecided = new Set(request.resourceIds);
  await new Promise<void>((resolve, reject) => {
    let pending = branches.length;
    branches.forEach((branch, index) => {
      evaluateRewrite(branchRequest, branch).then((outcomes) => {
        results[index] = outcomes;
        for (const id of undecided) if (decides(outcomes.get(id))) undecided.delete(id);
        if (undecided.size === 0 || --pending === 0) {
          cancellation.cancel();
          resolve();
        }
      }, reject);
    });
  });
  const combined = new Map<string, Outcome>();
  for (const id of request.resourceIds) {
    const outcomes = results.flatMap((r) => (r ? [r.get(id) ?? DENIED] : []));
    const outcome = kind === "union" ? anyOf(outcomes) : allOf(outcomes);
    const explained = outcomes.flatMap((o) => (o.explanation ? [o.explanation] : []));
    combined.set(
      id,
      request.evaluation.explain ? withExplanation(request, id, outcome, kind, explained) : outcome,
    );
  }
  return combined;
}

/**
 * evaluateExclusion evaluates the base, then the subtracted side only where the base is not
 * denied, or is denied by a false caveat: whether the subtracted side also removes the subject
 * then decides the denial's reason.
 */
async function evaluateExclusion(
  request: DispatchCheck,
  base: Rewrite,
  subtracted: Rewrite,
): Promise<Outcomes> {
  const baseOutcomes = await evaluateRewrite(request, base);
  const remaining = request.resourceIds.filter((id) => {
    const outcome = baseOutcomes.get(id);
    return outcome?.kind !== "denied" || outcome.conditionFalse === true;
  });
  const subtractedOutcomes =
    remaining.length > 0
      ? await evaluateRewrite({ ...request, resourceIds: remaining }, subtracted)
      : new Map<string, Outcome>();
  const results = new Map<string, Outcome>();
  for (const id of request.resourceIds) {
    const baseOutcome = baseOutcomes.get(id) ?? DENIED;
    const removed = subtractedOutcomes.get(id);
    const outcome = removed ? allOf([baseOutcome, negate(removed)]) : baseOutcome;
    if (!request.evaluation.explain) {
      results.set(id, outcome);
      continue;
    }
    const explained: Explanation[] = [];
    if (baseOutcome.explanation) explained.push({ ...baseOutcome.explanation, role: "base" });
    if (removed?.explanation) explained.push({ ...removed.explanation, role: "subtracted" });
    results.set(id, withExplanation(request, id, outcome, "exclusion", explained));
  }
  return results;
}

function explainEach(
  request: DispatchCheck,
  outcomes: Map<string, Outcome>,
  step: ExplanationStep,
  children: Explanation[],
): Outcomes {
  if (!request.evaluation.explain) return outcomes;
  for (const [id, outcome] of outcomes)
    outcomes.set(id, withExplanation(request, id, outcome, step, children));
  return outcomes;
}

function withExplanation(
  request: DispatchCheck,
  id: string,
  outcome: Outcome,
  step: ExplanationStep,
  children: readonly Explanation[],
): Outcome {
  const explanation: Explanation = {
    node: `${request.resourceType}:${id}#${request.name}`,
    step,
    result: outcome.kind,
    children,
  };
  return withDetails(outcome, { explanation });
}

/** BranchCancellation is cancelled by its own combinator, or when its parent is. */
class BranchCancellation implements Cancellation {
  private own = false;

  constructor(private readonly parent: Cancellation) {}

  get cancelled(): boolean {
    return this.own || this.parent.cancelled;
  }

  cancel(): void {
    this.own = true;
  }
}
