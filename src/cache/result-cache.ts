// The cache seam: where sub-problem results are kept, in process or shared.

import type { Context } from "@opentelemetry/api";
import type { CachedResult } from "./cached-result.js";

/**
 * ResultCache keeps results by key. Implementations: in process (bounded LRU) and Redis (shared
 * by replicas); a tiered cache puts the first in front of the second. Every method is safe to
 * call concurrently; a cache that cannot answer (Redis down) answers a miss and drops writes.
 * The trace given to get and set is the sampled dispatch that asks, whose spans a traced cache's
 * commands are (the active context is lost after an await; see SyncContextManager).
 */
export interface ResultCache {
  /** peek returns what the cache holds for key in process, without waiting (never asks Redis). */
  peek(key: string): CachedResult | undefined;
  get(key: string, trace?: Context): Promise<CachedResult | undefined>;
  set(key: string, result: CachedResult, trace?: Context): Promise<void>;
  close(): Promise<void>;
}
