// Conformance: importing many relationships at one revision, all or nothing.

import { describe, expect, it } from "vitest";
import {
  describeEvent,
  expectStoreError,
  type MakeStore,
  readKeys,
  rel,
  rev,
  take,
  touch,
  useStore,
} from "../store-test-helpers.js";

/** describeImportConformance registers the tests of importRelationships. */
export function describeImportConformance(makeStore: MakeStore): void {
  describe("import", () => {
    const store = useStore(makeStore, { maxUpdatesPerWrite: 2 });

    it("writes every relationship at one revision, past the write limit, replacing existing ones", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice")]);
      const events = take(s.watch(rev(1)), 3);
      const imported = await s.importRelationships([
        rel("document:a#viewer@user:alice[only_weekdays]"),
        rel("document:b#viewer@user:bob"),
        rel("document:c#viewer@user:carol"),
      ]);
      expect(imported).toEqual({ revision: rev(2), imported: 3 });
      expect((await events).map(describeEvent)).toEqual([
        "2 touch document:a#viewer@user:alice",
        "2 touch document:b#viewer@user:bob",
        "2 touch document:c#viewer@user:carol",
      ]);
      const [alice] = await s.snapshot(rev(2), new Date()).query({ resourceIds: ["a"] });
      expect(alice?.caveat?.name).toBe("only_weekdays");
    });

    it("commits no revision for an import of nothing, sync or async", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice")]);
      expect(await s.importRelationships([])).toEqual({ revision: rev(1), imported: 0 });
      const none = (async function* () {})();
      expect(await s.importRelationships(none)).toEqual({ revision: rev(1), imported: 0 });
      expect(await s.headRevision()).toBe(rev(1));
    });

    it("writes nothing when one relationship is given twice or is invalid", async () => {
      const s = store();
      await expectStoreError(
        s.importRelationships([
          rel("document:b#viewer@user:bob"),
          rel("document:b#viewer@user:bob"),
        ]),
        "invalid-argument",
      );
      const expired = { ...rel("document:c#viewer@user:carol"), expiresAt: new Date(1000) };
      await expectStoreError(
        s.importRelationships([rel("document:b#viewer@user:bob"), expired]),
        "invalid-argument",
      );
      expect(await readKeys(s)).toEqual([]);
      expect(await s.headRevision()).toBe(rev(0));
    });
  });
}
