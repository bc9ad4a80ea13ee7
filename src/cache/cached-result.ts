// One cached sub-problem result: the answer, when it was computed, and what it read.

import type { OutcomeKind } from "../engine/outcome.js";

/**
 * CachedResult is the answer to "does the subject have this permission or relation on this
 * object", computed at revision `computedAt` from the sets `reads` (`type:id#relation`, or
 * relationship keys for a relation read by subject). It stays exact while none of those sets
 * changes, and until `validUntil` (epoch ms), when a relationship it relied on expires or the
 * second whose time it used as `now` ends; and from `validFrom` (epoch ms), the time it was
 * evaluated at, which for a result computed ahead of an expiry is still to come. It answers only
 * a walk with at least `depthRequired` levels left: with fewer, computing it would fail with the
 * depth limit. A denial keeps whether a caveat evaluating false decided it (`conditionFalse`),
 * which names its reason.
 */
export interface CachedResult {
  readonly kind: OutcomeKind;
  readonly missing: readonly string[];
  readonly conditionFalse: boolean;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly computedAt: number;
  readonly depthRequired: number;
  readonly reads: readonly string[];
}

/** encodeCachedResult writes a result for Redis: JSON, with Infinity as null. */
export function encodeCachedResult(result: CachedResult): string {
  return JSON.stringify([
    result.kind,
    result.missing,
    Number.isFinite(result.validUntil) ? result.validUntil : null,
    result.computedAt,
    result.reads,
    result.validFrom,
    result.depthRequired,
    result.conditionFalse ? 1 : 0,
  ]);
}

const KINDS: ReadonlySet<string> = new Set(["allowed", "denied", "conditional"]);

/**
 * decodeCachedResult reads what {@link encodeCachedResult} wrote, or returns undefined for
 * anything else (another version's format, a corrupted value): a miss, never a wrong answer.
 */
export function decodeCachedResult(text: string): CachedResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 8) return undefined;
  const [kind, missing, validUntil, computedAt, reads, validFrom, depthRequired, conditionFalse] =
    value as unknown[];
  if (typeof kind !== "string" || !KINDS.has(kind)) return undefined;
  if (!isStringArray(missing) || !isStringArray(reads)) return undefined;
  if (validUntil !== null && typeof validUntil !== "number") return undefined;
  if (typeof computedAt !== "number" || !Number.isSafeInteger(computedAt)) return undefined;
  if (typeof validFrom !== "number") return undefined;
  if (typeof depthRequired !== "number" || !Number.isSafeInteger(depthRequired)) return undefined;
  if (conditionFalse !== 0 && conditionFalse !== 1) return undefined;
  return {
    kind: kind as OutcomeKind,
    // As outcomes hold them: only a conditional one names parameters, each once, sorted; only a
    // denied one can be decided by a false caveat.
    missing: kind === "conditional" ? [...new Set(missing)].sort() : [],
    conditionFalse: kind === "denied" && conditionFalse === 1,
    validFrom,
    validUntil: validUntil ?? Number.POSITIVE_INFINITY,
    computedAt,
    depthRequired,
    reads,
  };
}

/**
 * The heap an entry takes besides its strings' characters: its slot in the LRU (a map entry and
 * list slots, about 100 bytes), the result with its arrays and boxed numbers (about 140), and the
 * headers of its key, which V8 keeps as a rope of the pieces it was concatenated from (20 bytes a
 * piece). Measured on Node 20: about 580 bytes for an entry with a 41-character key and one read
 * set of 24 characters, 620 to 670 with longer ids or more sets.
 */
const ENTRY_BYTES = 480;
/** The heap a string of an entry's arrays takes besides its characters: headers, rope, slot. */
const STRING_BYTES = 48;

/**
 * sizeOfCachedResult estimates the bytes an entry holds in the heap, for the cache's bound, on
 * the high side: names, ids and keys are ASCII, which V8 keeps one byte a character, and strings
 * shared between entries are counted in each.
 */
export function sizeOfCachedResult(key: string, result: CachedResult): number {
  let size = ENTRY_BYTES + key.length;
  for (const set of result.reads) size += STRING_BYTES + set.length;
  for (const parameter of result.missing) size += STRING_BYTES + parameter.length;
  return size;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
