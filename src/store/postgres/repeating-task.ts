// Runs a background task at a fixed interval, never two runs at once, from one unref'd timer.

/**
 * RepeatingTask runs task every intervalMs after start, waiting for each run to settle before
 * timing the next. A failed run is the task's to report (see BackgroundFailures): here the next
 * one tries again. The timer is unref'd, so it never keeps the process alive.
 */
export class RepeatingTask {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  /** start schedules the first run one interval from now. */
  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.run(), this.intervalMs);
    this.timer.unref();
  }

  /** stop cancels the next run for good; a run in progress finishes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    await this.task().catch(() => {});
    this.start();
  }
}
