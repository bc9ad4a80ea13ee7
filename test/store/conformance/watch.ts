// Conformance: the change stream replays from any revision, follows new writes, filters, stops.

import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/store.js";
import {
  describeEvent,
  expectStoreError,
  expiring,
  inExpiryWindows,
  type MakeStore,
  read,
  readKeys,
  rel,
  remove,
  rev,
  take,
  touch,
  useStore,
} from "../store-test-helpers.js";

/** The events of {@link writeHistory}, as {@link describeEvent} writes them. */
const HISTORY = [
  "1 touch document:a#viewer@user:alice",
  "1 touch folder:f#viewer@user:alice",
  "2 delete document:a#viewer@user:alice",
  "3 touch folder:f#viewer@user:alice",
  "3 touch document:b#viewer@user:bob",
  "4 delete document:b#viewer@user:bob",
];

async function writeHistory(s: Store): Promise<void> {
  await s.write([touch("document:a#viewer@user:alice"), touch("folder:f#viewer@user:alice")]);
  await s.write([remove("document:a#viewer@user:alice")]);
  await s.write([
    touch("folder:f#viewer@user:alice[only_weekdays]"),
    touch("document:b#viewer@user:bob"),
  ]);
  // Changes nothing, so it commits no revision: the next write takes 4.
  await s.write([remove("document:a#viewer@user:nobody")]);
  await s.deleteMatching({ resourceType: "document" });
}

/** A write after the history, so that a stream shows it has nothing else in between. */
const SENTINEL = "5 touch group:end#member@user:sentinel";
const writeSentinel = (s: Store) => s.write([touch("group:end#member@user:sentinel")]);

