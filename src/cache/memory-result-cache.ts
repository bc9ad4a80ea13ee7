// The in-process result cache: an LRU bounded by bytes.

import { LRUCache } from "lru-cache";
import { type CachedResult, sizeOfCachedResult } from "./cached-result.js";
import type { ResultCache } from "./result-cache.js";

/** DEFAULT_MEMORY_CACHE_BYTES bounds the in-process cache: 256 MiB (by the entries' estimated size). */
export const DEFAULT_MEMORY_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * MemoryResultCache keeps the most recently used results in process, up to maxBytes (estimated),
 * evicting the least recently used. Reads are synchronous underneath: a hit costs well under a
 * microsecond besides the promise.
 */
export class MemoryResultCache implements ResultCache {
  private readonly entries: LRUCache<string, CachedResult>;

  constructor(maxBytes = DEFAULT_MEMORY_CACHE_BYTES) {
    this.entries = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => sizeOfCachedResult(key, value),
    });
  }

  /** peek returns the entry for key without a promise, for the hot path. */
  peek(key: string): CachedResult | undefined {
    return this.entries.get(key);
  }

  async get(key: string): Promise<CachedResult | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, result: CachedResult): Promise<void> {
    this.entries.set(key, result);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
