// The row versions of one `type:id#relation`, kept in key order for the forward walk.

import type { Row } from "./row.js";

/**
 * RowBucket holds every version of the rows of one resource and relation. Rows come in key order,
 * versions of one key in the order they were written; appends out of order are sorted on the next
 * read, so a bulk load sorts once.
 */
export class RowBucket {
  private rows: Row[] = [];
  private sorted = true;

  /** add appends a row version. */
  add(row: Row): void {
    const last = this.rows[this.rows.length - 1];
    if (last !== undefined && row.key < last.key) this.sorted = false;
    this.rows.push(row);
  }

  /** prune removes the row versions dead says are dead and returns how many it removed. */
  prune(dead: (row: Row) => boolean): number {
    const before = this.rows.length;
    this.rows = this.rows.filter((row) => !dead(row));
    return before - this.rows.length;
  }

  /** ordered lists the row versions in key order. */
  ordered(): readonly Row[] {
    if (!this.sorted) {
      // Stable, so versions of one key stay in write order.
      this.rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      this.sorted = true;
    }
    return this.rows;
  }
}

/** firstKeyAfter is the index of the first row of ordered rows whose key sorts after `after`. */
export function firstKeyAfter(rows: readonly Row[], after: string): number {
  return search(rows, (key) => key <= after);
}

/** firstKeyAt is the index of the first row of ordered rows whose key is `key` or sorts after it. */
export function firstKeyAt(rows: readonly Row[], key: string): number {
  return search(rows, (rowKey) => rowKey < key);
}

/** search is the index of the first of ordered rows whose key `before` is false for. */
function search(rows: readonly Row[], before: (key: string) => boolean): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(rows[middle]!.key)) low = middle + 1;
    else high = middle;
  }
  return low;
}
