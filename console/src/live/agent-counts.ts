// Decisions and denials per agent, counted over a live stream.

import type { Decision } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";

/** AgentCount is how many decisions an agent took part in, and how many were denied. */
export interface AgentCount {
  readonly decisions: number;
  readonly denials: number;
}

/**
 * countAgents adds decisions to counts: each actor of a decision (an agent acting for its
 * subject) counts it once, and a denial once more as a denial. Plain checks, with no actor, are
 * no agent's.
 */
export function countAgents(
  counts: ReadonlyMap<string, AgentCount>,
  decisions: readonly Decision[],
): Map<string, AgentCount> {
  const next = new Map(counts);
  for (const decision of decisions) {
    for (const actor of new Set(decision.actors)) {
      const count = next.get(actor) ?? { decisions: 0, denials: 0 };
      next.set(actor, {
        decisions: count.decisions + 1,
        denials: count.denials + (decision.result === CheckResult.DENIED ? 1 : 0),
      });
    }
  }
  return next;
}
