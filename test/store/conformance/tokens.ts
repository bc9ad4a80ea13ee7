// Conformance: consistency tokens name a store's revisions, and only that store's.

import { describe, expect, it } from "vitest";
import { ConsistencyError, resolveConsistency } from "../../../src/revision/consistency.js";
import {
  encodeToken,
  generateStoreId,
  isValidStoreId,
} from "../../../src/revision/consistency-token.js";
import { TokenError } from "../../../src/revision/token-error.js";
import { type MakeStore, rev, touch, useStore } from "../store-test-helpers.js";

/** describeTokenConformance registers the tests of tokens against a store. */
export function describeTokenConformance(makeStore: MakeStore): void {
  describe("consistency tokens", () => {
    const store = useStore(makeStore, { retentionMs: 0 });

    it("resolve to the revision a write returned, or the head", async () => {
      const s = store();
      expect(isValidStoreId(s.storeId)).toBe(true);
      const first = await s.write([touch("document:a#viewer@user:alice")]);
      const token = encodeToken({ storeId: s.storeId, revision: first.revision });
      await s.write([touch("document:b#viewer@user:bob")]);
      const exact = { kind: "at-exact-snapshot", token } as const;
      expect(await resolveConsistency(exact, s)).toBe(rev(1));
      const fresh = { kind: "at-least-as-fresh", token } as const;
      expect(await resolveConsistency(fresh, s)).toBe(rev(2));
      expect(await resolveConsistency({ kind: "fully-consistent" }, s)).toBe(rev(2));
    });

    it("are refused when forged, from another store, from the future or collected", async () => {
      const s = store();
      const { revision } = await s.write([touch("document:a#viewer@user:alice")]);
      const token = encodeToken({ storeId: s.storeId, revision });
      const corrupted = `${token.slice(0, -2)}${token.endsWith("A") ? "B" : "A"}A`;
      await expect(
        resolveConsistency({ kind: "at-least-as-fresh", token: corrupted }, s),
      ).rejects.toBeInstanceOf(TokenError);
      const foreign = encodeToken({ storeId: generateStoreId(), revision });
      await expect(
        resolveConsistency({ kind: "at-exact-snapshot", token: foreign }, s),
      ).rejects.toBeInstanceOf(TokenError);
      const future = encodeToken({ storeId: s.storeId, revision: rev(revision + 5) });
      await expect(
        resolveConsistency({ kind: "at-least-as-fresh", token: future }, s),
      ).rejects.toMatchObject({ code: "future-revision" });
      await s.write([touch("document:b#viewer@user:bob")]);
      await s.collectGarbage();
      const gone = resolveConsistency({ kind: "at-exact-snapshot", token }, s);
      await expect(gone).rejects.toBeInstanceOf(ConsistencyError);
      await expect(gone).rejects.toMatchObject({ code: "revision-gone" });
    });
  });
}
