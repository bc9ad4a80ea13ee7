// The alerts read back for the API: pages, acknowledgement, and a live stream woken by NOTIFY.

import { ChangeSignal } from "../store/postgres/change-signal.js";
import { RetryDelay } from "../store/postgres/retry-delay.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { StoreUnavailableError } from "../store/store.js";
import type { Alert } from "./alert.js";
import {
  ALERTS_CHANNEL,
  type AlertFilter,
  type AlertPage,
  acknowledgeAlert,
  alertsAfter,
  lastAlertId,
  listAlerts,
} from "./alert-store.js";

/** How long a caught-up watch waits for a wake-up before it reads anyway (a lost notification). */
const POLL_MS = 1000;
const READ_LIMIT = 1000;

/**
 * AlertArchive reads and acknowledges the alerts of the store's database, on any replica: the
 * alerts are raised by whichever replica evaluates, and every replica lists and streams them.
 */
export class AlertArchive {
  private readonly wake = new ChangeSignal();
  private listening: Promise<() => Promise<void>> | undefined;

  constructor(private readonly db: SqlExecutor) {}

  list(filter: AlertFilter, pageSize: number, cursor?: string): Promise<AlertPage> {
    return listAlerts(this.db, filter, pageSize, cursor);
  }

  acknowledge(id: string, by: string, note: string): Promise<Alert> {
    return acknowledgeAlert(this.db, id, by, note);
  }

  /**
   * watch yields the alerts matching filter raised after the alert `afterId` (after the newest
   * when undefined), oldest first, until signal aborts; a database that does not answer only
   * delays it.
   */
  async *watch(
    filter: AlertFilter,
    afterId: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<Alert> {
    this.listening ??= this.db.listen(ALERTS_CHANNEL, () => this.wake.wake());
    await this.listening.catch(() => {
      this.listening = undefined;
    });
    const retry = new RetryDelay();
    let after = afterId;
    while (!signal.aborted) {
      const generation = this.wake.generation;
      let alerts: Alert[];
      try {
        after ??= await lastAlertId(this.db);
        alerts = await alertsAfter(this.db, filter, after, READ_LIMIT);
        retry.reset();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        await retry.wait(signal);
        continue;
      }
      yield* alerts;
      after = alerts[alerts.length - 1]?.id ?? after;
      if (alerts.length < READ_LIMIT) await this.wake.wait(generation, signal, POLL_MS);
    }
  }

  /** close stops listening; the database stays open: it is the store's. */
  async close(): Promise<void> {
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
  }
}
