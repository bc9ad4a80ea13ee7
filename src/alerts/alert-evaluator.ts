// The one evaluator of alert rules across replicas: it holds a lease, follows the decision log, raises alerts.

import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { DecisionBatch, DecisionPosition } from "../decisions/decision-watch.js";
import { recordsWithoutProofs } from "../decisions/stored-proof.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { BackgroundFailures } from "../telemetry/background-failures.js";
import { type Alert, type NewAlert, newAlert } from "./alert.js";
import type { AlertRule, AlertRules } from "./alert-rule.js";
import { insertAlerts, pendingDeliveries } from "./alert-store.js";
import { createFirstUseQuery } from "./first-use.js";
import { ruleConditions } from "./rule-prefilter.js";
import { RuleState } from "./rule-state.js";
import type { WebhookSender } from "./webhook-sender.js";

/** How long a lease lasts unrenewed: another replica takes over this long after its holder dies. */
const LEASE_MS = 5_000;
/** How often the holder renews its lease, and the others try to take it. */
const RENEW_MS = 1_000;
/** The most decisions reread to warm the counts up after a takeover. */
const WARM_UP_LIMIT = 100_000;
/**
 * How often, at most, the position is stored while the reads find nothing the rules could match:
 * a new holder then rereads this much at most, where storing it at each read would cost a
 * transaction per batch any replica commits.
 */
const IDLE_POSITION_MS = 1_000;
/** The most undelivered alerts one sweep sends again, oldest first. */
const PENDING_LIMIT = 10_000;

/** DecisionTail is the decision log as the evaluator follows it: the records where selects. */
export interface DecisionTail {
  tail(
    from: DecisionPosition | undefined,
    where: (params: unknown[]) => string[],
    signal: AbortSignal,
  ): AsyncIterable<DecisionBatch>;
}

/** AlertActions are what an alert does beyond being stored. */
export interface AlertActions {
  readonly webhooks: WebhookSender;
  /** suspend suspends agent, with reason, for forMs (until resumed when undefined). */
  readonly suspend: (agent: string, reason: string, forMs: number | undefined) => Promise<void>;
}

/** EvaluatorEvents are what the evaluator tells its server. */
export interface EvaluatorEvents {
  readonly raised: (rule: string) => void;
  /** undelivered is called at each sweep with how many alerts wait for their webhook (at most 10,000). */
  readonly undelivered: (count: number) => void;
  readonly log: (line: string) => void;
}

/**
 * AlertEvaluator runs the rules on one replica at a time: every replica tries to take the lease
 * in the database every second, and the one holding it follows the decision log from where the
 * last holder stopped (the position is stored in the transaction that stores the alerts a read
 * raised, under a check that the lease is still this replica's). A new holder first rereads the
 * longest count window's decisions to warm its counts. While it holds the lease it sweeps the
 * alerts whose webhook has not taken them (from before, or given up on since) every
 * `sweepMs` of the sender's retry, the first time at once, and sends them again (each after its
 * backoff: see WebhookSender.resend). An alert is stored once per rule, key and window, so a
 * decision read twice across a takeover never raises it twice; its webhook and suspension follow
 * only its first storing.
 */
