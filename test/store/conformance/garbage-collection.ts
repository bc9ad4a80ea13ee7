// Conformance: garbage collection keeps every revision of the retention window and removes the rest.

import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/store.js";
import { TimeWindow, widening } from "../../support/time-window.js";
import {
  describeEvent,
  expectStoreError,
  expiring,
  inExpiryWindows,
  type MakeStore,
  readKeys,
  rel,
  remove,
  rev,
  take,
  touch,
  useStore,
} from "../store-test-helpers.js";

/**
 * writeHistory writes four revisions: two relationships, a delete, a touch that replaces a
 * version. Afterwards two versions are retired and three events precede revision 4.
 */
async function writeHistory(s: Store): Promise<void> {
  await s.write([touch("document:a#viewer@user:alice")]);
  await s.write([touch("document:b#viewer@user:bob")]);
  await s.write([remove("document:a#viewer@user:alice")]);
  await s.write([touch("document:b#viewer@user:bob[only_weekdays]")]);
}

/** describeGarbageCollectionConformance registers the garbage collection tests. */
export function describeGarbageCollectionConformance(makeStore: MakeStore): void {
  describe("garbage collection with the default window of a day", () => {
    const store = useStore(makeStore);

    it("keeps every revision of the last day", async () => {
      const s = store();
      expect(await s.oldestRevision()).toBe(rev(0));
      await writeHistory(s);
      const collected = await s.collectGarbage();
      expect(collected).toEqual({
        oldestRevision: rev(0),
        relationshipsRemoved: 0,
        changesRemoved: 0,
      });
      expect(await s.oldestRevision()).toBe(rev(0));
      expect(await s.snapshot(rev(1), new Date()).query({})).toHaveLength(1);
      expect((await take(s.watch(rev(0)), 4)).map(describeEvent)).toHaveLength(4);
    });
  });

  describe("garbage collection with no window", () => {
    const store = useStore(makeStore, { retentionMs: 0 });

    it("makes the head the oldest revision and removes retired versions and old events", async () => {
      const s = store();
      await writeHistory(s);
      const collected = await s.collectGarbage();
      expect(collected).toEqual({
        oldestRevision: rev(4),
        relationshipsRemoved: 2,
        changesRemoved: 3,
      });
      expect(await s.oldestRevision()).toBe(rev(4));
      expect(await readKeys(s)).toEqual(["document:b#viewer@user:bob"]);
      const [bob] = await s.snapshot(rev(4), new Date()).query({});
      expect(bob?.caveat?.name).toBe("only_weekdays");
      // Nothing left to collect: the head has not moved.
      expect(await s.collectGarbage()).toEqual({
        oldestRevision: rev(4),
        relationshipsRemoved: 0,
        changesRemoved: 0,
      });
    });

    it("refuses reads and watches from before the oldest revision", async () => {
      const s = store();
      await writeHistory(s);
      await s.collectGarbage();
      await expectStoreError(s.snapshot(rev(3), new Date()).query({}), "revision-unavailable");
      await expectStoreError(take(s.watch(rev(3)), 1), "revision-unavailable");
      await expectStoreError(take(s.watch(rev(0)), 1), "revision-unavailable");
    });

    it("keeps watching from the oldest revision on", async () => {
      const s = store();
      await writeHistory(s);
      await s.collectGarbage();
      const events = take(s.watch(rev(4)), 1);
      await s.write([touch("document:c#viewer@user:carol")]);
      expect((await events).map(describeEvent)).toEqual(["5 touch document:c#viewer@user:carol"]);
    });

    it("fails a watch that had not read the events it removed", async () => {
      const s = store();
      const stream = s.watch(rev(0));
      await writeHistory(s);
      await s.collectGarbage();
      await expectStoreError(take(stream, 4), "revision-unavailable");
    });

    it("removes a relationship once its expiry is logged, and it can be written again", async () => {
      const options = { retentionMs: 0 };
      await inExpiryWindows(
        store(),
        makeStore,
        async (s, window) => {
          const expired = take(s.watch(rev(0)), 2);
          await window.inTime(s.write([expiring("document:a#viewer@user:alice", window.end)]));
          expect((await expired).map(describeEvent)).toEqual([
            "1 touch document:a#viewer@user:alice",
            "2 expire document:a#viewer@user:alice",
          ]);
          const collected = await s.collectGarbage();
          expect(collected.relationshipsRemoved).toBe(1);
          await s.write([
            { operation: "create", relationship: rel("document:a#viewer@user:alice") },
          ]);
          expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
        },
        options,
      );
    });
  });

  describe("garbage collection with a short window", () => {
    // The test opens a store per attempt, with the attempt's window as its retention.
    it("keeps the newest revision committed before the window and everything after it", async () => {
      await widening([400, 2_000, 10_000], async (window) => {
        const s = await makeStore({ retentionMs: window.ms });
        try {
          await s.write([touch("document:a#viewer@user:alice")]);
          await s.write([remove("document:a#viewer@user:alice")]);
          // Revision 2 is committed before the window once a window's length has passed since.
          await new TimeWindow(window.ms).closed();
          // Revision 3 is in the window if the collection runs within a window's length of it.
          const recent = new TimeWindow(window.ms);
          await recent.inTime(s.write([touch("document:b#viewer@user:bob")]));
          const collected = await recent.inTime(s.collectGarbage());
          expect(collected).toEqual({
            oldestRevision: rev(2),
            relationshipsRemoved: 1,
            changesRemoved: 1,
          });
          expect(await s.snapshot(rev(2), new Date()).query({})).toEqual([]);
          await expectStoreError(s.snapshot(rev(1), new Date()).query({}), "revision-unavailable");
          expect((await take(s.watch(rev(2)), 1)).map(describeEvent)).toEqual([
            "3 touch document:b#viewer@user:bob",
          ]);
        } finally {
          await s.close();
        }
      });
    });
  });
}
