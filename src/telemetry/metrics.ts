// Prometheus metrics: the cache's hits and misses, checks by result and source, Redis's state, the decision log.

import { Counter, Gauge, Registry } from "prom-client";
import type { OutcomeKind } from "../engine/outcome.js";

/** LatchMetrics are the metrics one server exports at /metrics. */
export interface LatchMetrics {
  readonly registry: Registry;
  /** countCacheLookup counts a sub-problem lookup in the result cache (latch_cache_lookups_total). */
  countCacheLookup(hit: boolean): void;
  /** countCheck counts a check answer, CheckBulk items included (latch_checks_total). */
  countCheck(result: OutcomeKind, servedFromCache: boolean): void;
  /** 1 while the shared Redis cache answers, 0 while it does not (absent without Redis). */
  readonly redisUp: Gauge;
  /** countDecisions counts decision records written (latch_decisions_written_total) or dropped (latch_decisions_dropped_total). */
  countDecisions(outcome: "written" | "dropped", count: number): void;
}

/** createMetrics makes a registry of its own (never the global one, so that servers in one process stay apart). */
export function createMetrics(): LatchMetrics {
  const registry = new Registry();
  const cacheLookups = new Counter({
    name: "latch_cache_lookups_total",
    help: "Sub-problem lookups in the result cache, by result (hit or miss).",
    labelNames: ["result"],
    registers: [registry],
  });
  const checks = new Counter({
    name: "latch_checks_total",
    help: "Check answers, by result and by whether the cache served them.",
    labelNames: ["result", "served_from_cache"],
    registers: [registry],
  });
  const decisions = {
    written: new Counter({
      name: "latch_decisions_written_total",
      help: "Decision records committed to the decision log.",
      registers: [registry],
    }),
    dropped: new Counter({
      name: "latch_decisions_dropped_total",
      help: "Decision records lost: the log's queue was full, or the database did not answer before shutdown.",
      registers: [registry],
    }),
  };
  return {
    registry,
    countCacheLookup: (hit) => cacheLookups.inc({ result: hit ? "hit" : "miss" }),
    countCheck: (result, servedFromCache) =>
      checks.inc({ result, served_from_cache: String(servedFromCache) }),
    redisUp: new Gauge({
      name: "latch_redis_up",
      help: "Whether the shared Redis cache answers (1) or not (0).",
      registers: [registry],
    }),
    countDecisions: (outcome, count) => decisions[outcome].inc(count),
  };
}
