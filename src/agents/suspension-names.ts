// The names of Latch's built-in suspension definition, caveat and relation, and the prefix they reserve.

/** RESERVED_PREFIX starts every name Latch defines itself; user schemas and writes may not use it. */
export const RESERVED_PREFIX = "latch/";

/** SUSPENSION_DEFINITION is the built-in definition whose one object holds every suspension. */
export const SUSPENSION_DEFINITION = "latch/suspension";

/** SUSPENSION_OBJECT_ID is the id of that one object: `latch/suspension:all`. */
export const SUSPENSION_OBJECT_ID = "all";

/** SUSPENDED_RELATION holds the suspended subjects: `latch/suspension:all#suspended@agent:bot`. */
export const SUSPENDED_RELATION = "suspended";

/**
 * SUSPENSION_NOTE_CAVEAT is the caveat every suspension is written with. Its expression is `true`:
 * it never limits the suspension, it carries who suspended, why and when in the relationship's
 * caveat context.
 */
export const SUSPENSION_NOTE_CAVEAT = "latch/suspension_note";

/**
 * SuspensionNote is the caveat context of a suspension, as written: `suspended_by` is the API
 * key's name (or "development" when the server has no key), `suspended_at` RFC 3339.
 */
export type SuspensionNote = Readonly<Record<"reason" | "suspended_by" | "suspended_at", string>>;

/** isReservedName says whether a definition or caveat name is Latch's own. */
export function isReservedName(name: string): boolean {
  return name.startsWith(RESERVED_PREFIX);
}
