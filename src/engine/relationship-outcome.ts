// The outcome of one stored relationship: its caveat evaluated with the merged context, and its expiry.

import type { Evaluation } from "../dispatch/dispatcher.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { EngineError } from "./engine-error.js";
import type { CaveatTrace } from "./explanation.js";
import { ALLOWED, conditional, DENIED_BY_CONDITION, type Outcome, withDetails } from "./outcome.js";
import { withServerTime } from "./server-time.js";

/** RelationshipOutcome is how a relationship counts, and the caveat trace for explanations. */
export interface RelationshipOutcome {
  readonly outcome: Outcome;
  readonly caveat?: CaveatTrace;
}

const UNCAVEATED: RelationshipOutcome = { outcome: ALLOWED };

/**
 * relationshipOutcome evaluates a relationship's caveat on the request's context overlaid with
 * the relationship's own context (the relationship's values win) and, when neither supplies it,
 * the server's time as `now` (see {@link withServerTime}); it bounds the outcome by the
 * relationship's expiry, and by the end of the second whose time the caveat saw.
 */
export function relationshipOutcome(
  evaluation: Evaluation,
  relationship: Relationship,
): RelationshipOutcome {
  const { caveat: reference, expiresAt } = relationship;
  let result = UNCAVEATED;
  let validUntil = expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (reference) {
    const caveat = evaluation.schema.caveats.get(reference.name);
    if (!caveat) {
      throw new EngineError(
        "caveat-error",
        `relationship ${formatRelationship(relationship)} names caveat '${reference.name}', which the schema does not define`,
      );
    }
    const given = reference.context
      ? { ...evaluation.context, ...reference.context }
      : evaluation.context;
    const timed = withServerTime(caveat, given, evaluation.reader.now);
    validUntil = Math.min(validUntil, timed.validUntil);
    const evaluated = caveat.evaluate(timed.context);
    switch (evaluated.kind) {
      case "true":
        result = { outcome: ALLOWED, caveat: { name: reference.name, result: "true" } };
        break;
      case "false":
        result = {
          outcome: DENIED_BY_CONDITION,
          caveat: { name: reference.name, result: "false" },
        };
        break;
      case "missing":
        result = {
          outcome: conditional(evaluated.missing),
          caveat: { name: reference.name, result: "missing", missing: evaluated.missing },
        };
        break;
      case "error": {
        const where = evaluated.parameter ? ` (parameter '${evaluated.parameter}')` : "";
        throw new EngineError(
          "caveat-error",
          `caveat '${reference.name}' on ${formatRelationship(relationship)}${where}: ${evaluated.message}`,
        );
      }
    }
  }
  if (validUntil === Number.POSITIVE_INFINITY) return result;
  return { ...result, outcome: withDetails(result.outcome, { validUntil }) };
}
