// Waits for a follower of the change stream to reach a revision, for a while at most.

/**
 * RevisionWaiters are the calls waiting for a change stream's follower to apply a revision: the
 * follower tells it each revision it applied ({@link applied}), and each wait ends when one at
 * or past its own comes, or after its timeout.
 */
export class RevisionWaiters {
  private waiters: { readonly revision: number; readonly resolve: () => void }[] = [];

  /** waitFor resolves true once a revision at or past target is applied, or false after timeoutMs. */
  waitFor(target: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        revision: target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** applied ends the waits for revisions up to at. */
  applied(at: number): void {
    const ready = this.waiters.filter((w) => w.revision <= at);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > at);
    for (const waiter of ready) waiter.resolve();
  }
}
