// The batching writer: decisions queue in memory and are committed in batches, off the request path.

import { setTimeout as delay } from "node:timers/promises";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { StoreUnavailableError } from "../store/store.js";
import type { LogLine } from "../telemetry/logger.js";
import {
  type DecisionLog,
  DecisionLogError,
  type DecisionMode,
  type ProofSource,
} from "./decision-log.js";
import { createDayPartitions, type Day, dayOf } from "./decision-partitions.js";
import type { DecisionProof } from "./decision-proof.js";
import type { Decision } from "./decision-record.js";
import { type Redactor, recordParts } from "./redaction.js";
import type { StoredProof } from "./stored-proof.js";
import {
  batchCommitted,
  type PreparedRecord,
  prepareRecord,
  type RecordColumns,
  writeBatch,
} from "./write-batch.js";

/** FLUSH_INTERVAL_MS is the longest an `async` record waits in the queue while the writer is idle. */
export const FLUSH_INTERVAL_MS = 100;
/** MAX_BATCH is the most records one batch (one transaction) holds. */
export const MAX_BATCH = 2000;
/** MAX_QUEUE is the most records waiting; past it `async` drops and `sync` refuses. */
export const MAX_QUEUE = 100_000;

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

/** WriterEvents are what the writer tells the server: counts for metrics, lines for the log, commits for watchers. */
export interface WriterEvents {
  readonly onWritten: (count: number, seq: number) => void;
  readonly onDropped: (count: number) => void;
  readonly log: LogLine;
}

/**
 * Entry is a queued decision: its record ready to write (as bytes) as soon as its proof is known
 * (at once, for most), so that what waits for the batch is a buffer rather than the objects and
 * strings it was made of.
 */
interface Entry {
  readonly decisionId: string;
  readonly time: string;
  prepared?: PreparedRecord;
  /** Until the record is prepared: the decision, and where its proof comes from. */
  pending?: { readonly decision: Decision; readonly prove: ProofSource };
  readonly waiter?: { resolve(): void; reject(error: Error): void };
}

/**
 * DecisionWriter is the decision log on a SQL database. Records wait in a bounded queue and are
 * written by one loop, a batch (up to MAX_BATCH records of one UTC day) per transaction:
 *
 * - `async`: the loop starts FLUSH_INTERVAL_MS after the first record queued while it was idle, at
 *   once when a full batch is waiting, and writes until the queue is empty;
 * - `sync`: the loop starts at once; records that arrive while a batch commits form the next one
 *   (group commit), and each caller's promise resolves when its batch has committed.
 *
 * A batch that fails is retried, with backoff, until it commits: a database that restarts or an
 * ended connection only delays records (the pool connects anew). A retry first asks whether the
 * failed attempt committed after all (the connection was lost during COMMIT), so that no batch is
 * written twice. The outage is logged when it starts and when it ends.
 */
export class DecisionWriter implements DecisionLog {
  private queue: Entry[] = [];
  /** The batch being proven and written. */
  private inFlight: readonly Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** When retries stop: never, until close sets its grace period's end. */
  private deadline = Number.POSITIVE_INFINITY;
  /** Records dropped since the queue last had room, for the one log line an overflow gets. */
  private dropping = 0;
  /**
   * The days known to have partitions, each with a token of its partitions: made anew when they
   * are made again (after retention dropped them), so that proofs are then written again.
   */
  private readonly days = new Map<Day, object>();
  /**
   * The day partitions each shared proof was committed to by this writer, by the token of the
   * last: kept as long as the proof is (the proof cache bounds them), so that a proof is written
   * once a day, not once a batch.
   */
  private readonly proofsWritten = new WeakMap<StoredProof, object>();

  constructor(
    private readonly db: SqlExecutor,
    readonly mode: Exclude<DecisionMode, "off">,
    private readonly redact: Redactor,
    private readonly events: WriterEvents,
  ) {}

  /** queued is how many records wait to be written. */
  get queued(): number {
    return this.queue.length;
  }

