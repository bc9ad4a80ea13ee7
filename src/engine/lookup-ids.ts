// Ordering and batching of object ids for lookups: a stable order for results and cursors, bounded reads.

/** QUERY_CHUNK is the most ids one store query of a lookup walk names, to bound each read. */
export const QUERY_CHUNK = 500;

/**
 * CONFIRM_BATCH is how many candidates a lookup confirms with one bulk check: large enough to share
 * reads between them, small enough that a limited page does not check far past its end.
 */
export const CONFIRM_BATCH = 100;

/** compareIds orders ids by UTF-16 code units, the order lookups return results and resume cursors in. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** chunks splits items into consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    slices.push(items.slice(start, start + size));
  return slices;
}

/** setAt returns the set under `key`, adding an empty one first if there is none. */
export function setAt(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
