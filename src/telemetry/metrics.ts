// Prometheus metrics: RPC latency, checks, the cache, the change stream's lag, Redis, the decision log, the pool, the garbage collector.

import type { Code } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DeliveryOutcome } from "../alerts/webhook-sender.js";
import type { CheckWork } from "../engine/check-work.js";
import type { OutcomeKind } from "../engine/outcome.js";
import type { PoolStats } from "../store/postgres/sql-executor.js";
import { gcDurations } from "./gc-metrics.js";

/** RpcCode is a call's status: 0 for OK, else its Connect code. */
export type RpcCode = Code | 0;

/** RpcTimer records one call of a method that started at `startedMs` (performance.now()) and ended with code. */
export type RpcTimer = (code: RpcCode, startedMs: number) => void;

/** LatchMetrics are the metrics one server exports at /metrics. */
export interface LatchMetrics {
  readonly registry: Registry;
  /**
   * rpcTimer is the recorder of a method's calls (latch_rpc_duration_seconds), `method` being
   * `package.Service/Method`; take it once per method, not per call.
   */
  rpcTimer(method: string): RpcTimer;
  /** countCacheLookup counts a sub-problem lookup in the result cache (latch_cache_lookups_total). */
  countCacheLookup(hit: boolean): void;
  /** countCheck counts a check answer, CheckBulk items included (latch_checks_total). */
  countCheck(result: OutcomeKind, servedFromCache: boolean, onBehalfOf: boolean): void;
  /**
   * observeCheckWork records what a Check that the cache did not answer at once cost: the
   * dispatches it evaluated (latch_check_dispatches) and its store queries (latch_check_store_queries).
   */
  observeCheckWork(work: CheckWork): void;
  /** 1 while the shared Redis cache answers, 0 while it does not (absent without Redis). */
  readonly redisUp: Gauge;
  /**
   * observeChangeLag sets how far the change stream is behind the store's head: in revisions and
   * in seconds a committed revision has gone unapplied (latch_change_stream_lag_*).
   */
  observeChangeLag(revisions: number, seconds: number): void;
  /** countDecisions counts decision records written (latch_decisions_written_total) or dropped (latch_decisions_dropped_total). */
  countDecisions(outcome: "written" | "dropped", count: number): void;
  /** countAlert counts an alert a rule raised (latch_alerts_raised_total). */
  countAlert(rule: string): void;
  /**
   * countWebhook counts a webhook delivery's outcome (latch_alert_webhook_deliveries_total):
   * delivered, retried (one per retry), failed (a round of attempts given up), dropped (the queue
   * was full), resent (sent again by a sweep).
   */
  countWebhook(webhook: string, outcome: DeliveryOutcome): void;
  /**
   * setUndeliveredWebhooks sets how many alerts wait for their webhook, as the elected
   * evaluator's last sweep found (latch_alert_webhooks_undelivered).
   */
  setUndeliveredWebhooks(count: number): void;
  /** watchDecisionQueue exports queued() as latch_decisions_queued, read at each scrape. */
  watchDecisionQueue(queued: () => number): void;
  /** watchPool exports the database pool's stats as latch_db_pool_connections, read at each scrape. */
  watchPool(stats: () => PoolStats): void;
}

/**
 * RPC_BUCKETS (seconds) span a cached check answered in the tick (tens of µs) to a slow
 * transaction or long lookup (seconds).
 */
const RPC_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * WORK_BUCKETS (counts) span a check the cache answered below its top (0 or 1) to a walk down a
 * deep hierarchy or a wide fan-out (hundreds).
 */
const WORK_BUCKETS = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377];

/** GRPC_CODE_NAMES are the statuses' names as both ports' clients know them, by number (gRPC's spelling: CANCELLED). */
const GRPC_CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

