// Revisions: the position of a write in the store's total order; every read happens at one.

/**
 * Revision is the number of a write transaction: each write gets the next one, so a read at R
 * sees exactly the writes numbered 1..R. Revision 0 is the empty store.
 */
export type Revision = number & { readonly __brand: "Revision" };

/** revision makes a Revision from a non-negative safe integer. */
export function revision(value: number): Revision {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid revision ${value}`);
  return value as Revision;
}
