// The in-process result cache: an LRU bounded by bytes.

import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { LRUCache } from "lru-cache";
import { type CachedResult, sizeOfCachedResult } from "./cached-result.js";
import type { ResultCache } from "./result-cache.js";

const MIB = 1024 * 1024;

/**
 * defaultCacheBytes is the bound of the in-process cache (by the entries' estimated size) for a
 * process that may use `memory` bytes and whose V8 heap may grow to `heapLimit` bytes: a tenth
 * of the memory, at least 64 MiB and at most 1 GiB (as SpiceDB sizes its caches from the memory
 * available), and never more than a quarter of the heap limit, since the cache lives in the heap
 * beside everything else the process holds (requests, the schema, the memory store).
 */
export function defaultCacheBytes(memory: number, heapLimit: number): number {
  const fromMemory = Math.min(Math.max(Math.floor(memory / 10), 64 * MIB), 1024 * MIB);
  return Math.min(fromMemory, Math.floor(heapLimit / 4));
}

/**
 * DEFAULT_MEMORY_CACHE_BYTES is {@link defaultCacheBytes} for this process: the memory it may use
 * is its cgroup's limit in a container, else the machine's; its heap limit is V8's (set by
 * `--max-old-space-size`, else derived by Node from the memory).
 */
export const DEFAULT_MEMORY_CACHE_BYTES = defaultCacheBytes(
  availableMemory(),
  getHeapStatistics().heap_size_limit,
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
