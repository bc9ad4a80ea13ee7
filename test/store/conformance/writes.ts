// Conformance: revisions, snapshots at old revisions, create/touch/delete, preconditions, write checks.

import { describe, expect, it } from "vitest";
import type { Revision } from "../../../src/revision/revision.js";
import type { Precondition, Store, UpdateOperation } from "../../../src/store/store.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { waitFor } from "../../support/wait-for.js";
import {
  create,
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

/** describeWriteConformance checks how writes commit, conflict and show at each revision. */
export function describeWriteConformance(makeStore: MakeStore): void {
  const store = useStore(makeStore);

  describe("revisions", () => {
    it("start at 0 and increase by one per write that changes something", async () => {
      expect(await store().headRevision()).toBe(0);
      expect(await store().write([touch("document:a#viewer@user:alice")])).toEqual({
        revision: rev(1),
        deleted: 0,
      });
      expect(await store().write([])).toEqual({ revision: rev(1), deleted: 0 });
      expect(await store().deleteMatching({ resourceType: "document" })).toEqual({
        revision: rev(2),
        deleted: 1,
      });
      expect(await store().headRevision()).toBe(2);
    });

    it("concurrent writes get distinct, consecutive revisions", async () => {
      const writes = Array.from({ length: 50 }, (_, i) =>
        store().write([touch(`document:d${i}#viewer@user:u${i}`)]),
      );
      const revisions = (await Promise.all(writes)).map((result) => result.revision);
      expect([...revisions].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect(await store().headRevision()).toBe(50);
      expect(await read(store())).toHaveLength(50);
    });

    it("refuses to read at a revision newer than the head", async () => {
      await store().write([touch("document:a#viewer@user:alice")]);
      await expectStoreError(
        store().snapshot(rev(2), new Date()).query({}),
        "revision-unavailable",
        "2",
      );
    });
  });

  describe("snapshots", () => {
    it("see the state at their revision after later touches and deletes", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice"), touch("document:b#viewer@user:bob")]);
      await s.write([remove("document:a#viewer@user:alice")]);
      await s.write([touch("document:b#viewer@user:bob[only_weekdays]")]);
      await s.write([touch("document:a#viewer@user:alice")]);
      const at = async (n: number) => s.snapshot(rev(n), new Date()).query({});
      expect(await at(0)).toEqual([]);
      expect(await at(1)).toEqual([
        rel("document:a#viewer@user:alice"),
        rel("document:b#viewer@user:bob"),
      ]);
      expect(await at(2)).toEqual([rel("document:b#viewer@user:bob")]);
      expect(await at(3)).toEqual([rel("document:b#viewer@user:bob[only_weekdays]")]);
      expect(await at(4)).toEqual([
        rel("document:a#viewer@user:alice"),
        rel("document:b#viewer@user:bob[only_weekdays]"),
      ]);
    });

    it("report their revision and time", async () => {
      const now = new Date("2030-01-01T00:00:00Z");
      const reader = store().snapshot(rev(0), now);
      expect(reader.revision).toBe(0);
      expect(reader.now).toEqual(now);
    });
  });

  describe("create, touch and delete", () => {
    it("create of a live relationship fails, naming it, and applies nothing of the write", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice")]);
      await expectStoreError(
        s.write([create("document:b#viewer@user:bob"), create("document:a#viewer@user:alice")]),
        "already-exists",
        "document:a#viewer@user:alice",
      );
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
    });

    it("create succeeds again after a delete", async () => {
      const s = store();
      await s.write([create("document:a#viewer@user:alice")]);
      await s.write([remove("document:a#viewer@user:alice")]);
      await s.write([create("document:a#viewer@user:alice[only_weekdays]")]);
      expect(await read(s)).toEqual([rel("document:a#viewer@user:alice[only_weekdays]")]);
    });

    it("touch replaces the caveat and expiry of a live relationship", async () => {
      const s = store();
      await s.write([touch('document:a#viewer@user:alice[ip_allowlist:{"cidr":"10.0.0.0/8"}]')]);
      await s.write([touch("document:a#viewer@user:alice[expiration:2100-01-01T00:00:00Z]")]);
      expect(await read(s)).toEqual([
        rel("document:a#viewer@user:alice[expiration:2100-01-01T00:00:00Z]"),
      ]);
    });

    it("delete of a missing or expired relationship changes nothing and commits no revision", async () => {
      // Both writes must come before eve's expiry: see inExpiryWindows.
      await inExpiryWindows(store(), makeStore, async (s, window) => {
        await window.inTime(
          s.write([
            touch("document:a#viewer@user:alice"),
            expiring("document:a#viewer@user:eve", window.end),
          ]),
        );
        expect(await window.inTime(s.write([remove("document:a#viewer@user:bob")]))).toEqual({
          revision: rev(1),
          deleted: 0,
        });
        // Once the expiry is logged (at revision 2), deleting the expired relationship changes nothing.
        await waitFor(
          "the expiry to be logged at revision 2",
          async () => (await s.headRevision()) >= 2,
          window.ms + 10_000,
        );
        expect(await s.write([remove("document:a#viewer@user:eve")])).toEqual({
          revision: rev(2),
          deleted: 0,
        });
        expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
        expect(await s.headRevision()).toBe(2);
      });
    });

    it("counts the deletes that found a relationship, in a write that also touches", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice"), touch("document:a#viewer@user:bob")]);
      expect(
        await s.write([
          remove("document:a#viewer@user:alice"),
          remove("document:a#viewer@user:nobody"),
          touch("document:a#viewer@user:carol"),
        ]),
      ).toEqual({ revision: rev(2), deleted: 1 });
    });

    it("delete ignores the caveat and expiry it is given", async () => {
      const s = store();
      await s.write([touch("document:a#viewer@user:alice[only_weekdays]")]);
      await s.write([remove("document:a#viewer@user:alice")]);
      expect(await read(s)).toEqual([]);
    });

    it("keeps caveat contexts and expirations exactly, unaffected by later changes to the input", async () => {
      const s = store();
      const written = rel(
        'document:a#viewer@user:alice[ip_allowlist:{"cidr":"10.0.0.0/8","n":-0,"nested":{"list":[1,"x",null,true]}}][expiration:2100-01-01T00:00:00.123Z]',
      );
      const input = structuredClone(written);
      await s.write([{ operation: "touch", relationship: input }]);
      (input.caveat?.context as Record<string, unknown>).cidr = "changed";
      input.expiresAt?.setTime(0);
      const [stored] = await read(s);
      expect(stored).toEqual(written);
      expect(Object.is(stored?.caveat?.context?.n, -0)).toBe(true);
      expect(stored?.expiresAt?.getTime()).toBe(Date.parse("2100-01-01T00:00:00.123Z"));
    });

    it("stores each created or touched relationship as stamp makes it of the write's revision", async () => {
      const s = store();
      await s.write([touch("document:x#viewer@user:zoe")]);
      const stamp = (relationship: Relationship, at: Revision): Relationship => ({
        ...relationship,
        caveat: { name: "written_at", context: { revision: at } },
      });
      const written = await s.write(
        [
          touch("document:a#viewer@user:alice"),
          create("document:b#viewer@user:bob"),
          remove("document:x#viewer@user:zoe"),
        ],
        [],
        { stamp },
      );
      expect(written).toEqual({ revision: rev(2), deleted: 1 });
      const stamped = [
        rel('document:a#viewer@user:alice[written_at:{"revision":2}]'),
        rel('document:b#viewer@user:bob[written_at:{"revision":2}]'),
      ];
      expect(await read(s)).toEqual(stamped);
      const events = await take(s.watch(rev(1)), 3);
      expect(events.filter((e) => e.kind === "touch").map((e) => e.relationship)).toEqual(stamped);
    });

    it("keeps a subject relation and a wildcard subject", async () => {
      const s = store();
      await s.write([
        touch("document:a#viewer@group:eng#member"),
        touch("document:a#viewer@user:*"),
      ]);
      expect(await read(s)).toEqual([
        rel("document:a#viewer@group:eng#member"),
        rel("document:a#viewer@user:*"),
      ]);
    });
  });

  describe("preconditions", () => {
    const seed = (s: Store) => s.write([touch("document:a#viewer@user:alice")]);
    const filter = { resourceType: "document", resourceIds: ["a"], relation: "viewer" };
    const other = { resourceType: "document", resourceIds: ["b"] };

    it("must-match passes when a relationship matches", async () => {
      const s = store();
      await seed(s);
      await s.write([touch("document:c#viewer@user:bob")], [{ operation: "must-match", filter }]);
      expect(await readKeys(s)).toContain("document:c#viewer@user:bob");
    });

    it("must-match fails when none matches, applying nothing", async () => {
      const s = store();
      await seed(s);
      await expectStoreError(
        s.write(
          [touch("document:c#viewer@user:bob")],
          [{ operation: "must-match", filter: other }],
        ),
        "precondition-failed",
      );
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
    });

    it("must-not-match passes when none matches", async () => {
      const s = store();
      await seed(s);
      await s.write(
        [touch("document:c#viewer@user:bob")],
        [{ operation: "must-not-match", filter: other }],
      );
      expect(await s.headRevision()).toBe(2);
    });

    it("must-not-match fails when one matches, naming it, applying nothing", async () => {
      const s = store();
      await seed(s);
      await expectStoreError(
        s.write(
          [remove("document:a#viewer@user:alice")],
          [{ operation: "must-not-match", filter }],
        ),
        "precondition-failed",
        "document:a#viewer@user:alice",
      );
      expect(await s.headRevision()).toBe(1);
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
    });

    it("are checked by a write that changes nothing, which commits no revision", async () => {
      const s = store();
      await seed(s);
      await expectStoreError(
        s.write([remove("document:b#viewer@user:bob")], [{ operation: "must-not-match", filter }]),
        "precondition-failed",
      );
      expect(await s.write([], [{ operation: "must-match", filter }])).toEqual({
        revision: rev(1),
        deleted: 0,
      });
      expect(await s.headRevision()).toBe(1);
    });

    it("allows 1,000 preconditions and refuses 1,001, naming both numbers", async () => {
      const s = store();
      await seed(s);
      const preconditions = (count: number): Precondition[] =>
        Array.from({ length: count }, () => ({ operation: "must-match", filter }));
      await s.write([touch("document:c#viewer@user:bob")], preconditions(1000));
      await expectStoreError(
        s.write([touch("document:d#viewer@user:bob")], preconditions(1001)),
        "too-many-preconditions",
        "1000",
        "1001",
      );
      expect(await s.headRevision()).toBe(2);
    });

    it("are checked before the write's own updates", async () => {
      const s = store();
      await expectStoreError(
        s.write([touch("document:a#viewer@user:alice")], [{ operation: "must-match", filter }]),
        "precondition-failed",
      );
    });
  });

  describe("write checks", () => {
    it("allows 1,000 updates and refuses 1,001, naming both numbers", async () => {
      const s = store();
      const updates = (count: number) =>
        Array.from({ length: count }, (_, i) => touch(`document:d${i}#viewer@user:alice`));
      await s.write(updates(1000));
      await expectStoreError(s.write(updates(1001)), "too-many-updates", "1000", "1001");
      expect(await s.headRevision()).toBe(1);
    });

    it("refuses two updates of one relationship in a write", async () => {
      const s = store();
      await expectStoreError(
        s.write([
          touch("document:a#viewer@user:alice"),
          remove("document:a#viewer@user:alice[only_weekdays]"),
        ]),
        "invalid-argument",
        "document:a#viewer@user:alice",
      );
      expect(await s.headRevision()).toBe(0);
    });

    it("refuses a relationship that has already expired", async () => {
      await expectStoreError(
        store().write([touch("document:a#viewer@user:alice[expiration:2020-01-01T00:00:00Z]")]),
        "invalid-argument",
        "expired",
      );
    });

    it("refuses an unknown operation in an update or a precondition", async () => {
      const relationship = rel("document:a#viewer@user:alice");
      const operation = "upsert" as unknown as UpdateOperation;
      await expectStoreError(
        store().write([{ operation, relationship }]),
        "invalid-argument",
        "upsert",
      );
      const must = "must-exist" as unknown as Precondition["operation"];
      await expectStoreError(
        store().write([], [{ operation: must, filter: {} }]),
        "invalid-argument",
        "must-exist",
      );
      expect(await store().headRevision()).toBe(0);
    });

    it("refuses an invalid relationship, naming the problem", async () => {
      const invalid = { ...rel("document:a#viewer@user:alice"), relation: "Viewer" };
      await expectStoreError(
        store().write([{ operation: "touch", relationship: invalid }]),
        "invalid-argument",
        "relation",
      );
      expect(await store().headRevision()).toBe(0);
    });
  });
}
