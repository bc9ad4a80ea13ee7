// Conformance: deleting by filter, with and without a limit, and what old snapshots still see.

import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/store.js";
import {
  expectStoreError,
  keys,
  type MakeStore,
  readKeys,
  rev,
  touch,
  useStore,
} from "../store-test-helpers.js";

const DATA = [
  "document:a#viewer@user:alice",
  "document:a#viewer@user:bob",
  "document:b#viewer@user:alice",
  "folder:f#viewer@user:alice",
];

/** describeDeleteMatchingConformance checks deleteMatching's count, limit and atomicity. */
export function describeDeleteMatchingConformance(makeStore: MakeStore): void {
  const store = useStore(makeStore);
  const seed = (s: Store) => s.write(DATA.map(touch));

  describe("deleteMatching", () => {
    it("deletes every match at a new revision and counts them", async () => {
      const s = store();
      await seed(s);
      const result = await s.deleteMatching({ subjectType: "user", subjectIds: ["alice"] });
      expect(result).toEqual({ revision: rev(2), deleted: 3 });
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:bob"]);
      const before = await s.snapshot(rev(1), new Date()).query({});
      expect(keys(before)).toEqual(DATA);
    });

    it("deletes when the matches are within the limit", async () => {
      const s = store();
      await seed(s);
      expect(await s.deleteMatching({ resourceType: "document" }, 3)).toEqual({
        revision: rev(2),
        deleted: 3,
      });
      expect(await readKeys(s)).toEqual(["folder:f#viewer@user:alice"]);
    });

    it("deletes nothing and fails when more than the limit match", async () => {
      const s = store();
      await seed(s);
      await expectStoreError(
        s.deleteMatching({ resourceType: "document" }, 2),
        "too-many-updates",
        "2",
      );
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(DATA);
    });

    it("counts 0 and commits no revision when nothing matches", async () => {
      const s = store();
      await seed(s);
      expect(await s.deleteMatching({ resourceType: "group" }, 0)).toEqual({
        revision: rev(1),
        deleted: 0,
      });
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(DATA);
    });

    it("counts a relationship once when the filter repeats its id", async () => {
      const s = store();
      await seed(s);
      const result = await s.deleteMatching({ resourceType: "document", resourceIds: ["a", "a"] });
      expect(result.deleted).toBe(2);
    });

    it("with partial, deletes the first matches in key order up to the limit", async () => {
      const s = store();
      await seed(s);
      const first = await s.deleteMatching({ resourceType: "document" }, 2, { partial: true });
      expect(first).toEqual({ revision: rev(2), deleted: 2 });
      expect(await readKeys(s)).toEqual(DATA.slice(2));
      const rest = await s.deleteMatching({ resourceType: "document" }, 2, { partial: true });
      expect(rest).toEqual({ revision: rev(3), deleted: 1 });
      expect(await readKeys(s)).toEqual(["folder:f#viewer@user:alice"]);
    });

    it("deletes once its preconditions hold, and nothing when one fails", async () => {
      const s = store();
      await seed(s);
      const folder = { resourceType: "folder", resourceIds: ["f"] };
      await expectStoreError(
        s.deleteMatching({ resourceType: "document" }, undefined, {
          preconditions: [{ operation: "must-not-match", filter: folder }],
        }),
        "precondition-failed",
        "folder:f#viewer@user:alice",
      );
      // A precondition fails even when the filter matches nothing.
      await expectStoreError(
        s.deleteMatching({ resourceType: "group" }, undefined, {
          preconditions: [{ operation: "must-match", filter: { resourceType: "group" } }],
        }),
        "precondition-failed",
        "must-match",
      );
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(DATA);
      const result = await s.deleteMatching({ resourceType: "document" }, undefined, {
        preconditions: [{ operation: "must-match", filter: folder }],
      });
      expect(result).toEqual({ revision: rev(2), deleted: 3 });
    });

    it("refuses more preconditions than a write may hold", async () => {
      const s = store();
      const many = Array.from({ length: s.writeLimits.maxPreconditionsPerWrite + 1 }, () => ({
        operation: "must-match" as const,
        filter: { resourceType: "document" },
      }));
      await expectStoreError(
        s.deleteMatching({ resourceType: "document" }, undefined, { preconditions: many }),
        "too-many-preconditions",
        "preconditions",
      );
    });
  });
}
