// The in-process result cache: an LRU bounded by bytes.

import { totalmem } from "node:os";
import { LRUCache } from "lru-cache";
import { type CachedResult, sizeOfCachedResult } from "./cached-result.js";
import type { ResultCache } from "./result-cache.js";

/**
 * DEFAULT_MEMORY_CACHE_BYTES bounds the in-process cache (by the entries' estimated size): a
 * tenth of the memory the process may use (its cgroup limit in a container, else the machine's),
 * at least 64 MiB and at most 1 GiB — as SpiceDB sizes its caches from the memory available.
 */
export const DEFAULT_MEMORY_CACHE_BYTES = Math.min(
  Math.max(Math.floor(availableMemory() / 10), 64 * 1024 * 1024),
  1024 * 1024 * 1024,
);

/**
 * MemoryResultCache keeps the most recently used results in process, up to maxBytes (estimated),
 * evicting the least recently used. A hit costs well under a microsecond.
 */
export class MemoryResultCache implements ResultCache {
  private readonly entries: LRUCache<string, CachedResult>;

  constructor(maxBytes = DEFAULT_MEMORY_CACHE_BYTES) {
    this.entries = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => sizeOfCachedResult(key, value),
    });
  }

  peek(key: string): CachedResult | undefined {
    return this.entries.get(key);
  }

  async get(key: string): Promise<CachedResult | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, result: CachedResult): Promise<void> {
    this.entries.set(key, result);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** availableMemory is the cgroup's memory limit when there is one, else the machine's memory. */
function availableMemory(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < totalmem() ? constrained : totalmem();
}
