// Sorts rows by key and drops repeats: the order every query result and delete takes.

import type { Row } from "./row.js";

/**
 * sortUnique sorts rows by key in place and drops repeats (a filter that names an id twice collects
 * its rows twice; one snapshot sees at most one version per key), returning the same array.
 */
export function sortUnique(rows: Row[]): Row[] {
  if (rows.length < 2) return rows;
  rows.sort(compareKeys);
  let kept = 1;
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.key !== rows[kept - 1]!.key) rows[kept++] = row;
  }
  rows.length = kept;
  return rows;
}

function compareKeys(a: Row, b: Row): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
