// Bulk import and streaming export on PGlite (in memory) and on Postgres (a fresh database).

import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importRelationships } from "../../../src/store/postgres/bulk-import.js";
import { CHANGES_CHANNEL } from "../../../src/store/postgres/change-notification.js";
import { createPgExecutor } from "../../../src/store/postgres/pg-executor.js";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { createSqlStore } from "../../../src/store/postgres/sql-store.js";
import type { SnapshotReader, Store } from "../../../src/store/store.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { relationshipKey } from "../../../src/tuple/relationship-key.js";
import { widening } from "../../support/time-window.js";
import { waitFor } from "../../support/wait-for.js";
import {
  describeEvent,
  EXPIRY_WINDOWS_MS,
  expectStoreError,
  expiring,
  keys,
  rel,
  remove,
  rev,
  take,
} from "../store-test-helpers.js";
import { EMPTY_STORE } from "./empty-store.js";
import { freshPglite } from "./fresh-pglite.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "./test-database.js";

/** generate makes count distinct relationships, some with a subject relation, caveat or expiry. */
function generate(count: number): Relationship[] {
  const later = new Date(Date.now() + 86_400_000);
  return Array.from({ length: count }, (_, i): Relationship => {
    const base = { resource: { type: "document", id: `d${i}` }, relation: "viewer" };
    if (i % 7 === 0) {
      return { ...base, subject: { type: "group", id: `g${i % 50}`, relation: "member" } };
    }
    if (i % 11 === 0) {
      return {
        ...base,
        subject: { type: "user", id: `u${i % 100}` },
        caveat: { name: "on_weekdays", context: { day: i % 5, zone: "UTC" } },
      };
    }
    if (i % 13 === 0) return { ...base, subject: { type: "user", id: `u${i}` }, expiresAt: later };
    return { ...base, subject: { type: "user", id: `u${i % 100}` } };
  });
}

