// The consistency of an API request, as the revision layer's Consistency.

import type { Consistency as ConsistencyMessage } from "../../gen/latch/v1/core_pb.js";
import type { Consistency } from "../../revision/consistency.js";
import { RequestError } from "../request-error.js";

const MINIMIZE_LATENCY: Consistency = Object.freeze({ kind: "minimize-latency" });
const FULLY_CONSISTENT: Consistency = Object.freeze({ kind: "fully-consistent" });

/** readConsistency converts field's consistency; unset means minimize_latency, as in SpiceDB. */
export function readConsistency(
  field: string,
  message: ConsistencyMessage | undefined,
): Consistency {
  const requirement = message?.requirement;
  switch (requirement?.case) {
    case undefined:
    case "minimizeLatency":
      return MINIMIZE_LATENCY;
    case "fullyConsistent":
      return FULLY_CONSISTENT;
    case "atLeastAsFresh":
      return {
        kind: "at-least-as-fresh",
        token: token(`${field}.at_least_as_fresh`, requirement.value),
      };
    case "atExactSnapshot":
      return {
        kind: "at-exact-snapshot",
        token: token(`${field}.at_exact_snapshot`, requirement.value),
      };
  }
}

function token(field: string, value: string): string {
  if (value === "") throw new RequestError(field, `${field} must be a token, not empty`);
  return value;
}
