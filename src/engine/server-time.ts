// The server's time in caveats: a `now` parameter that nobody supplied is the decision's time.

import type { CaveatContext, CompiledCaveat } from "../schema/caveat/compiled-caveat.js";
import { formatTimestamp } from "../tuple/timestamp.js";

/** SERVER_TIME_PARAMETER is the caveat parameter the engine fills with the decision's time. */
export const SERVER_TIME_PARAMETER = "now";

const SECOND_MS = 1000;

/**
 * decisionTime is the time (epoch ms) that caveats see in a decision evaluated at `at`: `at`
 * truncated to the whole second. Every answer within one second sees the same time, so that an
 * answer that used it can be cached for the rest of that second rather than for a millisecond.
 */
export function decisionTime(at: Date): number {
  return wholeSecond(at.getTime());
}

/**
 * endsWithItsSecond says whether an answer evaluated at `at` and valid until `validUntil` (both
 * epoch ms) holds exactly to the end of its decision's second, as one that used the server's time
 * does.
 */
export function endsWithItsSecond(validUntil: number, at: number): boolean {
  return validUntil === wholeSecond(at) + SECOND_MS;
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/** TimedContext is a caveat's context, and until when (epoch ms) an answer made with it holds. */
export interface TimedContext {
  readonly context: CaveatContext;
  /** The end of the decision's second when the server's time was added; else Infinity. */
  readonly validUntil: number;
}

/**
 * withServerTime adds the server's time to a caveat's context (the request's, overlaid with the
 * relationship's) when the caveat takes `now` as a timestamp and the context does not supply it:
 * `now` is then the {@link decisionTime} of an evaluation at `at`, and the answer holds until the
 * end of that second, when `now` moves on. A `now` the context supplies is kept: the API refuses
 * callers' values (LATCH_SERVER_CONTEXT), so a supplied one comes from the relationship, or from
 * a caller that runs the engine itself (validation files, tests).
 */
export function withServerTime(
  caveat: CompiledCaveat,
  context: CaveatContext,
  at: Date,
): TimedContext {
  if (
    caveat.parameters.get(SERVER_TIME_PARAMETER)?.kind !== "timestamp" ||
    context[SERVER_TIME_PARAMETER] !== undefined
  )
    return { context, validUntil: Number.POSITIVE_INFINITY };
  const time = decisionTime(at);
  return {
    context: { ...context, [SERVER_TIME_PARAMETER]: formatTimestamp(new Date(time)) },
    validUntil: time + SECOND_MS,
  };
}