function sortedByKey(rels: readonly Relationship[]): Relationship[] {
  return [...rels].sort((a, b) => {
    const [x, y] = [relationshipKey(a), relationshipKey(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

async function* slowly(rels: readonly Relationship[]): AsyncGenerator<Relationship> {
  for (const relationship of rels) yield relationship;
}

/** pageThrough reads a snapshot page by page, each after the last key of the one before. */
async function pageThrough(
  reader: SnapshotReader,
  limit: number,
  after?: string,
): Promise<Relationship[]> {
  const all: Relationship[] = [];
  let cursor = after;
  for (;;) {
    const page = await reader.query(
      {},
      { limit, ...(cursor === undefined ? {} : { after: cursor }) },
    );
    all.push(...page);
    if (page.length < limit) return all;
    cursor = relationshipKey(page.at(-1)!);
  }
}

/** describeBulk runs the suite on the database behind executor(), emptied before each test. */
function describeBulk(name: string, executor: () => SqlExecutor): void {
  describe(`bulk import and export on ${name}`, () => {
    let store: Store;
    const db = () => executor();

    beforeEach(async () => {
      await db().exec(EMPTY_STORE);
      store = await createSqlStore({ ...db(), close: async () => {} });
      return () => store.close();
    });

    it("imports 20,000 relationships at one revision, each readable there, with changelog", async () => {
      const rels = generate(20_000);
      const result = await importRelationships(db(), slowly(rels), { batchSize: 3_000 });
      expect(result).toEqual({ revision: 1, imported: 20_000 });
      expect(await store.headRevision()).toBe(1);
      const read = await store.snapshot(result.revision, new Date()).query({});
      expect(read).toEqual(sortedByKey(rels));
      const [one] = await store
        .snapshot(result.revision, new Date())
        .query({ resourceType: "document", resourceIds: ["d11"], relation: "viewer" });
      expect(one).toEqual(rels[11]);
      const [logged] = await db().query(
        "SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM latch_changelog WHERE revision = 1 AND kind = 'touch'",
      );
      expect(logged).toEqual({ n: 20_000, seqs: 20_000 });
    });

    it("replaces relationships that exist (touch) and takes a plain iterable", async () => {
      await store.write([{ operation: "touch", relationship: rel("document:d1#viewer@user:u1") }]);
      const rels = generate(10);
      const result = await importRelationships(db(), rels);
      expect(result).toEqual({ revision: 2, imported: 10 });
      expect(await store.snapshot(rev(2), new Date()).query({})).toEqual(sortedByKey(rels));
    });

    it("imports nothing when a relationship in the middle is invalid", async () => {
      const rels = generate(12_000);
      rels[7_500] = rel("document:d7500#viewer@user:u1");
      rels[7_500] = { ...rels[7_500], resource: { type: "document", id: "bad id!" } };
      await expectStoreError(
        importRelationships(db(), rels, { batchSize: 1_000 }),
        "invalid-argument",
        "bad id!",
      );
      expect(await store.headRevision()).toBe(0);
      const [counts] = await db().query(
        "SELECT (SELECT count(*) FROM latch_relationships)::int AS rels, (SELECT count(*) FROM latch_changelog)::int AS events",
      );
      expect(counts).toEqual({ rels: 0, events: 0 });
    });

    it("leaves every index as it was, after an import into an empty store and after a failed one", async () => {
      const indexes = async () =>
        db().query(
          "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'latch_relationships' ORDER BY indexname",
        );
      const before = await indexes();
      expect(before.map((index) => index.indexname)).toContain("latch_relationships_reverse");
      const rels = generate(3_000);
      await expectStoreError(
        importRelationships(db(), [...rels, rels[0]!], { batchSize: 1_000 }),
        "invalid-argument",
      );
      expect(await indexes()).toEqual(before);
      await importRelationships(db(), rels, { batchSize: 1_000 });
      expect(await indexes()).toEqual(before);
      const [reverse] = await db().query(
        "EXPLAIN SELECT 1 FROM latch_relationships WHERE subject_type = 'group' AND subject_id = 'g1' AND subject_relation = 'member'",
      );
      expect(Object.values(reverse ?? {}).join()).toContain("latch_relationships_reverse");
    });

    it("imports nothing when a relationship appears twice, even in different batches", async () => {
      const rels = generate(3_000);
      rels.push({ ...rels[10]!, expiresAt: new Date(Date.now() + 60_000) });
      await expectStoreError(
        importRelationships(db(), rels, { batchSize: 1_000 }),
        "invalid-argument",
        `an import holds ${relationshipKey(rels[10]!)} more than once`,
      );
      expect(await store.headRevision()).toBe(0);
      // Into a store that has relationships, whose versions each batch retires first.
      await store.write([{ operation: "touch", relationship: rels[10]! }]);
      await expectStoreError(
        importRelationships(db(), [rels[10]!, ...rels.slice(11)], { batchSize: 1_000 }),
        "invalid-argument",
        `an import holds ${relationshipKey(rels[10]!)} more than once`,
      );
      await expectStoreError(
        importRelationships(db(), [rels[10]!, rels[10]!]),
        "invalid-argument",
        "more than once",
      );
      expect(await store.headRevision()).toBe(1);
      expect(await store.snapshot(rev(1), new Date()).query({})).toEqual([rels[10]]);
    });

    it("keeps caveat contexts with tabs, backslashes, newlines and Unicode exactly", async () => {
      const contexts = [
        { text: "tab\there", "key\twith tab": 1 },
        { path: "C:\\dir\\file", escaped: "\\N", end: "\\." },
        { lines: "one\ntwo\r\nthree", nested: { list: ["\t", "\\", "\n"] } },
        { unicode: "é ß 漢字 👩‍👩‍👧 \u2028", quote: '"quoted"', zero: -0 },
      ];
      const rels = contexts.map(
        (context, i): Relationship => ({
          resource: { type: "document", id: `d${i}` },
          relation: "viewer",
          subject: { type: "user", id: "u1" },
          caveat: { name: "on_weekdays", context },
        }),
      );
      const { revision } = await importRelationships(db(), rels, { batchSize: 3 });
      expect(await store.snapshot(revision, new Date()).query({})).toEqual(rels);
      const events = await take(store.watch(rev(0)), rels.length);
      expect(events.map((event) => event.relationship)).toEqual(rels);
    });

    it("logs one touch event per relationship at the import's revision, in import order", async () => {
      await store.write([{ operation: "touch", relationship: rel("document:d0#viewer@user:u0") }]);
      const rels = generate(2_500).reverse();
      const { revision } = await importRelationships(db(), rels, { batchSize: 700 });
      const events = await take(store.watch(rev(1)), rels.length);
      expect(events.map(describeEvent)).toEqual(keys(rels).map((key) => `2 touch ${key}`));
      expect(revision).toBe(2);
    });

    it("replaces existing relationships across batches, keeping the others and history", async () => {
      const before = generate(3_000);
      await importRelationships(db(), before);
      const later = new Date(Date.now() + 3_600_000);
      // Every third one again, with an expiry now, and as many new ones.
      const again = before.filter((_, i) => i % 3 === 0).map((r) => ({ ...r, expiresAt: later }));
      const added = generate(4_000).slice(3_000);
      const result = await importRelationships(db(), [...again, ...added], { batchSize: 400 });
      expect(result).toEqual({ revision: 2, imported: again.length + added.length });
      const kept = before.filter((_, i) => i % 3 !== 0);
      const now = new Date();
      expect(await store.snapshot(rev(2), now).query({})).toEqual(
        sortedByKey([...kept, ...again, ...added]),
      );
      expect(await store.snapshot(rev(1), now).query({})).toEqual(sortedByKey(before));
      const [versions] = await db().query(
        "SELECT count(*)::int AS live, (SELECT count(*)::int FROM latch_relationships) AS all FROM latch_relationships WHERE deleted_rev IS NULL",
      );
      expect(versions).toEqual({
        live: before.length + added.length,
        all: before.length + again.length + added.length,
      });
    });

    it("notifies watchers of the import's revision and its earliest expiry", async () => {
      const payloads: (string | undefined)[] = [];
      const stop = await db().listen(CHANGES_CHANNEL, (payload) => payloads.push(payload));
      try {
        const soon = new Date(Date.now() + 60_000);
        const rels = generate(100);
        rels[42] = { ...rels[42]!, expiresAt: soon };
        await importRelationships(db(), rels, { batchSize: 30 });
        await waitFor(
          "the import's notification",
          () => payloads.includes(`1 ${soon.getTime()}`),
          10_000,
        );
      } finally {
        await stop();
      }
    });

    it("logs the expiries already due before the import's own events, as a write does", async () => {
      // The write must come before its expiry: on a machine too slow for the window, the test
      // starts again on an emptied store, wider.
      await widening(EXPIRY_WINDOWS_MS, async (window) => {
        await store.close();
        await db().exec(EMPTY_STORE);
        store = await createSqlStore({ ...db(), close: async () => {} });
        await window.inTime(store.write([expiring("document:gone#viewer@user:u1", window.end)]));
        // No store is open while the expiry falls due, so no timer logs it: the import must.
        await store.close();
        await window.closed();
        const result = await importRelationships(db(), generate(3));
        store = await createSqlStore({ ...db(), close: async () => {} });
        expect(await store.headRevision()).toBe(result.revision);
        const events = await take(store.watch(rev(0)), 5);
        expect(events.map((event) => event.kind)).toEqual([
          "touch",
          "expire",
          "touch",
          "touch",
          "touch",
        ]);
        expect(events.slice(2).map((event) => event.revision)).toEqual([
          result.revision,
          result.revision,
          result.revision,
        ]);
      });
    });

    it("imports nothing when the source fails, and the database goes on", async () => {
      async function* failing(): AsyncGenerator<Relationship> {
        yield* generate(2_500);
        throw new Error("the source broke");
      }
      await expect(importRelationships(db(), failing(), { batchSize: 1_000 })).rejects.toThrow(
        "the source broke",
      );
      expect(await store.headRevision()).toBe(0);
      const [counts] = await db().query(
        "SELECT (SELECT count(*) FROM latch_relationships)::int AS rels, (SELECT count(*) FROM latch_changelog)::int AS events",
      );
      expect(counts).toEqual({ rels: 0, events: 0 });
      expect(await importRelationships(db(), generate(10))).toEqual({ revision: 1, imported: 10 });
    });

    it("refuses a relationship that has already expired", async () => {
      const rels = generate(10);
      rels[5] = { ...rels[5]!, expiresAt: new Date(Date.now() - 1_000) };
      await expectStoreError(importRelationships(db(), rels), "invalid-argument", "expired");
      expect(await store.headRevision()).toBe(0);
    });

    it("pages out every imported relationship once, in key order, at a fixed revision", async () => {
      const rels = generate(3_000);
      const { revision } = await importRelationships(db(), rels);
      await store.deleteMatching({ resourceType: "document" });
      await store.write([remove("document:d1#viewer@user:u1")]);
      // ExportRelationships pages this way: a snapshot read in key order, after the last key.
      const exported = await pageThrough(store.snapshot(revision, new Date()), 256);
      expect(exported).toEqual(sortedByKey(rels));
      expect(await pageThrough(store.snapshot(rev(2), new Date()), 256)).toEqual([]);
    });

    it("resumes paging from a key in the middle with exactly the rest", async () => {
      const { revision } = await importRelationships(db(), generate(2_500));
      const reader = store.snapshot(revision, new Date());
      const all = keys(await pageThrough(reader, 300));
      const rest = keys(await pageThrough(reader, 300, all[1_233]));
      expect([...all.slice(0, 1_234), ...rest]).toEqual(all);
      expect(rest).toHaveLength(2_500 - 1_234);
    });
  });
}

let lite: PGlite | undefined;
let liteExecutor: SqlExecutor | undefined;
beforeAll(async () => {
  lite = await freshPglite();
  liteExecutor = createPgliteExecutor(lite);
});
afterAll(async () => {
  await lite?.close();
});
describeBulk("PGlite", () => liteExecutor!);

const serverUrl = await postgresForTests("bulk import and export on Postgres");
if (serverUrl !== undefined) {
  let database: TestDatabase | undefined;
  let pgExecutor: SqlExecutor | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(serverUrl);
    pgExecutor = createPgExecutor({ connectionString: database.url, max: 4 });
  });
  afterAll(async () => {
    await pgExecutor?.close();
    await database?.drop();
  });
  describeBulk("Postgres", () => pgExecutor!);
}
