// The `suspend` action of alert rules: the offending agent suspended like any other, the alert as reason.

import { MAX_REASON_LENGTH } from "../agents/suspension.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import { writeSuspension } from "./agent-service.js";
import type { ApiContext } from "./api-context.js";

/** SUSPENDED_BY is who a suspension by an alert rule names as having suspended. */
const SUSPENDED_BY = "alert-rules";

/**
 * alertSuspender suspends an agent (`agent:bot`) for an alert: the reason cut to the length a
 * suspension holds, for forMs when given (until resumed otherwise). A subject set (an alert's
 * agent is a decision's subject when it had no actors) is refused with an Error, as Suspend
 * refuses it.
 */
export function alertSuspender(
  context: ApiContext,
): (agent: string, reason: string, forMs: number | undefined) => Promise<void> {
  return async (agent, reason, forMs) => {
    const parsed = parseSubjectRef(agent);
    if (!parsed.ok) throw parsed.error;
    if (parsed.value.relation !== undefined) {
      throw new Error(`${agent} is a subject set; only objects are suspended`);
    }
    const suspendedAt = new Date();
    await writeSuspension(context, {
      subject: parsed.value,
      reason: [...reason].slice(0, MAX_REASON_LENGTH).join(""),
      suspendedBy: SUSPENDED_BY,
      suspendedAt,
      ...(forMs === undefined ? {} : { expiresAt: new Date(suspendedAt.getTime() + forMs) }),
    });
  };
}