/** createMetrics makes a registry of its own (never the global one, so that servers in one process stay apart). */
export function createMetrics(): LatchMetrics {
  const registry = new Registry();
  registry.registerMetric(gcDurations());
  const rpcDurations = new Histogram({
    name: "latch_rpc_duration_seconds",
    help: "Calls on both ports, by method and status code; a stream counts once, when it ends.",
    labelNames: ["method", "code"],
    buckets: RPC_BUCKETS,
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: "latch_cache_lookups_total",
    help: "Sub-problem lookups in the result cache, by result (hit or miss).",
    labelNames: ["result"],
    registers: [registry],
  });
  const checks = new Counter({
    name: "latch_checks_total",
    help: "Check answers, by result, by whether the cache served them and by whether an agent acted on someone's behalf.",
    labelNames: ["result", "served_from_cache", "on_behalf_of"],
    registers: [registry],
  });
  // A labelled child is looked up by hashing its labels: each is looked up once and kept, by
  // result, then at (served from cache ? 2 : 0) + (on behalf of ? 1 : 0).
  const checkChildren: Record<OutcomeKind, (Counter.Internal | undefined)[]> = {
    allowed: [],
    denied: [],
    conditional: [],
  };
  const checkDispatches = new Histogram({
    name: "latch_check_dispatches",
    help: "Dispatches each Check evaluated from the store (sub-problems the cache did not answer), for Checks the in-process cache did not answer at once.",
    buckets: WORK_BUCKETS,
    registers: [registry],
  });
  const checkQueries = new Histogram({
    name: "latch_check_store_queries",
    help: "Store queries each Check made, for Checks the in-process cache did not answer at once.",
    buckets: WORK_BUCKETS,
    registers: [registry],
  });
  const lagRevisions = new Gauge({
    name: "latch_change_stream_lag_revisions",
    help: "The store's head revision minus the revision the change stream has applied, read every second.",
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: "latch_change_stream_lag_seconds",
    help: "How long a revision the store committed has gone unapplied by the change stream (0 when caught up).",
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
  const alerts = new Counter({
    name: "latch_alerts_raised_total",
    help: "Alerts raised by the alert rules, by rule.",
    labelNames: ["rule"],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: "latch_alert_webhook_deliveries_total",
    help: "Alert webhook deliveries by webhook and outcome: delivered, retried (each retry), failed (a round of attempts given up), dropped (queue full), resent (sent again by a sweep).",
    labelNames: ["webhook", "outcome"],
    registers: [registry],
  });
  const undelivered = new Gauge({
    name: "latch_alert_webhooks_undelivered",
    help: "Alerts waiting for their webhook, as the elected alert evaluator's last sweep found (at most 10,000).",
    registers: [registry],
  });
  return {
    registry,
    rpcTimer(method) {
      const byCode: Histogram.Internal<"method" | "code">[] = [];
      return (code, startedMs) => {
        let child = byCode[code];
        if (child === undefined) {
          child = rpcDurations.labels({ method, code: GRPC_CODE_NAMES[code] });
          byCode[code] = child;
        }
        child.observe((performance.now() - startedMs) / 1000);
      };
    },
    countCacheLookup: (hit) => cacheLookups.inc({ result: hit ? "hit" : "miss" }),
    countCheck(result, servedFromCache, onBehalfOf) {
      const children = checkChildren[result];
      const slot = (servedFromCache ? 2 : 0) + (onBehalfOf ? 1 : 0);
      let child = children[slot];
      if (child === undefined) {
        child = checks.labels({
          result,
          served_from_cache: String(servedFromCache),
          on_behalf_of: String(onBehalfOf),
        });
        children[slot] = child;
      }
      child.inc();
    },
    observeCheckWork(work) {
      checkDispatches.observe(work.dispatches);
      checkQueries.observe(work.queries);
    },
    redisUp: new Gauge({
      name: "latch_redis_up",
      help: "Whether the shared Redis cache answers (1) or not (0).",
      registers: [registry],
    }),
    observeChangeLag(revisions, seconds) {
      lagRevisions.set(revisions);
      lagSeconds.set(seconds);
    },
    countDecisions: (outcome, count) => decisions[outcome].inc(count),
    countAlert: (rule) => alerts.inc({ rule }),
    countWebhook: (webhook, outcome) => webhooks.inc({ webhook, outcome }),
    setUndeliveredWebhooks: (count) => undelivered.set(count),
    watchDecisionQueue(queued) {
      new Gauge({
        name: "latch_decisions_queued",
        help: "Decision records waiting to be written to the decision log.",
        registers: [registry],
        collect() {
          this.set(queued());
        },
      });
    },
    watchPool(stats) {
      new Gauge({
        name: "latch_db_pool_connections",
        help: "The Postgres pool's connections by state: in_use, idle, and callers waiting for one (waiting).",
        labelNames: ["state"],
        registers: [registry],
        collect() {
          const now = stats();
          this.set({ state: "in_use" }, now.total - now.idle);
          this.set({ state: "idle" }, now.idle);
          this.set({ state: "waiting" }, now.waiting);
        },
      });
    },
  };
}
