// The caching link of the dispatcher chain: answers sub-problems from the cache while they are exact.

import type { Context } from "@opentelemetry/api";
import type { CachedResult } from "../cache/cached-result.js";
import type { ChangeTracker } from "../cache/change-tracker.js";
import type { ResultCache } from "../cache/result-cache.js";
import { flattenReads, type Outcome, type ReadSet } from "../engine/outcome.js";
import type { Dispatcher } from "./dispatcher.js";
import { questionKey, requestKeys } from "./request-key.js";

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
 * The key of a result computed ahead, for when its key's entry expires: the key and this suffix
 * (which no key ends with: keys end with the context's JSON).
 */
const AHEAD_SUFFIX = "|ahead";

/**
 * createCachingDispatcher returns the link that answers each `type:id#name` of a dispatch from
 * the cache when an entry is still exact: no set it read has changed since it was computed (as
 * the change tracker knows), and no relationship it relied on has expired. The rest goes down
 * the chain, and what comes back is kept, unless it was cut short (cancelled), cut a cycle, or
 * carries an explanation. Requests that ask for explanations bypass the cache. An entry keeps the
 * depth its computation took, and answers only a dispatch with at least that much depth
 * remaining: computed again with less, it would fail with the depth limit.
 *
 * Each entry answers from the time it was evaluated at until the earliest expiry it rests on. A
 * dispatch evaluated at a time still to come (an answer computed ahead of an expiry) while the
 * key's entry still answers keeps its results beside it (`key|ahead`): once the entry has
 * expired, the result computed ahead for it answers, and takes its place.
 */
export function createCachingDispatcher(options: CachingDispatcherOptions): Dispatcher {
  const { cache, tracker, next, keyPrefix } = options;
  const requestKey = requestKeys();
  /** keyOf is the entry's key: the prefix, `type:id#name`, and who asks (`@subject|context`). */
  const keyOf = (resourceType: string, resourceId: string, name: string, asker: string) =>
    `${keyPrefix}${resourceType}:${resourceId}#${name}${asker}`;
  // Expiry is judged at the request's evaluation time (epoch ms), as the store judges it. An
  // entry computed at a later revision than the read's (by a request that started after it,
  // once the tracker moved on) may rest on changes the read must not see.
  const isExact = (
    entry: CachedResult | undefined,
    now: number,
    revision = Number.POSITIVE_INFINITY,
  ): entry is CachedResult =>
    entry !== undefined &&
    entry.computedAt <= revision &&
    entry.validFrom <= now &&
    entry.validUntil > now &&
    tracker.unchangedSince(entry.reads, entry.computedAt, entry.validFrom);
  /** expiredBy says whether entry's time has passed: then a result computed ahead may follow it. */
  const expiredBy = (entry: CachedResult | undefined, now: number) =>
    entry !== undefined && entry.validUntil <= now;
  /**
   * usable is key's entry if it is exact at now (and revision), else the result computed ahead for
   * it if that is (then put in the entry's place), else undefined.
   */
  const usable = (
    key: string,
    entry: CachedResult | undefined,
    ahead: CachedResult | undefined,
    now: number,
    depthRemaining: number,
    revision?: number,
    trace?: Context,
  ): CachedResult | undefined => {
    const found = isExact(entry, now, revision)
      ? entry
      : isExact(ahead, now, revision)
        ? ahead
        : undefined;
    if (found === undefined || found.depthRequired > depthRemaining) return undefined;
    if (found === ahead) void cache.set(key, ahead, trace);
    return found;
  };

  return {
    answered(question, now) {
      const { resourceType, resourceId, name, subject, context, depthRemaining } = question;
      const key = keyOf(resourceType, resourceId, name, questionKey(subject, context));
      const entry = cache.peek(key);
      const ahead = expiredBy(entry, now) ? cache.peek(key + AHEAD_SUFFIX) : undefined;
      const exact = usable(key, entry, ahead, now, depthRemaining);
      if (exact === undefined) return undefined;
      // Only hits count here: a miss is looked up, and counted, again by the dispatch that follows.
      options.onLookup?.(true);
      return fromEntry(exact);
    },

    async dispatchCheck(request) {
      if (request.evaluation.explain) return next.dispatchCheck(request);
      const results = new Map<string, Outcome>();
      const keys = new Map<string, string>();
      const misses: string[] = [];
      const now = request.evaluation.reader.now.getTime();
      const asker = requestKey(request.evaluation);
      // The cache's commands are spans of this dispatch's trace, after awaits too.
      const trace = request.traceContext;
      await Promise.all(
        request.resourceIds.map(async (id) => {
          const key = keyOf(request.resourceType, id, request.name, asker);
          keys.set(id, key);
          const entry = await cache.get(key, trace);
          const ahead = expiredBy(entry, now)
            ? await cache.get(key + AHEAD_SUFFIX, trace)
            : undefined;
          const exact = usable(
            key,
            entry,
            ahead,
            now,
            request.depthRemaining,
            request.evaluation.reader.revision,
            trace,
          );
          options.onLookup?.(exact !== undefined);
          if (exact !== undefined) results.set(id, fromEntry(exact));
          else misses.push(id);
        }),
      );
      if (misses.length === 0) return results;
      const computed = await next.dispatchCheck({ ...request, resourceIds: misses });
      const keep = !request.cancellation.cancelled;
      const computedAt = request.evaluation.reader.revision;
      // Evaluated at a time still to come, while today's entry still answers: a result for then,
      // kept beside it.
      const wallClock = Date.now();
      const isAhead = (key: string) => now > wallClock && isExact(cache.peek(key), wallClock);
      for (const [id, outcome] of computed) {
        results.set(id, outcome);
        if (keep && !outcome.cyclic && outcome.explanation === undefined) {
          const key = keys.get(id)!;
          const entry = toEntry(outcome, computedAt, now);
          void cache.set(isAhead(key) ? key + AHEAD_SUFFIX : key, entry, trace);
        }
      }
      return results;
    },
  };
}

function toEntry(outcome: Outcome, computedAt: number, validFrom: number): CachedResult {
  return {
    kind: outcome.kind,
    missing: outcome.missing,
    conditionFalse: outcome.conditionFalse === true,
    validFrom,
    validUntil: outcome.validUntil,
    computedAt,
    depthRequired: outcome.depthRequired,
    reads: flattenReads(outcome.reads),
  };
}

/**
 * fromEntry rebuilds an outcome from a cache entry. It carries the entry's reads, so that an
 * answer built from it is kept with everything it rests on.
 */
function fromEntry(entry: CachedResult): Outcome {
  return {
    kind: entry.kind,
    missing: entry.missing,
    validUntil: entry.validUntil,
    cyclic: false,
    depthRequired: entry.depthRequired,
    reads: entry.reads.length > 0 ? { sets: entry.reads, from: NO_READ_SETS } : undefined,
    fromCache: true,
    ...(entry.conditionFalse && { conditionFalse: true }),
  };
}

const NO_READ_SETS: readonly ReadSet[] = Object.freeze([]);
