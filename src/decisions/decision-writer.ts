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
import { batchCommitted, type PreparedRecord, prepareRecord, writeBatch } from "./write-batch.js";

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

/** Waiter is a `sync` caller waiting for its record's batch to commit. */
interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Entry is a queued decision and its proof, or where its proof comes from: its record is made
 * when its batch is written, with the others of the batch, one after the other. Made as each
 * decision came, between the rest of each request's work, the same records cost a server several
 * times as much as in a loop over a batch, with their code and data at hand (measured on a hot
 * check with the log on: 9% less server CPU per check, though the decisions wait as objects).
 * A class: one shape for every entry.
 */
class Entry {
  /** The record, once made. */
  prepared: PreparedRecord | undefined = undefined;

  constructor(
    readonly decision: Decision,
    readonly proof: DecisionProof | ProofSource | undefined,
    readonly waiter: Waiter | undefined,
  ) {}
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
    if (this.mode === "async") {
      this.queue.push(new Entry(decision, proof, undefined));
      this.schedule();
      return;
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push(new Entry(decision, proof, { resolve, reject }));
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
    return prepareRecord(recordParts(this.redact(decision, proof)));
  }

  /**
   * settle waits until the decision with the given id, if this writer holds it (queued or being
   * written), has been written or given up, writing it now rather than at the next interval: a
   * caller that reads a decision it was just told about finds it.
   */
  async settle(decisionId: string): Promise<void> {
    const holds = (entries: readonly Entry[]) =>
      entries.some((e) => e.decision.decisionId === decisionId);
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
   * prepareAll makes the records of the entries not yet made: at once those whose proof came with
   * them (most), then those whose proof is made now. A StoreUnavailableError leaves those not yet
   * proven for the retry; any other failure is the proof's own account of why it is missing.
   */
  private async prepareAll(entries: readonly Entry[]): Promise<void> {
    const proving: Promise<void>[] = [];
    for (const entry of entries) {
      if (entry.prepared !== undefined) continue;
      const { decision, proof } = entry;
      if (typeof proof !== "function") {
        entry.prepared = this.prepare(decision, proof);
        continue;
      }
      // A promise only for those that wait for their proof: one for each record would be waste.
      proving.push(
        proof().then(
          (made) => {
            entry.prepared = this.prepare(decision, made);
          },
          (error: unknown) => {
            if (error instanceof StoreUnavailableError) throw error;
            const why = error instanceof Error ? error.message : String(error);
            entry.prepared = this.prepare(decision, { unavailable: why });
          },
        ),
      );
    }
    if (proving.length === 0) return;
    const failed = (await Promise.allSettled(proving)).find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** takeBatch takes the oldest records, up to MAX_BATCH, all of the first one's day. */
  private takeBatch(): { entries: Entry[]; day: Day } {
    const first = this.queue[0]!.decision.time;
    // A record's time is RFC 3339 in UTC: its day is its first ten characters.
    const date = first.slice(0, 10);
    let count = 0;
    while (
      count < this.queue.length &&
      count < MAX_BATCH &&
      this.queue[count]!.decision.time.startsWith(date)
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
