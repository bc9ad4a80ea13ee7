// Things a page knows by id (requests, alerts), kept current by each one the server sends again.

/** ById is what a page knows, by id; a newer copy replaces the one of the same id. */
export type ById<T extends { readonly id: string }> = ReadonlyMap<string, T>;

/** withItems is known with items added or replaced (a listing, or one streamed change). */
export function withItems<T extends { readonly id: string }>(
  known: ById<T>,
  items: readonly T[],
): ById<T> {
  const next = new Map(known);
  for (const item of items) next.set(item.id, item);
  return next;
}