/** describeWatchConformance checks the change stream's order, completeness, filters and ending. */
export function describeWatchConformance(makeStore: MakeStore): void {
  const store = useStore(makeStore);

  describe("watch", () => {
    it("from 0 yields every change in order, once", async () => {
      const s = store();
      await writeHistory(s);
      await writeSentinel(s);
      const events = await take(s.watch(rev(0)), HISTORY.length + 1);
      expect(events.map(describeEvent)).toEqual([...HISTORY, SENTINEL]);
      expect(events[3]?.relationship).toEqual(rel("folder:f#viewer@user:alice[only_weekdays]"));
    });

    it("from a middle revision yields exactly the changes after it", async () => {
      const s = store();
      await writeHistory(s);
      await writeSentinel(s);
      for (const after of [1, 2, 3, 4]) {
        const expected = [...HISTORY.filter((e) => Number(e.split(" ")[0]) > after), SENTINEL];
        const events = await take(s.watch(rev(after)), expected.length);
        expect(events.map(describeEvent)).toEqual(expected);
      }
    });

    it("marks the last event of each revision, among those the filter keeps", async () => {
      const s = store();
      await writeHistory(s);
      await writeSentinel(s);
      const all = await take(s.watch(rev(0)), HISTORY.length + 1);
      expect(all.map((e) => e.lastInRevision)).toEqual([
        false,
        true,
        true,
        false,
        true,
        true,
        true,
      ]);
      const documents = await take(s.watch(rev(0), { resourceTypes: ["document"] }), 4);
      expect(documents.map((e) => `${describeEvent(e)} ${e.lastInRevision}`)).toEqual([
        "1 touch document:a#viewer@user:alice true",
        "2 delete document:a#viewer@user:alice true",
        "3 touch document:b#viewer@user:bob true",
        "4 delete document:b#viewer@user:bob true",
      ]);
    });

    it("keeps only the resource types asked for", async () => {
      const s = store();
      await writeHistory(s);
      await s.write([touch("folder:g#viewer@user:sentinel")]);
      const events = await take(s.watch(rev(0), { resourceTypes: ["folder"] }), 3);
      expect(events.map(describeEvent)).toEqual([
        "1 touch folder:f#viewer@user:alice",
        "3 touch folder:f#viewer@user:alice",
        "5 touch folder:g#viewer@user:sentinel",
      ]);
    });

    it("sends nothing for a touch that stores what is live (a write of only such touches takes no revision), and a touch for one that changes a caveat, its context or an expiry", async () => {
      const s = store();
      const { revision: first } = await s.write([
        touch("document:a#viewer@user:alice"),
        touch('document:b#viewer@user:bob[only_weekdays:{"x":1,"y":[2]}]'),
        touch("document:c#viewer@user:carol[expiration:2099-01-01T00:00:00Z]"),
      ]);
      // The same again (the context's keys in another order): no change, so no revision.
      const { revision: same } = await s.write([
        touch("document:a#viewer@user:alice"),
        touch('document:b#viewer@user:bob[only_weekdays:{"y":[2],"x":1}]'),
        touch("document:c#viewer@user:carol[expiration:2099-01-01T00:00:00Z]"),
      ]);
      expect(Number(same)).toBe(Number(first));
      await s.write([
        touch("document:a#viewer@user:alice[only_weekdays]"),
        touch('document:b#viewer@user:bob[only_weekdays:{"x":2,"y":[2]}]'),
        touch("document:c#viewer@user:carol[expiration:2098-01-01T00:00:00Z]"),
        touch("document:d#viewer@user:dan"),
      ]);
      await s.write([touch("document:d#viewer@user:dan"), touch("group:end#member@user:sentinel")]);
      const events = await take(s.watch(first), 5);
      expect(events.map(describeEvent)).toEqual([
        "2 touch document:a#viewer@user:alice",
        "2 touch document:b#viewer@user:bob",
        "2 touch document:c#viewer@user:carol",
        "2 touch document:d#viewer@user:dan",
        "3 touch group:end#member@user:sentinel",
      ]);
      expect(await read(s, { resourceType: "document", resourceIds: ["b"] })).toEqual([
        rel('document:b#viewer@user:bob[only_weekdays:{"x":2,"y":[2]}]'),
      ]);
    });

    it("follows writes made after it started, replay first", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice")]);
      const stream = s.watch(rev(0))[Symbol.asyncIterator]();
      expect(describeEvent((await stream.next()).value)).toBe(
        "1 touch document:a#viewer@user:alice",
      );
      const pending = stream.next();
      await s.write([touch("document:b#viewer@user:bob")]);
      expect(describeEvent((await pending).value)).toBe("2 touch document:b#viewer@user:bob");
      await s.write([remove("document:b#viewer@user:bob"), touch("document:c#viewer@user:carol")]);
      expect(describeEvent((await stream.next()).value)).toBe(
        "3 delete document:b#viewer@user:bob",
      );
      expect(describeEvent((await stream.next()).value)).toBe(
        "3 touch document:c#viewer@user:carol",
      );
      await stream.return?.();
    });

    it("feeds every watcher the same events", async () => {
      const s = store();
      const watchers = [s.watch(rev(0)), s.watch(rev(0)), s.watch(rev(0))].map((w) =>
        take(w, HISTORY.length + 1),
      );
      await writeHistory(s);
      await writeSentinel(s);
      for (const events of await Promise.all(watchers)) {
        expect(events.map(describeEvent)).toEqual([...HISTORY, SENTINEL]);
      }
    });

    it("ends when its signal aborts, even while waiting", async () => {
      const s = store();
      const controller = new AbortController();
      const stream = s.watch(rev(0), { signal: controller.signal })[Symbol.asyncIterator]();
      const pending = stream.next();
      controller.abort();
      expect(await pending).toEqual({ done: true, value: undefined });
      await s.write([touch("document:a#viewer@user:alice")]);
      expect((await stream.next()).done).toBe(true);
    });

    it("yields nothing when its signal has already aborted", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice")]);
      const events = await take(s.watch(rev(0), { signal: AbortSignal.abort() }), 1);
      expect(events).toEqual([]);
    });

    it("ends when the store closes; close may be called twice", async () => {
      const s = store();
      const pending = s.watch(rev(0))[Symbol.asyncIterator]().next();
      await s.close();
      expect((await pending).done).toBe(true);
      await s.close();
    });

    it("refuses a revision newer than the head", async () => {
      const stream = store().watch(rev(1))[Symbol.asyncIterator]();
      await expectStoreError(stream.next(), "revision-unavailable");
    });
  });

  describe("expiry", () => {
    // Each test needs its writes done before the expiry: see inExpiryWindows.
    it("yields expire events at a revision of their own once a relationship expires", async () => {
      await inExpiryWindows(store(), makeStore, async (s, window) => {
        await window.inTime(s.write([expiring("document:a#viewer@user:alice", window.end)]));
        await window.inTime(s.write([touch("document:b#viewer@user:bob")]));
        const events = await take(s.watch(rev(0)), 3);
        expect(events.map(describeEvent)).toEqual([
          "1 touch document:a#viewer@user:alice",
          "2 touch document:b#viewer@user:bob",
          "3 expire document:a#viewer@user:alice",
        ]);
        expect(Date.now()).toBeGreaterThanOrEqual(window.end.getTime());
        expect(events[2]?.relationship.expiresAt).toEqual(window.end);
      });
    });

    it("yields no expire event for a relationship deleted or replaced before its expiry", async () => {
      await inExpiryWindows(store(), makeStore, async (s, window) => {
        await window.inTime(
          s.write([
            expiring("document:a#viewer@user:alice", window.end),
            expiring("document:b#viewer@user:bob", window.end),
          ]),
        );
        await window.inTime(
          s.write([remove("document:a#viewer@user:alice"), touch("document:b#viewer@user:bob")]),
        );
        await window.closed();
        await s.write([touch("document:c#viewer@user:sentinel")]);
        const events = await take(s.watch(rev(1)), 3);
        expect(events.map(describeEvent)).toEqual([
          "2 delete document:a#viewer@user:alice",
          "2 touch document:b#viewer@user:bob",
          "3 touch document:c#viewer@user:sentinel",
        ]);
      });
    });

    it("lets an expired relationship be created again; deleting it changes nothing", async () => {
      await inExpiryWindows(store(), makeStore, async (s, window) => {
        await window.inTime(
          s.write([
            expiring("document:a#viewer@user:alice", window.end, "create"),
            expiring("document:b#viewer@user:bob", window.end, "create"),
          ]),
        );
        await window.closed();
        expect(await readKeys(s)).toEqual([]);
        await s.write([
          { operation: "create", relationship: rel("document:a#viewer@user:alice") },
          remove("document:b#viewer@user:bob"),
        ]);
        expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
        const head = await s.headRevision();
        expect(await s.deleteMatching({ resourceType: "document", resourceIds: ["b"] })).toEqual({
          revision: rev(head),
          deleted: 0,
        });
      });
    });
  });
}
