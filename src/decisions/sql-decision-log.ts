// The decision log in the store's database: the writer, the day partitions and retention, and the reads.

import { ChangeSignal } from "../store/postgres/change-signal.js";
import { RepeatingTask } from "../store/postgres/repeating-task.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { BackgroundFailures } from "../telemetry/background-failures.js";
import type { LogLine } from "../telemetry/logger.js";
import type { DecisionFilter } from "./decision-filter.js";
import type { DecisionLog, DecisionMode, ProofSource } from "./decision-log.js";
import { dayOf, dropDaysBefore } from "./decision-partitions.js";
import type { DecisionProof } from "./decision-proof.js";
import { type DecisionPage, getDecision, listDecisions } from "./decision-queries.js";
import type { Decision, DecisionRecord } from "./decision-record.js";
import {
  type DecisionBatch,
  type DecisionPosition,
  type RecordSelection,
  tailDecisions,
  watchDecisions,
} from "./decision-watch.js";
import { DecisionWriter } from "./decision-writer.js";
import { createRedactor } from "./redaction.js";
import { type VerifyReport, verifyChain } from "./verify-chain.js";
import { DECISIONS_CHANNEL } from "./write-batch.js";

/** DEFAULT_DECISIONS_RETENTION_MS is how long decisions are kept by default: 30 days. */
export const DEFAULT_DECISIONS_RETENTION_MS = 30 * 86_400_000;

/** How often partitions are made ahead and retention runs. */
const MAINTENANCE_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** DecisionSettings configure the log: its mode, how long it keeps records, what it masks. */
export interface DecisionSettings {
  readonly mode: DecisionMode;
  readonly retentionMs: number;
  /** The caveat-context keys to mask. */
  readonly redactKeys: readonly string[];
  /** The HMAC key masking uses (see redaction-secret.ts); needed when redactKeys is not empty. */
  readonly redactionSecret?: Buffer;
}

/** DecisionLogEvents are what the log tells its server: counts for metrics, lines for the log. */
export interface DecisionLogEvents {
  readonly countDecisions: (outcome: "written" | "dropped", count: number) => void;
  readonly log: LogLine;
}

/** DecisionArchive reads the log back: pages, single records, a live stream, the chain's check. */
export interface DecisionArchive {
  list(filter: DecisionFilter, pageSize: number, cursor?: string): Promise<DecisionPage>;
  get(id: string): Promise<DecisionRecord | undefined>;
  watch(filter: DecisionFilter, signal: AbortSignal): AsyncIterable<readonly DecisionRecord[]>;
  verify(since?: Date): Promise<VerifyReport>;
}

/**
 * SqlDecisionLog is the decision log of a SQL store (Postgres or PGlite), sharing its database
 * (whose migrations made the tables). It records through a {@link DecisionWriter} unless its
 * mode is `off`, and reads back whatever the log holds in every mode. Every hour (and at open)
 * it makes today's and tomorrow's partitions and drops those past retention. Close it before
 * the store: it writes what is queued first.
 */
export class SqlDecisionLog implements DecisionLog, DecisionArchive {
  readonly mode: DecisionMode;
  private readonly writer: DecisionWriter | undefined;
  private readonly wake = new ChangeSignal();
  private readonly maintenance: RepeatingTask;
  private listening: Promise<() => Promise<void>> | undefined;

  private constructor(
    private readonly db: SqlExecutor,
    private readonly settings: DecisionSettings,
    private readonly events: DecisionLogEvents,
  ) {
    this.mode = settings.mode;
    if (settings.mode !== "off") {
      const redact = createRedactor(
        settings.redactKeys,
        settings.redactionSecret ?? Buffer.alloc(0),
      );
      this.writer = new DecisionWriter(db, settings.mode, redact, {
        onWritten: (count) => {
          events.countDecisions("written", count);
          this.wake.wake();
        },
        onDropped: (count) => events.countDecisions("dropped", count),
        log: events.log,
      });
    }
    const failures = new BackgroundFailures(events.log);
    this.maintenance = new RepeatingTask(
      () =>
        this.maintain().catch((error: unknown) => {
          failures.report("decision log maintenance", error);
        }),
      MAINTENANCE_MS,
    );
  }

  /**
   * open makes the log on db and runs its first maintenance; it throws a RangeError for
   * redaction keys without a secret.
   */
  static async open(
    db: SqlExecutor,
    settings: DecisionSettings,
    events: DecisionLogEvents,
  ): Promise<SqlDecisionLog> {
    if (settings.redactKeys.length > 0 && settings.redactionSecret === undefined) {
      throw new RangeError("masking caveat-context keys needs a redaction secret");
    }
    const log = new SqlDecisionLog(db, settings, events);
    await log.maintain();
    log.maintenance.start();
    return log;
  }

  /** queued is how many records wait to be written. */
  get queued(): number {
    return this.writer?.queued ?? 0;
  }

  record(decision: Decision, proof?: DecisionProof | ProofSource): Promise<void> | void {
    return this.writer?.record(decision, proof);
  }

  list(filter: DecisionFilter, pageSize: number, cursor?: string): Promise<DecisionPage> {
    return listDecisions(this.db, filter, pageSize, cursor);
  }

  /** get reads a decision; one this replica still holds unwritten is written first. */
  async get(id: string): Promise<DecisionRecord | undefined> {
    await this.writer?.settle(id);
    return getDecision(this.db, id);
  }

  async *watch(
    filter: DecisionFilter,
    signal: AbortSignal,
  ): AsyncIterable<readonly DecisionRecord[]> {
    await this.listen();
    yield* watchDecisions(this.db, this.wake, filter, signal);
  }

  /**
   * tail yields the records after from (from the next batch without it) that meet the SQL
   * conditions of where, with the position each read reached, until signal aborts: what the alert
   * evaluator follows. Records come without their proofs, which no alert rule reads.
   */
  async *tail(
    from: DecisionPosition | undefined,
    where: RecordSelection["conditions"],
    signal: AbortSignal,
  ): AsyncIterable<DecisionBatch> {
    await this.listen();
    yield* tailDecisions(this.db, this.wake, from, { conditions: where }, false, signal);
  }

  verify(since?: Date): Promise<VerifyReport> {
    return verifyChain(this.db, since);
  }

  /**
   * close stops maintenance and writes everything queued (waiting up to graceMs for a database
   * that does not answer), then stops listening. The database stays open: it is the store's.
   */
  async close(graceMs: number): Promise<void> {
    this.maintenance.stop();
    await this.writer?.close(graceMs);
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
  }

  /** listen wakes the readers of this replica on other replicas' batches; failing, they poll. */
  private async listen(): Promise<void> {
    this.listening ??= this.db.listen(DECISIONS_CHANNEL, () => this.wake.wake());
    await this.listening.catch(() => {
      this.listening = undefined;
    });
  }

  /** maintain makes today's and tomorrow's partitions and drops the days past retention. */
  private async maintain(): Promise<void> {
    const now = Date.now();
    if (this.writer !== undefined) await this.writer.prepareDays([dayOf(now), dayOf(now + DAY_MS)]);
    const dropped = await dropDaysBefore(this.db, now - this.settings.retentionMs);
    if (dropped.days.length > 0) {
      this.writer?.forgetDays(dropped.days);
      this.events.log(
        `decision log: dropped the decisions of ${dropped.days.join(", ")} (older than the retention, LATCH_DECISIONS_RETENTION)`,
      );
    }
  }
}
