// Conformance: every filter field, key order, paging by cursor, and expiry hiding at `now`.

import { describe, expect, it } from "vitest";
import type { RelationshipFilter, Store } from "../../../src/store/store.js";
import { relationshipKey } from "../../../src/tuple/relationship-key.js";
import {
  expectStoreError,
  keys,
  type MakeStore,
  named,
  read,
  readKeys,
  rel,
  touch,
  useStore,
} from "../store-test-helpers.js";

const DATA = [
  "document:a#viewer@user:alice",
  "document:a#viewer@group:eng#member",
  "document:a#viewer@group:eng#admin",
  "document:a#editor@user:bob",
  "document:b#viewer@user:alice",
  "document:b#viewer@user:*",
  "document:b#parent@folder:f",
  "folder:f#viewer@user:alice",
  "folder:f#viewer@group:eng",
  "group:eng#member@user:bob",
];

/** FILTERS pairs filters with the keys they select from DATA, in key order. */
const FILTERS: [string, RelationshipFilter, string[]][] = [
  ["nothing set", {}, [...DATA].sort()],
  [
    "resource type",
    { resourceType: "folder" },
    ["folder:f#viewer@group:eng", "folder:f#viewer@user:alice"],
  ],
  [
    "resource type and ids",
    { resourceType: "document", resourceIds: ["b", "missing"] },
    ["document:b#parent@folder:f", "document:b#viewer@user:*", "document:b#viewer@user:alice"],
  ],
  [
    "resource ids without a type",
    { resourceIds: ["f"] },
    ["folder:f#viewer@group:eng", "folder:f#viewer@user:alice"],
  ],
  ["an empty id list", { resourceType: "document", resourceIds: [] }, []],
  [
    "the forward walk: type, ids, relation",
    { resourceType: "document", resourceIds: ["b", "a"], relation: "viewer" },
    [
      "document:a#viewer@group:eng#admin",
      "document:a#viewer@group:eng#member",
      "document:a#viewer@user:alice",
      "document:b#viewer@user:*",
      "document:b#viewer@user:alice",
    ],
  ],
  [
    "repeated ids, once each",
    { resourceType: "document", resourceIds: ["a", "a"], relation: "editor" },
    ["document:a#editor@user:bob"],
  ],
  ["relation alone", { relation: "member" }, ["group:eng#member@user:bob"]],
  [
    "resource type and relation",
    { resourceType: "document", relation: "parent" },
    ["document:b#parent@folder:f"],
  ],
  [
    "subject type",
    { subjectType: "group" },
    [
      "document:a#viewer@group:eng#admin",
      "document:a#viewer@group:eng#member",
      "folder:f#viewer@group:eng",
    ],
  ],
  [
    "the reverse walk: subject type and ids",
    { subjectType: "user", subjectIds: ["alice", "bob"] },
    [
      "document:a#editor@user:bob",
      "document:a#viewer@user:alice",
      "document:b#viewer@user:alice",
      "folder:f#viewer@user:alice",
      "group:eng#member@user:bob",
    ],
  ],
  ["subject ids without a type", { subjectIds: ["f"] }, ["document:b#parent@folder:f"]],
  [
    "the wildcard as a subject id",
    { subjectType: "user", subjectIds: ["*"] },
    ["document:b#viewer@user:*"],
  ],
  [
    "subject relation null: only objects",
    { subjectType: "group", subjectIds: ["eng"], subjectRelation: null },
    ["folder:f#viewer@group:eng"],
  ],
  [
    "subject relation set",
    { subjectType: "group", subjectIds: ["eng"], subjectRelation: "member" },
    ["document:a#viewer@group:eng#member"],
  ],
  [
    "subject relation unset: any",
    { subjectType: "group", subjectIds: ["eng"] },
    [
      "document:a#viewer@group:eng#admin",
      "document:a#viewer@group:eng#member",
      "folder:f#viewer@group:eng",
    ],
  ],
  [
    "subject relation without subject type",
    { subjectRelation: "admin" },
    ["document:a#viewer@group:eng#admin"],
  ],
  [
    "subject relation null without subject type",
    { resourceType: "document", resourceIds: ["a"], subjectRelation: null },
    ["document:a#editor@user:bob", "document:a#viewer@user:alice"],
  ],
  [
    "resource and subject together",
    {
      resourceType: "document",
      resourceIds: ["a", "b"],
      relation: "viewer",
      subjectType: "user",
      subjectIds: ["alice"],
      subjectRelation: null,
    },
    ["document:a#viewer@user:alice", "document:b#viewer@user:alice"],
  ],
  [
    "subject ids and resource fields",
    { resourceType: "folder", subjectType: "user", subjectIds: ["alice", "bob"] },
    ["folder:f#viewer@user:alice"],
  ],
  ["an unknown type", { resourceType: "nothing", resourceIds: ["a"] }, []],
  [
    "object relations: the sets named, of any types and relations",
    {
      objectRelations: [
        { type: "folder", id: "f", relation: "viewer" },
        { type: "document", id: "b", relation: "parent" },
        { type: "document", id: "a", relation: "editor" },
      ],
    },
    [
      "document:a#editor@user:bob",
      "document:b#parent@folder:f",
      "folder:f#viewer@group:eng",
      "folder:f#viewer@user:alice",
    ],
  ],
  [
    "object relations: exactly the sets, not their cross product",
    {
      objectRelations: [
        { type: "document", id: "b", relation: "viewer" },
        { type: "document", id: "a", relation: "editor" },
      ],
    },
    ["document:a#editor@user:bob", "document:b#viewer@user:*", "document:b#viewer@user:alice"],
  ],
  [
    "object relations named twice, once each",
    {
      objectRelations: [
        { type: "document", id: "a", relation: "editor" },
        { type: "group", id: "eng", relation: "member" },
        { type: "document", id: "a", relation: "editor" },
      ],
    },
    ["document:a#editor@user:bob", "group:eng#member@user:bob"],
  ],
  ["an empty object relation list", { objectRelations: [] }, []],
  [
    "object relations that hold nothing",
    {
      objectRelations: [
        { type: "document", id: "missing", relation: "viewer" },
        { type: "document", id: "a", relation: "parent" },
        { type: "nothing", id: "a", relation: "viewer" },
      ],
    },
    [],
  ],
  [
    "object relations and resource fields",
    {
      resourceType: "document",
      resourceIds: ["a"],
      relation: "viewer",
      objectRelations: [
        { type: "document", id: "a", relation: "viewer" },
        { type: "document", id: "a", relation: "editor" },
        { type: "document", id: "b", relation: "viewer" },
        { type: "folder", id: "f", relation: "viewer" },
      ],
    },
    [
      "document:a#viewer@group:eng#admin",
      "document:a#viewer@group:eng#member",
      "document:a#viewer@user:alice",
    ],
  ],
  [
    "object relations and subject fields",
    {
      objectRelations: [
        { type: "folder", id: "f", relation: "viewer" },
        { type: "document", id: "a", relation: "viewer" },
      ],
      subjectType: "group",
      subjectRelation: null,
    },
    ["folder:f#viewer@group:eng"],
  ],
  [
    "object relations and subject ids",
    {
      objectRelations: [
        { type: "folder", id: "f", relation: "viewer" },
        { type: "document", id: "b", relation: "viewer" },
        { type: "document", id: "a", relation: "editor" },
      ],
      subjectType: "user",
      subjectIds: ["alice"],
    },
    ["document:b#viewer@user:alice", "folder:f#viewer@user:alice"],
  ],
  [
    "object relations with subjects: only their relationships",
    {
      objectRelations: [
        named("document:b#viewer", "user:alice", "user:*"),
        named("document:a#viewer", "group:eng#member", "user:nobody"),
      ],
    },
    [
      "document:a#viewer@group:eng#member",
      "document:b#viewer@user:*",
      "document:b#viewer@user:alice",
    ],
  ],
  [
    "object relations with subjects, exactly: an object is not its sets, nor a wildcard its type",
    {
      objectRelations: [
        named("document:a#viewer", "group:eng"),
        named("folder:f#viewer", "group:eng"),
        named("document:b#viewer", "user:bob"),
      ],
    },
    ["folder:f#viewer@group:eng"],
  ],
  [
    "a set named with subjects and without is read whole",
    {
      objectRelations: [
        named("document:a#viewer", "user:alice"),
        named("folder:f#viewer", "user:alice"),
        named("document:a#viewer"),
        named("folder:f#viewer", "group:eng"),
      ],
    },
    [
      "document:a#viewer@group:eng#admin",
      "document:a#viewer@group:eng#member",
      "document:a#viewer@user:alice",
      "folder:f#viewer@group:eng",
      "folder:f#viewer@user:alice",
    ],
  ],
  [
    "a set named with no subjects holds nothing",
    {
      objectRelations: [
        { ...named("document:a#viewer"), subjects: [] },
        named("document:a#editor"),
      ],
    },
    ["document:a#editor@user:bob"],
  ],
  [
    "object relations with subjects and subject fields",
    {
      objectRelations: [named("document:b#viewer", "user:alice", "user:*")],
      subjectIds: ["alice"],
    },
    ["document:b#viewer@user:alice"],
  ],
  [
    "a resource type prefix excepted",
    { exceptResourceTypePrefix: "doc" },
    ["folder:f#viewer@group:eng", "folder:f#viewer@user:alice", "group:eng#member@user:bob"],
  ],
  [
    "a resource type prefix excepted, with subject ids (the reverse walk)",
    { subjectType: "user", subjectIds: ["alice", "bob"], exceptResourceTypePrefix: "document" },
    ["folder:f#viewer@user:alice", "group:eng#member@user:bob"],
  ],
  [
    "a resource type prefix that excepts the type named",
    {
      resourceType: "document",
      resourceIds: ["a"],
      relation: "viewer",
      exceptResourceTypePrefix: "docu",
    },
    [],
  ],
  [
    "a resource type prefix that excepts another type",
    { resourceType: "document", resourceIds: ["b"], exceptResourceTypePrefix: "documents" },
    ["document:b#parent@folder:f", "document:b#viewer@user:*", "document:b#viewer@user:alice"],
  ],
  [
    "a resource type prefix excepted from object relations",
    {
      objectRelations: [
        { type: "folder", id: "f", relation: "viewer" },
        { type: "document", id: "a", relation: "editor" },
      ],
      exceptResourceTypePrefix: "folder",
    },
    ["document:a#editor@user:bob"],
  ],
];

