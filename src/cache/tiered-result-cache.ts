// The in-process cache in front of the shared one: hits stay local, misses ask Redis.

import type { Context } from "@opentelemetry/api";
import type { CachedResult } from "./cached-result.js";
import type { MemoryResultCache } from "./memory-result-cache.js";
import type { ResultCache } from "./result-cache.js";

/**
 * TieredResultCache reads the local cache first, then the shared one, copying shared hits into
 * the local cache; writes go to both. The shared cache is warmth across replicas, never the
 * truth: every entry is still checked against the change tracker by the caller.
 */
export class TieredResultCache implements ResultCache {
  constructor(
    private readonly local: MemoryResultCache,
    private readonly shared: ResultCache,
  ) {}

  peek(key: string): CachedResult | undefined {
    return this.local.peek(key);
  }

  async get(key: string, trace?: Context): Promise<CachedResult | undefined> {
    const hit = this.local.peek(key);
    if (hit !== undefined) return hit;
    const shared = await this.shared.get(key, trace);
    if (shared !== undefined) await this.local.set(key, shared);
    return shared;
  }

  async set(key: string, result: CachedResult, trace?: Context): Promise<void> {
    await this.local.set(key, result);
    await this.shared.set(key, result, trace);
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.shared.close();
  }
}
