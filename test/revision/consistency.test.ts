// Consistency modes: which revision each resolves to, and the errors for future or collected ones.

import { describe, expect, it } from "vitest";
import {
  type AppliedRevisions,
  type Consistency,
  ConsistencyError,
  chooseReadRevision,
  type RevisionSource,
  resolveConsistency,
} from "../../src/revision/consistency.js";
import { encodeToken } from "../../src/revision/consistency-token.js";
import { type Revision, revision } from "../../src/revision/revision.js";
import { TokenError } from "../../src/revision/token-error.js";

const STORE = "store-main";

/** A store whose revisions oldest..head are available. */
function source(oldest: number, head: number): RevisionSource {
  return {
    storeId: STORE,
    headRevision: async () => revision(head),
    oldestRevision: async () => revision(oldest),
  };
}

function token(rev: number, storeId = STORE): string {
  return encodeToken({ storeId, revision: revision(rev) });
}

async function consistencyError(
  consistency: Consistency,
  from: RevisionSource,
): Promise<ConsistencyError> {
  const error: unknown = await resolveConsistency(consistency, from).then(
    (rev: Revision) => new Error(`resolved to ${rev}`),
    (e: unknown) => e,
  );
  if (!(error instanceof ConsistencyError)) throw error;
  return error;
}

describe("resolveConsistency", () => {
  it("reads minimize-latency at the head", async () => {
    expect(await resolveConsistency({ kind: "minimize-latency" }, source(3, 10))).toBe(10);
  });

  it("reads fully-consistent at the head", async () => {
    expect(await resolveConsistency({ kind: "fully-consistent" }, source(3, 10))).toBe(10);
  });

  it("reads at-least-as-fresh at the head when the token is older or equal", async () => {
    const s = source(3, 10);
    expect(await resolveConsistency({ kind: "at-least-as-fresh", token: token(4) }, s)).toBe(10);
    expect(await resolveConsistency({ kind: "at-least-as-fresh", token: token(10) }, s)).toBe(10);
    // a token older than the GC horizon is still fine: the head is fresher
    expect(await resolveConsistency({ kind: "at-least-as-fresh", token: token(0) }, s)).toBe(10);
  });

  it("refuses at-least-as-fresh with a token from the future", async () => {
    const error = await consistencyError(
      { kind: "at-least-as-fresh", token: token(11) },
      source(3, 10),
    );
    expect(error.code).toBe("future-revision");
    expect(error.message).toBe(
      "token is from the future: revision 11 is beyond this store's head 10",
    );
  });

  it("reads at-exact-snapshot at the token's revision while it is retained", async () => {
    const s = source(3, 10);
    for (const rev of [3, 7, 10]) {
      expect(await resolveConsistency({ kind: "at-exact-snapshot", token: token(rev) }, s)).toBe(
        rev,
      );
    }
  });

  it("refuses at-exact-snapshot of a garbage-collected revision", async () => {
    const error = await consistencyError(
      { kind: "at-exact-snapshot", token: token(2) },
      source(3, 10),
    );
    expect(error.code).toBe("revision-gone");
    expect(error.message).toMatch(/revision 2 has been garbage-collected.*oldest.* 3/);
  });

  it("refuses at-exact-snapshot beyond the head", async () => {
    const error = await consistencyError(
      { kind: "at-exact-snapshot", token: token(11) },
      source(3, 10),
    );
    expect(error.code).toBe("future-revision");
  });

  it("passes token errors through for bad or foreign tokens", async () => {
    const s = source(0, 10);
    for (const kind of ["at-least-as-fresh", "at-exact-snapshot"] as const) {
      await expect(resolveConsistency({ kind, token: "garbage" }, s)).rejects.toMatchObject({
        name: "TokenError",
        code: "malformed",
      });
      await expect(
        resolveConsistency({ kind, token: token(5, "other-store") }, s),
      ).rejects.toBeInstanceOf(TokenError);
      await expect(
        resolveConsistency({ kind, token: token(5, "other-store") }, s),
      ).rejects.toMatchObject({ code: "foreign-store" });
    }
  });

  it("refuses an unknown kind", async () => {
    const bogus = { kind: "eventually" } as unknown as Consistency;
    await expect(resolveConsistency(bogus, source(0, 1))).rejects.toThrow(/unknown consistency/);
  });
});

/** A cache that has applied revision `at` and never catches up further; stale when it says so. */
function appliedAt(at: number, stale = false): AppliedRevisions {
  return {
    appliedRevision: revision(at),
    stale,
    waitFor: async (wanted) => wanted <= at,
  };
}

describe("chooseReadRevision", () => {
  it("reads minimize-latency at the cache's revision, through the cache", async () => {
    const read = await chooseReadRevision(
      { kind: "minimize-latency" },
      source(3, 10),
      appliedAt(8),
    );
    expect(read).toEqual({ revision: 8, cached: true });
  });

  it("reads minimize-latency at the head, without the cache, while the cache is stale", async () => {
    const read = await chooseReadRevision(
      { kind: "minimize-latency" },
      source(3, 10),
      appliedAt(8, true),
    );
    expect(read).toEqual({ revision: 10, cached: false });
  });

  it("reads at-least-as-fresh through the cache once it has reached the token", async () => {
    const fresh = { kind: "at-least-as-fresh", token: token(7) } as const;
    expect(await chooseReadRevision(fresh, source(3, 10), appliedAt(8))).toEqual({
      revision: 8,
      cached: true,
    });
  });

  it("reads at-least-as-fresh at the head without the cache while it lags behind the token", async () => {
    const fresh = { kind: "at-least-as-fresh", token: token(9) } as const;
    expect(await chooseReadRevision(fresh, source(3, 10), appliedAt(8))).toEqual({
      revision: 10,
      cached: false,
    });
  });

  it("reads fully-consistent and at-exact-snapshot without the cache", async () => {
    const s = source(3, 10);
    const applied = appliedAt(10);
    expect(await chooseReadRevision({ kind: "fully-consistent" }, s, applied)).toEqual({
      revision: 10,
      cached: false,
    });
    const exact = { kind: "at-exact-snapshot", token: token(5) } as const;
    expect(await chooseReadRevision(exact, s, applied)).toEqual({ revision: 5, cached: false });
  });

  it("refuses a token from the future before waiting for the cache", async () => {
    const future = { kind: "at-least-as-fresh", token: token(11) } as const;
    await expect(chooseReadRevision(future, source(3, 10), appliedAt(8))).rejects.toMatchObject({
      code: "future-revision",
    });
  });
});