/** describeQueryConformance checks filters, ordering, paging and expiry in snapshot reads. */
export function describeQueryConformance(makeStore: MakeStore): void {
  const store = useStore(makeStore);
  const seed = (s: Store) => s.write(DATA.map(touch));

  describe("filters", () => {
    it.each(FILTERS)("%s", async (_, filter, expected) => {
      await seed(store());
      expect(await readKeys(store(), filter)).toEqual(expected);
    });

    it("by resource id prefix, matching LIKE's wildcards literally", async () => {
      const s = store();
      const ids = ["a_1", "a_2", "ab1", "a", "b_1"];
      await s.write(ids.map((id) => touch(`document:${id}#viewer@user:u`)));
      await s.write([touch("folder:a_9#viewer@user:u")]);
      const idsOf = async (filter: RelationshipFilter) =>
        (await read(s, filter)).map((r) => `${r.resource.type}:${r.resource.id}`);
      const documents = { resourceType: "document" };
      expect(await idsOf({ ...documents, resourceIdPrefix: "a_" })).toEqual([
        "document:a_1",
        "document:a_2",
      ]);
      // No id holds `%` or `\\`: a prefix of them matches nothing, never everything.
      expect(await idsOf({ resourceIdPrefix: "%" })).toEqual([]);
      expect(await idsOf({ resourceIdPrefix: "\\" })).toEqual([]);
      expect(await idsOf({ resourceIdPrefix: "a_" })).toEqual([
        "document:a_1",
        "document:a_2",
        "folder:a_9",
      ]);
      const bySubject = { ...documents, resourceIdPrefix: "a", relation: "viewer" };
      expect(await idsOf({ ...bySubject, subjectType: "user", subjectIds: ["u"] })).toEqual([
        "document:a",
        "document:a_1",
        "document:a_2",
        "document:ab1",
      ]);
      expect(
        await idsOf({ ...documents, resourceIdPrefix: "a_", resourceIds: ["a_1", "b_1"] }),
      ).toEqual(["document:a_1"]);
      const set = { type: "document", id: "b_1", relation: "viewer" };
      expect(await idsOf({ objectRelations: [set], resourceIdPrefix: "a" })).toEqual([]);
      const { deleted } = await s.deleteMatching({ ...documents, resourceIdPrefix: "a_" });
      expect(deleted).toBe(2);
    });

    it("with many ids, as the engine's walks ask", async () => {
      const s = store();
      const ids = Array.from({ length: 200 }, (_, i) => `d${i}`);
      await s.write(ids.map((id) => touch(`document:${id}#viewer@user:u${id.length}`)));
      const asked = ids.filter((_, i) => i % 3 === 0);
      const forward = await readKeys(s, {
        resourceType: "document",
        resourceIds: asked,
        relation: "viewer",
      });
      expect(forward).toEqual(asked.map((id) => `document:${id}#viewer@user:u${id.length}`).sort());
      const reverse = await readKeys(s, { subjectType: "user", subjectIds: ["u2", "u9"] });
      expect(reverse).toEqual(
        ids
          .filter((id) => id.length === 2)
          .map((id) => `document:${id}#viewer@user:u2`)
          .sort(),
      );
    });
  });

  it("deletes by object relations", async () => {
    const s = store();
    await seed(s);
    const { deleted } = await s.deleteMatching({
      objectRelations: [
        { type: "document", id: "b", relation: "viewer" },
        { type: "group", id: "eng", relation: "member" },
      ],
    });
    expect(deleted).toBe(3);
    expect(await readKeys(s)).toEqual(
      DATA.filter(
        (key) => !key.startsWith("document:b#viewer@") && !key.startsWith("group:"),
      ).sort(),
    );
  });

  it("deletes by a filter that excepts a resource type prefix, leaving those relationships", async () => {
    const s = store();
    await seed(s);
    const { deleted } = await s.deleteMatching({
      subjectType: "user",
      subjectIds: ["alice"],
      exceptResourceTypePrefix: "folder",
    });
    expect(deleted).toBe(2);
    expect(await readKeys(s)).toEqual(
      DATA.filter((key) => !key.startsWith("document:") || !key.endsWith("@user:alice")).sort(),
    );
  });

  it("deletes by object relations with subjects", async () => {
    const s = store();
    await seed(s);
    const { deleted } = await s.deleteMatching({
      objectRelations: [
        named("document:a#viewer", "user:alice", "group:eng"),
        named("folder:f#viewer", "group:eng"),
      ],
    });
    expect(deleted).toBe(2);
    expect(await readKeys(s)).toEqual(
      DATA.filter(
        (key) => key !== "document:a#viewer@user:alice" && key !== "folder:f#viewer@group:eng",
      ).sort(),
    );
  });

  describe("paging", () => {
    it("limit and after return every row once, in key order", async () => {
      const s = store();
      await seed(s);
      const all = await read(s);
      expect(keys(all)).toEqual([...DATA].sort());
      const head = await s.headRevision();
      for (const limit of [1, 3, 4, DATA.length, DATA.length + 1]) {
        const pages: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await s.snapshot(head, new Date()).query({}, { limit, after });
          expect(page.length).toBeLessThanOrEqual(limit);
          pages.push(...keys(page));
          if (page.length < limit) break;
          after = relationshipKey(page[page.length - 1]!);
        }
        expect(pages).toEqual(keys(all));
      }
    });

    it("after works with a filter and a cursor that is not a stored key", async () => {
      const s = store();
      await seed(s);
      const page = await s
        .snapshot(await s.headRevision(), new Date())
        .query(
          { resourceType: "document" },
          { after: "document:a#viewer@group:eng#member", limit: 2 },
        );
      expect(keys(page)).toEqual(["document:a#viewer@user:alice", "document:b#parent@folder:f"]);
      const rest = await s
        .snapshot(await s.headRevision(), new Date())
        .query({}, { after: "document:b#viewer" });
      expect(keys(rest)[0]).toBe("document:b#viewer@user:*");
    });

    it("pages through object relations named out of key order", async () => {
      const s = store();
      await seed(s);
      const head = await s.headRevision();
      const filter: RelationshipFilter = {
        objectRelations: [
          { type: "group", id: "eng", relation: "member" },
          { type: "document", id: "b", relation: "viewer" },
          { type: "folder", id: "f", relation: "viewer" },
          { type: "document", id: "a", relation: "viewer" },
        ],
      };
      const all = keys(await s.snapshot(head, new Date()).query(filter));
      expect(all).toEqual(DATA.filter((key) => !/#(editor|parent)@/.test(key)).sort());
      await expectPages(s, filter, all);
      // The same sets, read by their subjects but one, read whole: every relationship but one.
      const bySubjects: RelationshipFilter = {
        objectRelations: [
          named("document:a#viewer", "user:alice", "group:eng#member", "group:eng#admin"),
          named("group:eng#member"),
          named("folder:f#viewer", "user:alice", "group:eng"),
          named("document:b#viewer", "user:*"),
        ],
      };
      await expectPages(
        s,
        bySubjects,
        all.filter((key) => key !== "document:b#viewer@user:alice"),
      );
    });

    /** expectPages reads filter by pages of several sizes and expects the keys of all, in order. */
    async function expectPages(s: Store, filter: RelationshipFilter, all: readonly string[]) {
      const head = await s.headRevision();
      expect(keys(await s.snapshot(head, new Date()).query(filter))).toEqual(all);
      for (const limit of [1, 2, 5]) {
        const pages: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await s.snapshot(head, new Date()).query(filter, { limit, after });
          pages.push(...keys(page));
          if (page.length < limit) break;
          after = relationshipKey(page[page.length - 1]!);
        }
        expect(pages).toEqual(all);
      }
    }

    it("refuses a limit that is not a non-negative integer", async () => {
      const reader = store().snapshot(await store().headRevision(), new Date());
      for (const limit of [-1, 1.5, Number.NaN]) {
        await expectStoreError(reader.query({}, { limit }), "invalid-argument", "limit");
      }
      await expectStoreError(store().deleteMatching({}, -1), "invalid-argument", "limit");
    });

    it("limit 0 returns nothing", async () => {
      await seed(store());
      const reader = store().snapshot(await store().headRevision(), new Date());
      expect(await reader.query({}, { limit: 0 })).toEqual([]);
    });
  });

  describe("expiry", () => {
    it("hides a relationship at and after its expiry, by the reader's now", async () => {
      const s = store();
      const expiresAt = new Date(Date.now() + 3_600_000);
      await s.write([
        { operation: "touch", relationship: { ...rel("document:a#viewer@user:alice"), expiresAt } },
        touch("document:a#viewer@user:bob"),
      ]);
      const head = await s.headRevision();
      const at = async (ms: number) =>
        keys(await s.snapshot(head, new Date(ms)).query({ resourceType: "document" }));
      expect(await at(expiresAt.getTime() - 1)).toEqual([
        "document:a#viewer@user:alice",
        "document:a#viewer@user:bob",
      ]);
      expect(await at(expiresAt.getTime())).toEqual(["document:a#viewer@user:bob"]);
      expect(await at(expiresAt.getTime() + 1)).toEqual(["document:a#viewer@user:bob"]);
    });
  });
}