  record(decision: Decision, proof?: DecisionProof | ProofSource): Promise<void> | void {
    if (this.closed || this.queue.length >= MAX_QUEUE) return this.refuse(decision);
    const { decisionId, time } = decision;
    const entry: Entry =
      typeof proof === "function"
        ? { decisionId, time, pending: { decision, prove: proof } }
        : { decisionId, time, prepared: this.prepare(decision, proof) };
    if (this.mode === "async") {
      this.queue.push(entry);
      this.schedule();
      return;
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...entry, waiter: { resolve, reject } });
      this.schedule();
    });
  }

  /**
   * prepare makes a decision's record: masked, as text, with its columns. A proof that came inside
   * the decision is taken out of it, so that it too is stored once for the records it proves.
   */
  private prepare(decision: Decision, proof: DecisionProof | undefined): PreparedRecord {
    if (decision.proof !== undefined) {
      const { proof: inside, ...proven } = decision;
      return this.prepare(proven, proof ?? inside);
    }
    const redacted = this.redact(decision, proof);
    return prepareRecord(recordColumns(redacted.decision), recordParts(redacted));
  }

  /**
   * settle waits until the decision with the given id, if this writer holds it (queued or being
   * written), has been written or given up, writing it now rather than at the next interval: a
   * caller that reads a decision it was just told about finds it.
   */
  async settle(decisionId: string): Promise<void> {
    const holds = (entries: readonly Entry[]) => entries.some((e) => e.decisionId === decisionId);
    while (!this.closed && (holds(this.queue) || holds(this.inFlight))) {
      if (this.writing === undefined) this.startWriting(true);
      await this.writing;
    }
  }

  /** prepareDays makes the partitions for the given days ahead of the records that need them. */
  async prepareDays(days: readonly Day[]): Promise<void> {
    await createDayPartitions(this.db, days);
    for (const day of days) if (!this.days.has(day)) this.days.set(day, {});
  }

  /** forgetDays drops days from those known to have partitions, after retention dropped them. */
  forgetDays(days: readonly Day[]): void {
    for (const day of days) this.days.delete(day);
  }

  /**
   * close writes everything queued and stops taking records. While the database does not answer
   * it keeps trying for up to graceMs, then gives up on what is left: said in one log line, and
   * each `sync` caller still waiting is refused.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    this.deadline = Date.now() + graceMs;
    clearTimeout(this.timer);
    while (this.writing !== undefined || (this.queue.length > 0 && Date.now() < this.deadline)) {
      if (this.writing === undefined) this.startWriting();
      await this.writing;
    }
    const left = this.queue.splice(0);
    if (left.length > 0) {
      this.events.log(
        `decision log: ${left.length} decisions could not be written before shutdown (the database did not answer for ${graceMs} ms)`,
        "error",
      );
      this.events.onDropped(left.length);
      for (const entry of left) {
        entry.waiter?.reject(new DecisionLogError("the server is shutting down"));
      }
    }
  }

  private refuse(decision: Decision): Promise<void> | void {
    this.events.onDropped(1);
    if (this.dropping++ === 0 && !this.closed) {
      this.events.log(
        `decision log: the queue is full (${MAX_QUEUE} decisions wait to be written); decisions are dropped until the writer catches up, counted by latch_decisions_dropped_total`,
        "error",
      );
    }
    if (this.mode === "sync") {
      const why = this.closed
        ? `decision ${decision.decisionId} cannot be recorded: the decision log is closed`
        : `decision ${decision.decisionId} cannot be recorded: the decision log's queue is full`;
      return Promise.reject(new DecisionLogError(why));
    }
  }

  private schedule(): void {
    if (this.writing !== undefined) return;
    if (this.mode === "sync" || this.queue.length >= MAX_BATCH) {
      this.startWriting();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.startWriting();
      }, FLUSH_INTERVAL_MS);
    }
  }

  private startWriting(eager = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.drain(eager).finally(() => {
      this.writing = undefined;
      if (this.dropping > 0 && this.queue.length < MAX_QUEUE / 2) {
        this.events.log(`decision log: writing again; ${this.dropping} decisions were dropped`);
        this.dropping = 0;
      }
      if (this.queue.length > 0 && !this.closed) this.schedule();
    });
  }

  /**
   * drain writes what is queued, a batch at a time. In async mode, once the first batch is
   * written, it goes on only while full batches wait (unless eager: someone waits for a record):
   * the rest waits for the next interval, so that a light load still makes few, larger
   * transactions.
   */
  private async drain(eager: boolean): Promise<void> {
    let first = true;
    while (this.queue.length > 0) {
      const waitForMore =
        this.mode === "async" && !first && !eager && !this.closed && this.queue.length < MAX_BATCH;
      if (waitForMore) return;
      first = false;
      const batch = this.takeBatch();
      this.inFlight = batch.entries;
      const committed = await this.commit(batch);
      this.inFlight = [];
      if (!committed) {
        this.queue.unshift(...batch.entries);
        return;
      }
      for (const entry of batch.entries) entry.waiter?.resolve();
    }
  }

  /**
   * prepareAll prepares the entries still waiting for their proof. A StoreUnavailableError leaves
   * those not yet proven for the retry; any other failure is the proof's own account of why it
   * is missing.
   */
  private async prepareAll(entries: readonly Entry[]): Promise<void> {
    // Most records were prepared when they came: a promise each for those would be waste.
    const waiting = entries.filter((entry) => entry.pending !== undefined);
    if (waiting.length === 0) return;
    const proving = waiting.map(async (entry) => {
      const pending = entry.pending!;
      let proof: DecisionProof;
      try {
        proof = await pending.prove();
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        proof = { unavailable: error instanceof Error ? error.message : String(error) };
      }
      entry.prepared = this.prepare(pending.decision, proof);
      delete entry.pending;
    });
    const failed = (await Promise.allSettled(proving)).find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** takeBatch takes the oldest records, up to MAX_BATCH, all of the first one's day. */
  private takeBatch(): { entries: Entry[]; day: Day } {
    const first = this.queue[0]!.time;
    // A record's time is RFC 3339 in UTC: its day is its first ten characters.
    const date = first.slice(0, 10);
    let count = 0;
    while (
      count < this.queue.length &&
      count < MAX_BATCH &&
      this.queue[count]!.time.startsWith(date)
    ) {
      count++;
    }
    const day = dayOf(Date.parse(first));
    return { entries: this.queue.splice(0, count), day };
  }

  /**
   * commit proves and writes a batch, retrying until it commits (true) or close's grace period
   * ends (false). A proof the store cannot make yet (it does not answer) is retried with the write.
   */
  private async commit(batch: { entries: Entry[]; day: Day }): Promise<boolean> {
    let wait = FIRST_RETRY_MS;
    let failing: { since: number; reason: string } | undefined;
    let uncertain = false;
    let records: PreparedRecord[] | undefined;
    for (;;) {
      try {
        if (!this.days.has(batch.day)) await this.prepareDays([batch.day]);
        await this.prepareAll(batch.entries);
        records ??= batch.entries.map((e) => e.prepared!);
        const partitions = this.days.get(batch.day)!;
        const proofs = this.unwrittenProofs(records, partitions);
        const seq =
          uncertain && (await batchCommitted(this.db, records[0]!))
            ? undefined
            : await writeBatch(this.db, batch.day, records, proofs);
        for (const proof of proofs) this.proofsWritten.set(proof, partitions);
        if (failing !== undefined) {
          const seconds = ((Date.now() - failing.since) / 1000).toFixed(1);
          this.events.log(`decision log: writing again after ${seconds} s`);
        }
        this.events.onWritten(records.length, seq ?? 0);
        return true;
      } catch (error) {
        // Past the first statement, a lost connection leaves unknown whether COMMIT got through.
        uncertain = true;
        const reason = error instanceof StoreUnavailableError ? error.detail : String(error);
        if (failing === undefined || failing.reason !== reason) {
          this.events.log(
            `decision log: cannot write ${batch.entries.length} decisions (${reason}); retrying`,
            "warn",
          );
          failing = { since: failing?.since ?? Date.now(), reason };
        }
      }
      if (Date.now() + wait > this.deadline) return false;
      await delay(wait);
      wait = Math.min(wait * 2, MAX_RETRY_MS);
    }
  }

  /** unwrittenProofs are the distinct proofs records refer to that this writer did not commit to partitions. */
  private unwrittenProofs(records: readonly PreparedRecord[], partitions: object): StoredProof[] {
    const proofs = new Set<StoredProof>();
    for (const { proof } of records) {
      if (proof !== undefined && this.proofsWritten.get(proof) !== partitions) proofs.add(proof);
    }
    return [...proofs];
  }
}

/** recordColumns are the columns of a decision's row that filters read, copied from its record. */
export function recordColumns(decision: Decision): RecordColumns {
  return {
    decidedAt: decision.time,
    decisionId: decision.decisionId,
    kind: decision.kind,
    apiKey: decision.apiKey ?? null,
    subject: decision.subject,
    actors: decision.actors,
    resource: decision.resource,
    permission: decision.permission,
    result: decision.result ?? null,
  };
}
