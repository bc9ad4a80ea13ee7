// The options every store takes, with their defaults and checks, shared by the memory and SQL stores.

import type { WriteLimits } from "./write-limits.js";

/** StoreOptions configure any store. */
export interface StoreOptions {
  /** The most updates one write may hold, as SpiceDB's `--write-relationships-max-updates-per-call`; default 1,000. */
  readonly maxUpdatesPerWrite?: number;
  /** The most preconditions one write may hold, as SpiceDB's `--write-relationships-max-preconditions-per-call`; default 1,000. */
  readonly maxPreconditionsPerWrite?: number;
  /**
   * How long past revisions stay readable and the changelog watchable, in milliseconds, as
   * SpiceDB's `--datastore-gc-window`; default 24 hours.
   */
  readonly retentionMs?: number;
}

/** ResolvedStoreOptions are StoreOptions with their defaults applied. */
export interface ResolvedStoreOptions extends WriteLimits {
  readonly retentionMs: number;
}

const DEFAULT_MAX_UPDATES_PER_WRITE = 1000;
const DEFAULT_MAX_PRECONDITIONS_PER_WRITE = 1000;
/** DEFAULT_RETENTION_MS is the default retention window: a day, as SpiceDB's. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * resolveStoreOptions applies the defaults and throws a RangeError, naming the option, for a
 * value no store can take, before a factory opens anything.
 */
export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const maxUpdatesPerWrite = positive(
    "maxUpdatesPerWrite",
    options.maxUpdatesPerWrite ?? DEFAULT_MAX_UPDATES_PER_WRITE,
  );
  const maxPreconditionsPerWrite = positive(
    "maxPreconditionsPerWrite",
    options.maxPreconditionsPerWrite ?? DEFAULT_MAX_PRECONDITIONS_PER_WRITE,
  );
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) {
    throw new RangeError(`retentionMs must be a non-negative integer, got ${retentionMs}`);
  }
  return { maxUpdatesPerWrite, maxPreconditionsPerWrite, retentionMs };
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
