// The dispatcher chain of one schema, assembled: caching → singleflight → local evaluation.

import type { ChangeTracker } from "../cache/change-tracker.js";
import type { ResultCache } from "../cache/result-cache.js";
import { createCachingDispatcher } from "./caching-dispatcher.js";
import type { Dispatcher } from "./dispatcher.js";
import { createLocalDispatcher } from "./local-dispatcher.js";
import { createSingleflightDispatcher } from "./singleflight-dispatcher.js";

/** CombinedDispatcherOptions configure {@link createCombinedDispatcher}. */
export interface CombinedDispatcherOptions {
  /** Where results are kept: in process, and in Redis too when the server has it. */
  readonly results: ResultCache;
  /** The change tracker that says which kept results are still exact. */
  readonly tracker: ChangeTracker;
  /** Prepended to every cache key: the schema's revision, so that no entry outlives its schema. */
  readonly keyPrefix: string;
  /** Counts cache hits and misses, for the hit ratio. */
  readonly onLookup?: (hit: boolean) => void;
}

/**
 * createCombinedDispatcher returns the chain a server's cached reads use for one schema: the
 * cache answers what it holds exactly, singleflight joins what is already being computed, and
 * the local link evaluates the rest, dispatching each sub-problem back to the head of the chain.
 */
export function createCombinedDispatcher(options: CombinedDispatcherOptions): Dispatcher {
  return createCachingDispatcher({
    cache: options.results,
    tracker: options.tracker,
    next: createSingleflightDispatcher(createLocalDispatcher()),
    keyPrefix: options.keyPrefix,
    onLookup: options.onLookup,
  });
}