export class AlertEvaluator {
  private readonly id = randomUUID();
  private readonly stopping = new AbortController();
  private readonly failures: BackgroundFailures;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: SqlExecutor,
    private readonly decisions: DecisionTail,
    private readonly rules: AlertRules,
    private readonly actions: AlertActions,
    private readonly events: EvaluatorEvents,
  ) {
    this.failures = new BackgroundFailures(events.log);
  }

  /** start begins taking part in the election; it returns at once. */
  start(): void {
    this.running ??= this.run();
  }

  /** close stops evaluating and gives the lease up, so that another replica takes over at once. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.db
      .query(
        "UPDATE latch_alert_evaluator SET holder = NULL, lease_until = 'epoch' WHERE holder = $1",
        [this.id],
      )
      .catch(() => {});
  }

  private async run(): Promise<void> {
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      const from = await this.acquire().catch((error: unknown) => {
        this.failures.report("taking the alert evaluator's lease", error);
        return null;
      });
      if (from === null) {
        await delay(RENEW_MS, undefined, { signal: stop }).catch(() => {});
        continue;
      }
      const leading = new AbortController();
      const onStop = () => leading.abort();
      stop.addEventListener("abort", onStop);
      const renewal = setInterval(() => {
        this.renew().then(
          (held) => {
            if (!held) leading.abort();
          },
          (error: unknown) => {
            this.failures.report("renewing the alert evaluator's lease", error);
          },
        );
      }, RENEW_MS);
      try {
        await this.lead(from, leading.signal);
      } catch (error) {
        this.failures.report("evaluating alert rules", error);
        await delay(RENEW_MS, undefined, { signal: stop }).catch(() => {});
      } finally {
        clearInterval(renewal);
        stop.removeEventListener("abort", onStop);
        leading.abort();
      }
    }
  }

  /**
   * acquire takes the lease when it is free, expired or already this replica's, and returns the
   * position to follow from (undefined: the log's head); null when another replica holds it.
   */
  private async acquire(): Promise<{ at?: DecisionPosition; decidedAt?: string } | null> {
    const [row] = await this.db.query(
      `UPDATE latch_alert_evaluator
       SET holder = $1, lease_until = now() + ${LEASE_MS} * interval '1 millisecond'
       WHERE holder IS NULL OR holder = $1 OR lease_until < now()
       RETURNING batch_seq, position, decided_at`,
      [this.id],
    );
    if (row === undefined) return null;
    if (row.batch_seq === null) return {};
    return {
      at: { seq: Number(row.batch_seq), position: Number(row.position) },
      decidedAt: new Date(row.decided_at as string).toISOString(),
    };
  }

  private async renew(): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE latch_alert_evaluator SET lease_until = now() + ${LEASE_MS} * interval '1 millisecond'
       WHERE holder = $1 RETURNING holder`,
      [this.id],
    );
    return rows.length > 0;
  }

  private async lead(
    from: { at?: DecisionPosition; decidedAt?: string },
    signal: AbortSignal,
  ): Promise<void> {
    const state = new RuleState(this.rules.rules, createFirstUseQuery(this.db));
    const matches = this.rules.rules.map((rule) => rule.match);
    const where = (params: unknown[]) => ruleConditions(matches, params);
    if (from.at !== undefined && from.decidedAt !== undefined && state.longestWindowMs > 0) {
      await this.warmUp(state, where, from.at, Date.parse(from.decidedAt) - state.longestWindowMs);
    }
    // The sweep ends with the lead, however it ends (a lost lease, a failed read).
    const led = new AbortController();
    const sweeping = this.sweep(AbortSignal.any([signal, led.signal]));
    try {
      await this.follow(state, where, from, signal);
    } finally {
      led.abort();
      await sweeping;
    }
  }

  /** sweep sends again, every sweepMs until signal aborts, the alerts still undelivered. */
  private async sweep(signal: AbortSignal): Promise<void> {
    const { webhooks } = this.actions;
    while (!signal.aborted) {
      try {
        const pending = await pendingDeliveries(this.db, PENDING_LIMIT);
        this.events.undelivered(pending.length);
        const now = Date.now();
        for (const { alert, webhook } of pending) {
          const target = this.rules.webhooks.get(webhook);
          if (target !== undefined && !signal.aborted) webhooks.resend(alert, target, now);
        }
      } catch (error) {
        this.failures.report("sweeping undelivered alert webhooks", error);
      }
      await delay(webhooks.retry.sweepMs, undefined, { signal }).catch(() => {});
    }
  }

  /**
   * follow evaluates the decisions after from that where selects, storing and acting on the
   * alerts they raise, and storing the position it reached.
   */
  private async follow(
    state: RuleState,
    where: (params: unknown[]) => string[],
    from: { at?: DecisionPosition },
    signal: AbortSignal,
  ): Promise<void> {
    let storedAt = 0;
    for await (const batch of this.decisions.tail(from.at, where, signal)) {
      const now = Date.now();
      if (batch.records.length === 0 && now - storedAt < IDLE_POSITION_MS) continue;
      storedAt = now;
      const raised: { alert: NewAlert; windowStart: number; webhook?: string }[] = [];
      for (const record of batch.records) {
        for (const firing of await state.evaluate(record)) {
          const { webhook } = firing.rule;
          raised.push({
            alert: newAlert(firing),
            windowStart: firing.windowStart,
            ...(webhook === undefined ? {} : { webhook }),
          });
        }
      }
      const stored = await this.db.transaction(async (tx) => {
        const [lease] = await tx.query(
          "SELECT holder FROM latch_alert_evaluator WHERE singleton FOR UPDATE",
        );
        if (lease?.holder !== this.id) return undefined;
        const alerts = await insertAlerts(tx, raised);
        await tx.query(
          // A read that found nothing keeps the time of the last record found, for the warm-up.
          "UPDATE latch_alert_evaluator SET batch_seq = $1, position = $2, decided_at = COALESCE($3::timestamptz, decided_at)",
          [batch.through.seq, batch.through.position, batch.lastAt ?? null],
        );
        return alerts;
      });
      if (stored === undefined) return;
      for (const alert of stored) this.act(alert);
    }
  }

  /**
   * warmUp feeds the counts the decisions where selects from `since` (Unix ms) through `at`,
   * without firing.
   */
  private async warmUp(
    state: RuleState,
    where: (params: unknown[]) => string[],
    at: DecisionPosition,
    since: number,
  ): Promise<void> {
    const params: unknown[] = [new Date(since).toISOString(), at.seq, at.position];
    const rows = await this.db.query(
      `SELECT record::text AS record FROM latch_decisions
       WHERE decided_at >= $1::timestamptz AND (batch_seq, position) <= ($2::bigint, $3::integer)
         AND ${where(params).join(" AND ")}
       ORDER BY batch_seq, position LIMIT ${WARM_UP_LIMIT}`,
      params,
    );
    for (const record of recordsWithoutProofs(rows)) state.remember(record);
  }

  /** act runs the actions of alert's rule: its webhook, its suspension. */
  private act(alert: Alert): void {
    const rule = this.rules.rules.find((r) => r.name === alert.rule) as AlertRule;
    this.events.raised(rule.name);
    const webhook = rule.webhook === undefined ? undefined : this.rules.webhooks.get(rule.webhook);
    if (webhook !== undefined) this.actions.webhooks.send(alert, webhook);
    if (rule.suspend !== undefined) {
      this.actions
        .suspend(alert.agent, `alert ${alert.id}: ${alert.summary}`, rule.suspend.forMs)
        .catch((error: unknown) => {
          this.events.log(
            `alert ${alert.id}: could not suspend ${alert.agent}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
    }
  }
}
