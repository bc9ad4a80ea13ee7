// The cache of one server: the change tracker and the result caches, in process and shared.

import type { Store } from "../store/store.js";
import { ChangeTracker } from "./change-tracker.js";
import { DEFAULT_MEMORY_CACHE_BYTES, MemoryResultCache } from "./memory-result-cache.js";
import { connectRedisCache, type RedisResultCache } from "./redis-result-cache.js";
import type { ResultCache } from "./result-cache.js";
import { TieredResultCache } from "./tiered-result-cache.js";
import { TracedResultCache } from "./traced-result-cache.js";

/** CacheOptions configure {@link openCacheLayer}. */
export interface CacheOptions {
  /** Bytes the in-process cache may hold; by default {@link DEFAULT_MEMORY_CACHE_BYTES}. */
  readonly memoryBytes?: number;
  /** The shared cache: a Redis server (or a Cluster node, with `cluster`). */
  readonly redis?: { readonly url: string; readonly cluster?: boolean };
  /** The change tracker's: how long a revision may go unapplied, and who hears of a broken stream. */
  readonly maxChangeLagMs?: number;
  readonly onStreamError?: (error: unknown) => void;
  /** Whether Redis commands are spans of the sampled requests that make them. */
  readonly traceRedis?: boolean;
}

/**
 * CACHE_FORMAT is in every Redis key: replicas of different versions sharing one Redis must not
 * read each other's entries when what an entry rests on changed meaning (format 2: a suspension
 * leg rests on the suspensions of its subject and its type's wildcard, not on the whole set, and
 * a replica of format 1 would not see it invalidated). Bump it with every such change.
 */
const CACHE_FORMAT = "f2";

/** How long an entry lives in Redis: entries stay exact regardless; this only bounds its memory. */
const REDIS_TTL_MS = 10 * 60 * 1000;

/** CacheLayer is everything a server's cached checks use. */
export interface CacheLayer {
  readonly tracker: ChangeTracker;
  /** The results: in process, in front of Redis when configured. */
  readonly results: ResultCache;
  readonly redis?: RedisResultCache;
  close(): Promise<void>;
}

/**
 * openCacheLayer starts the change tracker at the store's head and opens the caches: in process
 * always, in Redis too when configured (keys prefixed with the store id, so stores may share it).
 */
export async function openCacheLayer(store: Store, options: CacheOptions): Promise<CacheLayer> {
  const tracker = new ChangeTracker(store, await store.headRevision(), {
    ...(options.maxChangeLagMs === undefined ? {} : { maxLagMs: options.maxChangeLagMs }),
    ...(options.onStreamError === undefined ? {} : { onStreamError: options.onStreamError }),
  });
  const local = new MemoryResultCache(options.memoryBytes ?? DEFAULT_MEMORY_CACHE_BYTES);
  const redis =
    options.redis === undefined
      ? undefined
      : connectRedisCache({
          url: options.redis.url,
          ...(options.redis.cluster ? { cluster: true } : {}),
          ttlMs: REDIS_TTL_MS,
          keyPrefix: `latch:${store.storeId}:${CACHE_FORMAT}:`,
        });
  const shared = redis !== undefined && options.traceRedis ? new TracedResultCache(redis) : redis;
  const results: ResultCache = shared === undefined ? local : new TieredResultCache(local, shared);
  return {
    tracker,
    results,
    ...(redis === undefined ? {} : { redis }),
    async close() {
      tracker.close();
      await results.close();
    },
  };
}
