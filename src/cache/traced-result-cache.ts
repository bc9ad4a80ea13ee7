// The shared cache with a client span per Redis command of a sampled request.

import { type Context, context } from "@opentelemetry/api";
import { clientSpan, recordingSpan } from "../telemetry/tracing.js";
import type { CachedResult } from "./cached-result.js";
import type { ResultCache } from "./result-cache.js";

const GET_ATTRIBUTES = Object.freeze({ "db.system": "redis", "db.operation.name": "GET" });
const SET_ATTRIBUTES = Object.freeze({ "db.system": "redis", "db.operation.name": "SET" });

/**
 * TracedResultCache is a Redis cache whose GET and SET of a sampled dispatch (the trace given, or
 * else the span active) are spans `redis GET` and `redis SET` beneath it (a GET says whether it
 * found an entry, `latch.cache_hit`); other commands go straight to it.
 */
export class TracedResultCache implements ResultCache {
  constructor(private readonly redis: ResultCache) {}

  peek(key: string): CachedResult | undefined {
    return this.redis.peek(key);
  }

  get(key: string, trace?: Context): Promise<CachedResult | undefined> {
    const parent = trace ?? context.active();
    if (recordingSpan(parent) === undefined) return this.redis.get(key);
    return clientSpan(
      parent,
      "redis GET",
      GET_ATTRIBUTES,
      () => this.redis.get(key),
      (found) => ({ "latch.cache_hit": found !== undefined }),
    );
  }

  set(key: string, result: CachedResult, trace?: Context): Promise<void> {
    const parent = trace ?? context.active();
    if (recordingSpan(parent) === undefined) return this.redis.set(key, result);
    return clientSpan(parent, "redis SET", SET_ATTRIBUTES, () => this.redis.set(key, result));
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}
