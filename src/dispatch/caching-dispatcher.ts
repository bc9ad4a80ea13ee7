// The caching link of the dispatcher chain: answers sub-problems from the cache while they are exact.

import type { CachedResult } from "../cache/cached-result.js";
import type { ChangeTracker } from "../cache/change-tracker.js";
import type { ResultCache } from "../cache/result-cache.js";
import {
  ALLOWED,
  conditional,
  DENIED,
  flattenReads,
  type Outcome,
  withDetails,
} from "../engine/outcome.js";
import type { DispatchCheck, Dispatcher } from "./dispatcher.js";
import { requestKeys } from "./request-key.js";

/** CachingDispatcherOptions configure {@link createCachingDispatcher}. */
export interface CachingDispatcherOptions {
  readonly cache: ResultCache;
  readonly tracker: ChangeTracker;
  /** The link after this one (singleflight, then local evaluation). */
  readonly next: Dispatcher;
  /** Prepended to every key: the store and the schema revision, so no entry outlives its schema. */
  readonly keyPrefix: string;
  /** Counts hits and misses, for the hit ratio. */
  readonly onLookup?: (hit: boolean) => void;
}

/**
 * createCachingDispatcher returns the link that answers each `type:id#name` of a dispatch from
 * the cache when an entry is still exact: no set it read has changed since it was computed (as
 * the change tracker knows), and no relationship it relied on has expired. The rest goes down
 * the chain, and what comes back is kept, unless it was cut short (cancelled), cut a cycle, or
 * carries an explanation. Requests that ask for explanations bypass the cache.
 */
export function createCachingDispatcher(options: CachingDispatcherOptions): Dispatcher {
  const { cache, tracker, next, keyPrefix } = options;
  const requestKey = requestKeys();
  const keyOf = (request: DispatchCheck, id: string): string =>
    `${keyPrefix}${request.resourceType}:${id}#${request.name}${requestKey(request.evaluation)}`;

  return {
    async dispatchCheck(request) {
      if (request.evaluation.explain) return next.dispatchCheck(request);
      const results = new Map<string, Outcome>();
      const keys = new Map<string, string>();
      const misses: string[] = [];
      // Expiry is judged at the request's evaluation time, as the store judges it.
      const now = request.evaluation.reader.now.getTime();
      await Promise.all(
        request.resourceIds.map(async (id) => {
          const key = keyOf(request, id);
          keys.set(id, key);
          const entry = await cache.get(key);
          const exact =
            entry !== undefined &&
            entry.validUntil > now &&
            tracker.unchangedSince(entry.reads, entry.computedAt);
          options.onLookup?.(exact);
          if (exact) results.set(id, fromEntry(entry));
          else misses.push(id);
        }),
      );
      if (misses.length === 0) return results;
      const computed = await next.dispatchCheck({ ...request, resourceIds: misses });
      const keep = !request.cancellation.cancelled;
      const computedAt = request.evaluation.reader.revision;
      for (const [id, outcome] of computed) {
        results.set(id, outcome);
        if (keep && !outcome.cyclic && outcome.explanation === undefined) {
          void cache.set(keys.get(id)!, toEntry(outcome, computedAt));
        }
      }
      return results;
    },
  };
}

function toEntry(outcome: Outcome, computedAt: number): CachedResult {
  return {
    kind: outcome.kind,
    missing: outcome.missing,
    validUntil: outcome.validUntil,
    computedAt,
    reads: flattenReads(outcome.reads),
  };
}

/**
 * fromEntry rebuilds an outcome from a cache entry. It carries the entry's reads, so that an
 * answer built from it is kept with everything it rests on.
 */
function fromEntry(entry: CachedResult): Outcome {
  const base =
    entry.kind === "allowed"
      ? ALLOWED
      : entry.kind === "denied"
        ? DENIED
        : conditional(entry.missing);
  return {
    ...withDetails(base, {
      validUntil: entry.validUntil,
      ...(entry.reads.length > 0 ? { reads: { sets: entry.reads, from: [] } } : {}),
    }),
    fromCache: true,
  };
}
