// Runs a task when the earliest pending expiry comes due, from one unref'd timer.

/** setTimeout's longest delay; a later expiry is reached by re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * ExpiryTimer calls fire once the earliest time it was armed for has passed, `lag()` ms after it.
 * fire resolves to the next time to arm for (undefined for none). The timer is unref'd, so it
 * never keeps the process alive, and a failed fire is retried after retryMs.
 */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedForMs = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly fire: () => Promise<number | undefined>,
    private readonly retryMs: number,
    private readonly lag: () => number,
  ) {}

  /** arm makes the timer fire at atMs, unless it is already armed for an earlier time. */
  arm(atMs: number | undefined): void {
    if (this.closed || atMs === undefined || atMs >= this.armedForMs) return;
    clearTimeout(this.timer);
    this.armedForMs = atMs;
    const delay = Math.min(Math.max(atMs - Date.now(), 0) + this.lag(), MAX_DELAY_MS);
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  /** close stops the timer for good. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    const armedFor = this.armedForMs;
    this.timer = undefined;
    this.armedForMs = Number.POSITIVE_INFINITY;
    if (armedFor > Date.now()) {
      // Fired early (a delay past MAX_DELAY_MS, or timer rounding): wait the rest.
      this.arm(armedFor);
      return;
    }
    let next: number | undefined;
    try {
      next = await this.fire();
    } catch {
      next = Date.now() + this.retryMs;
    }
    this.arm(next);
  }
}
