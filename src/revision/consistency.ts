// Consistency modes: which revision a read runs at, chosen from the request and the store's state.

import { decodeToken } from "./consistency-token.js";
import type { Revision } from "./revision.js";

/** Consistency is a read's freshness requirement, one of the four SpiceDB modes. */
export type Consistency =
  /** Any recent revision will do; today the head (a cache may later relax this). */
  | { kind: "minimize-latency" }
  /** At least as fresh as the write that returned token. */
  | { kind: "at-least-as-fresh"; token: string }
  /** Exactly the snapshot token names, while it is still retained. */
  | { kind: "at-exact-snapshot"; token: string }
  /** The store's head revision. */
  | { kind: "fully-consistent" };

/** ConsistencyErrorCode classifies why a read's revision could not be chosen. */
export type ConsistencyErrorCode =
  /** The token names a revision beyond the store's head: forged, or from a restored store. */
  | "future-revision"
  /** The token's snapshot has been garbage-collected. */
  | "revision-gone";

/** ConsistencyError is a valid token whose revision cannot be served; TokenError covers bad ones. */
export class ConsistencyError extends Error {
  constructor(
    readonly code: ConsistencyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ConsistencyError";
  }
}

/** RevisionSource is the part of a store resolveConsistency needs. */
export interface RevisionSource {
  storeId: string;
  headRevision(): Promise<Revision>;
  oldestRevision(): Promise<Revision>;
}

/**
 * resolveConsistency returns the revision a read with this consistency runs at. It throws a
 * TokenError for a bad or foreign token and a ConsistencyError for a revision beyond the head or
 * already garbage-collected.
 */
export async function resolveConsistency(
  consistency: Consistency,
  source: RevisionSource,
): Promise<Revision> {
  switch (consistency.kind) {
    case "minimize-latency":
    case "fully-consistent":
      return source.headRevision();
    case "at-least-as-fresh": {
      const wanted = decodeToken(consistency.token, source.storeId);
      const head = await source.headRevision();
      checkNotFuture(wanted, head);
      return head; // head >= wanted, so this is max(wanted, head)
    }
    case "at-exact-snapshot": {
      const wanted = decodeToken(consistency.token, source.storeId);
      checkNotFuture(wanted, await source.headRevision());
      const oldest = await source.oldestRevision();
      if (wanted < oldest) {
        throw new ConsistencyError(
          "revision-gone",
          `revision ${wanted} has been garbage-collected: the oldest available revision is ${oldest}`,
        );
      }
      return wanted;
    }
    default:
      return unknownKind(consistency);
  }
}

function checkNotFuture(wanted: Revision, head: Revision): void {
  if (wanted > head) {
    throw new ConsistencyError(
      "future-revision",
      `token is from the future: revision ${wanted} is beyond this store's head ${head}`,
    );
  }
}

function unknownKind(consistency: never): never {
  const kind = (consistency as { kind?: unknown }).kind;
  throw new TypeError(`unknown consistency kind ${JSON.stringify(kind)}`);
}
