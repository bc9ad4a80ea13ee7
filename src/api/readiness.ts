// Whether the store answers: one view for /readyz, gRPC health and the log of the store's outages.

import { setTimeout as delay } from "node:timers/promises";
import type { ChangeLag } from "../cache/change-tracker.js";
import { type Head, StoreUnavailableError } from "../store/store.js";
import type { LogLine } from "../telemetry/logger.js";

/** How often the store is probed while it does not answer, to notice that it is back. */
const RECOVERY_PROBE_MS = 1000;

/** ReadinessOptions configure a {@link Readiness}. */
export interface ReadinessOptions {
  /** Asks the store for its head; rejects when the store cannot answer. */
  readonly probe: () => Promise<Head>;
  /** Called each time readiness changes, with the new value. */
  readonly onChange: (ready: boolean) => void;
  /** Writes one line to the server's log. */
  readonly log: LogLine;
}

/** ProbeResult is what one probe of the store found: its head, or why it did not answer. */
export type ProbeResult =
  | { readonly ok: true; readonly head: Head }
  | { readonly ok: false; readonly error: unknown };

/**
 * Readiness tracks whether the store answers. It turns unready at the first call that could not
 * reach the database ({@link noteFailure}) or at a failed probe, logging one line with the cause;
 * while unready it probes the store every second, and the first probe that succeeds makes it ready
 * again, logging one line with how long the outage lasted. Concurrent probes share one query.
 */
export class Readiness {
  private outage: { readonly since: number } | undefined;
  private lag: ChangeLag | undefined;
  /** Counts the failures noted, so that a probe begun before one cannot end the outage it began. */
  private failures = 0;
  private probing: Promise<ProbeResult> | undefined;
  private recovering = false;
  private readonly closing = new AbortController();

  constructor(private readonly options: ReadinessOptions) {}

  /** ready is whether the store answered last, the change stream keeps up, and the server is not closing. */
  get ready(): boolean {
    return this.outage === undefined && this.lag === undefined && !this.closing.signal.aborted;
  }

  /**
   * noteLag hears how far the change stream lags (see ChangeTracker.observeHead): while a
   * committed revision goes unapplied for too long the server is not ready, logging one line when
   * that begins and one when it ends.
   */
  noteLag(lag: ChangeLag | undefined): void {
    const was = this.lag;
    this.lag = lag;
    if (this.closing.signal.aborted || (lag === undefined) === (was === undefined)) return;
    if (lag !== undefined) {
      const seconds = (lag.forMs / 1000).toFixed(1);
      this.options.log(
        `the change stream lags: revision ${lag.revision} was committed ${seconds} s ago and is not applied (applied: ${lag.applied}); minimize_latency reads the store's head without the cache, and /readyz and health say not ready until it catches up`,
        "error",
      );
    } else {
      this.options.log(
        "the change stream caught up; minimize_latency reads through the cache again",
      );
    }
    this.options.onChange(this.ready);
  }

  /** noteFailure hears of a call's failure: one that could not reach the database begins an outage. */
  noteFailure(error: unknown): void {
    if (error instanceof StoreUnavailableError) this.fail(error);
  }

  /** probe asks the store for its head, joining a probe in flight, and updates readiness. */
  probe(): Promise<ProbeResult> {
    if (this.probing !== undefined) return this.probing;
    const failures = this.failures;
    const probing = this.options.probe().then(
      (head): ProbeResult => {
        if (this.failures === failures) this.recover();
        return { ok: true, head };
      },
      (error: unknown): ProbeResult => {
        this.fail(error);
        return { ok: false, error };
      },
    );
    this.probing = probing.finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** close makes readiness false for good (the server is stopping) and stops probing. */
  close(): void {
    this.closing.abort();
  }

  private fail(cause: unknown): void {
    this.failures++;
    if (this.closing.signal.aborted || this.outage !== undefined) return;
    this.outage = { since: Date.now() };
    this.options.log(
      `store unreachable: ${describeCause(cause)}; answering UNAVAILABLE and health NOT_SERVING until it answers`,
      "error",
    );
    this.options.onChange(false);
    void this.probeUntilRecovered();
  }

  private recover(): void {
    const outage = this.outage;
    if (this.closing.signal.aborted || outage === undefined) return;
    this.outage = undefined;
    const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
    this.options.log(`store reachable again after ${seconds} s; health SERVING`);
    this.options.onChange(this.ready);
  }

  /** probeUntilRecovered probes every RECOVERY_PROBE_MS while the outage lasts; one loop at a time. */
  private async probeUntilRecovered(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    const { signal } = this.closing;
    while (this.outage !== undefined && !signal.aborted) {
      // Unref'd: an outage does not keep the process alive; close ends the wait.
      await delay(RECOVERY_PROBE_MS, undefined, { ref: false, signal }).catch(() => {});
      if (!signal.aborted) await this.probe();
    }
    this.recovering = false;
  }
}

/** describeCause is the outage's cause for the log: what happened, and the driver's own words. */
function describeCause(cause: unknown): string {
  if (cause instanceof StoreUnavailableError) return cause.detail;
  return cause instanceof Error ? cause.message : String(cause);
}
