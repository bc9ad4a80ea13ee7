// Prometheus metrics: the cache's hits and misses, checks by result and source, Redis's state.

import { Counter, Gauge, Registry } from "prom-client";

/** LatchMetrics are the metrics one server exports at /metrics. */
export interface LatchMetrics {
  readonly registry: Registry;
  /** Sub-problem lookups in the result cache, by `result` (hit, miss). */
  readonly cacheLookups: Counter<"result">;
  /** Check answers (CheckBulk items included), by `result` and `served_from_cache`. */
  readonly checks: Counter<"result" | "served_from_cache">;
  /** 1 while the shared Redis cache answers, 0 while it does not (absent without Redis). */
  readonly redisUp: Gauge;
}

/** createMetrics makes a registry of its own (never the global one, so that servers in one process stay apart). */
export function createMetrics(): LatchMetrics {
  const registry = new Registry();
  return {
    registry,
    cacheLookups: new Counter({
      name: "latch_cache_lookups_total",
      help: "Sub-problem lookups in the result cache, by result (hit or miss).",
      labelNames: ["result"],
      registers: [registry],
    }),
    checks: new Counter({
      name: "latch_checks_total",
      help: "Check answers, by result and by whether the cache served them.",
      labelNames: ["result", "served_from_cache"],
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: "latch_redis_up",
      help: "Whether the shared Redis cache answers (1) or not (0).",
      registers: [registry],
    }),
  };
}
