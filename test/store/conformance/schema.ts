// Conformance: the stored schema, its revision, and what a schema write's check reads of the live relationships.

import { describe, expect, it } from "vitest";
import type {
  LiveRelationships,
  RelationshipShape,
  ShapeFilter,
  Store,
  StoredSchema,
} from "../../../src/store/store.js";
import { formatRelationship } from "../../../src/tuple/format-relationship.js";
import {
  expectStoreError,
  expiring,
  inExpiryWindows,
  type MakeStore,
  readKeys,
  rel,
  remove,
  rev,
  touch,
  useStore,
} from "../store-test-helpers.js";

const approve = async () => {};

/** sortShapes orders shapes by their fields, whatever order each lists them in. */
function sortShapes(shapes: readonly RelationshipShape[]): RelationshipShape[] {
  const key = (shape: RelationshipShape) => JSON.stringify(Object.entries(shape).sort());
  return [...shapes].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/** describeSchemaConformance registers the tests of schema storage. */
export function describeSchemaConformance(makeStore: MakeStore): void {
  describe("schema", () => {
    const store = useStore(makeStore);

    /**
     * inCheck runs read inside a schema write's check on s (the test's store unless given), which
     * then approves, and returns what it read.
     */
    async function inCheck<T>(
      read: (live: LiveRelationships, previous: StoredSchema | undefined) => Promise<T>,
      s: Store = store(),
    ): Promise<T> {
      let result: { value: T } | undefined;
      await s.writeSchema("definition user {}", async (previous, live) => {
        result = { value: await read(live, previous) };
      });
      if (result === undefined) throw new Error("the check did not run");
      return result.value;
    }

    const texts = async (live: LiveRelationships, filter: ShapeFilter, limit = 100) =>
      (await live.find(filter, limit)).map(formatRelationship).sort();

    it("is absent until written, then read back with the revision that wrote it", async () => {
      const s = store();
      expect(await s.readSchema()).toBeUndefined();
      expect(await s.head()).toEqual({ revision: rev(0), schemaRevision: rev(0) });
      await s.write([touch("document:a#viewer@user:alice")]);
      const written = await s.writeSchema("definition user {}", approve);
      expect(written.revision).toBe(rev(2));
      expect(await s.readSchema()).toEqual({ text: "definition user {}", revision: rev(2) });
      await s.write([touch("document:b#viewer@user:bob")]);
      expect(await s.head()).toEqual({ revision: rev(3), schemaRevision: rev(2) });
    });

    it("hands the check the schema it replaces", async () => {
      expect(await inCheck(async (_, previous) => previous)).toBeUndefined();
      expect(await inCheck(async (_, previous) => previous)).toEqual({
        text: "definition user {}",
        revision: rev(1),
      });
    });

    it("finds and counts the live relationships of a type, a relation, or one shape exactly", async () => {
      const s = store();
      const soon = new Date(Date.now() + 60_000);
      await s.write([
        touch("document:a#viewer@user:alice"),
        touch("document:b#viewer@user:bob"),
        touch("document:a#viewer@user:*"),
        touch("document:a#viewer@group:eng#member[only_weekdays]"),
        touch("document:b#viewer@group:ops#member"),
        {
          operation: "touch",
          relationship: { ...rel("document:c#viewer@user:carol"), expiresAt: soon },
        },
        touch("document:a#editor@user:dave"),
        touch("folder:f#viewer@user:erin"),
      ]);
      const carol = formatRelationship({ ...rel("document:c#viewer@user:carol"), expiresAt: soon });
      const viewer = { resourceType: "document", relation: "viewer" };
      const user = { ...viewer, subjectType: "user", wildcard: false, expiring: false };
      const sets = { ...user, subjectType: "group", subjectRelation: "member" };
      const found = await inCheck(async (live) => ({
        type: await texts(live, { resourceType: "document" }),
        relation: await texts(live, viewer),
        objects: await texts(live, user),
        wildcard: await texts(live, { ...user, wildcard: true }),
        expiring: await texts(live, { ...user, expiring: true }),
        caveated: await texts(live, { ...sets, caveat: "only_weekdays" }),
        plainSets: await texts(live, sets),
        absent: await texts(live, { ...user, caveat: "only_weekdays" }),
        limited: (await live.find(viewer, 2)).length,
        counted: await live.count(viewer, 100),
        capped: await live.count(viewer, 3),
        none: await live.count({ resourceType: "team" }, 100),
        shapes: sortShapes(await live.shapes()),
      }));
      const viewers = [
        "document:a#viewer@group:eng#member[only_weekdays]",
        "document:a#viewer@user:*",
        "document:a#viewer@user:alice",
        "document:b#viewer@group:ops#member",
        "document:b#viewer@user:bob",
        carol,
      ];
      expect(found).toEqual({
        type: ["document:a#editor@user:dave", ...viewers],
        relation: viewers,
        objects: ["document:a#viewer@user:alice", "document:b#viewer@user:bob"],
        wildcard: ["document:a#viewer@user:*"],
        expiring: [carol],
        caveated: ["document:a#viewer@group:eng#member[only_weekdays]"],
        plainSets: ["document:b#viewer@group:ops#member"],
        absent: [],
        limited: 2,
        counted: 6,
        capped: 3,
        none: 0,
        shapes: sortShapes([
          user,
          { ...user, wildcard: true },
          { ...user, expiring: true },
          { ...user, relation: "editor" },
          { ...sets, caveat: "only_weekdays" },
          sets,
          { ...user, resourceType: "folder" },
        ]),
      });
    });

    it("reads only the newest versions, neither deleted nor expired", async () => {
      // carol's relationship must be written before it expires: see inExpiryWindows.
      await inExpiryWindows(store(), makeStore, async (s, window) => {
        await window.inTime(
          s.write([
            touch("document:a#viewer@user:alice[only_weekdays]"),
            touch("document:b#viewer@user:bob"),
            expiring("document:c#viewer@user:carol", window.end),
          ]),
        );
        // alice's newest version has no caveat; bob's is deleted; carol's expires.
        await s.write([
          touch("document:a#viewer@user:alice"),
          remove("document:b#viewer@user:bob"),
        ]);
        await window.closed();
        const user = {
          resourceType: "document",
          relation: "viewer",
          subjectType: "user",
          wildcard: false,
        };
        const found = await inCheck(
          async (live) => ({
            all: await texts(live, { resourceType: "document" }),
            caveated: await live.count({ ...user, caveat: "only_weekdays", expiring: false }, 10),
            expiring: await live.count({ ...user, expiring: true }, 10),
            shapes: await live.shapes(),
          }),
          s,
        );
        expect(found).toEqual({
          all: ["document:a#viewer@user:alice"],
          caveated: 0,
          expiring: 0,
          shapes: [{ ...user, expiring: false }],
        });
      });
    });

    it("orders a write made during the check after the schema write, which the check does not see", async () => {
      const s = store();
      const { revision: first } = await s.writeSchema("definition user {}", approve);
      let plain: Promise<{ revision: number }> | undefined;
      let refused: Promise<unknown> | undefined;
      let seen: string[] | undefined;
      const { revision: second } = await s.writeSchema("definition user {}\n", async (_, live) => {
        plain = s.write([touch("document:a#viewer@user:alice")]);
        refused = expectStoreError(
          s.write([touch("document:b#viewer@user:bob")], [], { schemaRevision: first }),
          "schema-changed",
        );
        seen = await texts(live, { resourceType: "document" });
      });
      expect(seen).toEqual([]);
      expect((await plain!).revision).toBeGreaterThan(second);
      await refused;
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
    });

    it("refuses writes and imports checked against a schema since replaced", async () => {
      const s = store();
      const { revision: first } = await s.writeSchema("definition user {}", approve);
      await s.write([touch("document:a#viewer@user:alice")], [], { schemaRevision: first });
      const { revision: second } = await s.writeSchema("definition user {}\n", approve);
      await expectStoreError(
        s.write([touch("document:b#viewer@user:bob")], [], { schemaRevision: first }),
        "schema-changed",
      );
      await expectStoreError(
        s.importRelationships([rel("document:c#viewer@user:carol")], { schemaRevision: first }),
        "schema-changed",
      );
      expect(await readKeys(s)).toEqual(["document:a#viewer@user:alice"]);
      await s.importRelationships([rel("document:c#viewer@user:carol")], {
        schemaRevision: second,
      });
      expect(await readKeys(s)).toHaveLength(2);
    });

    it("is not written when the check throws, and nothing else changes", async () => {
      const s = store();
      await s.writeSchema("definition user {}", approve);
      const refusal = s.writeSchema("definition other {}", async () => {
        throw new Error("document#viewer is used but not defined");
      });
      await expect(refusal).rejects.toThrow("document#viewer is used but not defined");
      expect(await s.readSchema()).toEqual({ text: "definition user {}", revision: rev(1) });
      expect(await s.head()).toEqual({ revision: rev(1), schemaRevision: rev(1) });
    });
  });
}
