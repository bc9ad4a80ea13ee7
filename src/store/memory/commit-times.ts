// When each revision of the memory store committed, so that garbage collection finds its cutoff.

/**
 * CommitTimes records the commit time of each revision, in revision order, and answers which
 * revision was the newest at a moment.
 */
export class CommitTimes {
  private readonly revisions: number[] = [];
  private readonly times: number[] = [];

  /** add records that revision committed at atMs; revisions and times come in increasing order. */
  add(revision: number, atMs: number): void {
    this.revisions.push(revision);
    this.times.push(atMs);
  }

  /** newestAtOrBefore is the newest revision committed at or before atMs, if any is recorded. */
  newestAtOrBefore(atMs: number): number | undefined {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.times[middle]! <= atMs) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : this.revisions[low - 1];
  }

  /** dropBefore forgets the revisions older than revision. */
  dropBefore(revision: number): void {
    let count = 0;
    while (count < this.revisions.length && this.revisions[count]! < revision) count++;
    this.revisions.splice(0, count);
    this.times.splice(0, count);
  }
}
