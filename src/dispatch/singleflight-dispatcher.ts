// The singleflight link: concurrent identical sub-problems, from any requests, are computed once.

import type { Outcome } from "../engine/outcome.js";
import type { DispatchCheck, Dispatcher } from "./dispatcher.js";
import { requestKeys } from "./request-key.js";

/** Shared is one computation in flight, which others may join. */
interface Shared {
  readonly outcome: Promise<Outcome>;
  /** The time (epoch ms) it is evaluated at. */
  readonly evaluatedAt: number;
  /** Whether the computing request was cut short: its answers are not others' to use. */
  readonly cancelled: () => boolean;
}

/**
 * createSingleflightDispatcher returns the link that joins a sub-problem (`type:id#name` for a
 * subject and context, at one revision) to the same computation already in flight from another
 * request, instead of computing it again. Only sets that cannot recurse are shared: two requests
 * waiting on each other's parts of one cycle would wait forever. A joined computation that was
 * cancelled or failed is computed again by the joiner. Time is part of the question: a request
 * joins only a computation evaluated no later than its own time, and takes its outcome only if no
 * relationship it rests on expired in between, and if it took no more depth than the request has.
 */
export function createSingleflightDispatcher(next: Dispatcher): Dispatcher {
  const inflight = new Map<string, Shared>();
  const requestKey = requestKeys();
  const keyOf = ({ evaluation, resourceType, name }: DispatchCheck, id: string): string =>
    `${evaluation.reader.revision}|${resourceType}:${id}#${name}${requestKey(evaluation)}`;

  return {
    answered: (question, now) => next.answered(question, now),

    async dispatchCheck(request) {
      const { evaluation, resourceType, name } = request;
      if (evaluation.explain || evaluation.schema.reachability.isRecursive(resourceType, name)) {
        return next.dispatchCheck(request);
      }
      const now = evaluation.reader.now.getTime();
      const joined = new Map<string, Shared>();
      const mine: string[] = [];
      for (const id of request.resourceIds) {
        const shared = inflight.get(keyOf(request, id));
        if (shared !== undefined && shared.evaluatedAt <= now) joined.set(id, shared);
        else mine.push(id);
      }
      const results = new Map<string, Outcome>();
      const own =
        mine.length === 0 ? undefined : next.dispatchCheck({ ...request, resourceIds: mine });
      if (own) {
        const cancelled = () => request.cancellation.cancelled;
        for (const id of mine) {
          const key = keyOf(request, id);
          const outcome = own.then((outcomes) => outcomes.get(id)!);
          // Joiners handle failures themselves; this keeps an unjoined failure from going unhandled.
          outcome.catch(() => {});
          inflight.set(key, { outcome, evaluatedAt: now, cancelled });
          own.then(
            () => inflight.delete(key),
            () => inflight.delete(key),
          );
        }
      }
      const retry: string[] = [];
      await Promise.all(
        [...joined].map(async ([id, shared]) => {
          try {
            const outcome = await shared.outcome;
            if (
              shared.cancelled() ||
              outcome.cyclic ||
              outcome.validUntil <= now ||
              outcome.depthRequired > request.depthRemaining
            )
              retry.push(id);
            else results.set(id, outcome);
          } catch {
            retry.push(id);
          }
        }),
      );
      if (own) for (const [id, outcome] of await own) results.set(id, outcome);
      if (retry.length > 0) {
        const again = await next.dispatchCheck({ ...request, resourceIds: retry });
        for (const [id, outcome] of again) results.set(id, outcome);
      }
      return results;
    },
  };
}
