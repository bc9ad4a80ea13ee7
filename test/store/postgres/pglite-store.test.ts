// The SQL store on PGlite: the conformance suite in memory, and durability in a data directory.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEmbeddedTemplate } from "../../../src/store/postgres/embedded-template.js";
import { liveRelationshipsIn } from "../../../src/store/postgres/live-shape-reads.js";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import type { SqlQueryable } from "../../../src/store/postgres/sql-executor.js";
import { createSqlStore, type SqlStoreOptions } from "../../../src/store/postgres/sql-store.js";
import { type ShapeFilter, type Store, StoreUnavailableError } from "../../../src/store/store.js";
import { widening } from "../../support/time-window.js";
import { waitFor } from "../../support/wait-for.js";
import { describeStoreConformance } from "../store-conformance.js";
import {
  describeEvent,
  EXPIRY_WINDOWS_MS,
  expectStoreError,
  expiring,
  readKeys,
  rel,
  rev,
  take,
  touch,
} from "../store-test-helpers.js";
import { EMPTY_STORE } from "./empty-store.js";
import { freshPglite } from "./fresh-pglite.js";

// Starting PGlite takes seconds, so the suite's fresh stores share one database, emptied for each
// (the first store migrates it): the store under test runs as on a database of its own.
let shared: PGlite;

beforeAll(async () => {
  shared = await freshPglite();
});

afterAll(async () => {
  await shared.close();
});

/** openStore opens a store on the shared database as it is; closing it leaves the database open. */
function openStore(options: SqlStoreOptions = {}): Promise<Store> {
  return createSqlStore({ ...createPgliteExecutor(shared), close: async () => {} }, options);
}

async function freshStore(options: SqlStoreOptions = {}): Promise<Store> {
  await shared.exec(EMPTY_STORE);
  return openStore(options);
}

describeStoreConformance("PGlite", freshStore, { propertyRuns: 30 });

describe("PGlite store", () => {
  it("answers a call after close as unavailable, not as a fault", async () => {
    const store = await freshStore();
    await store.close();
    const error = await store.head().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe("the store is closed: the server is shutting down");
  });

  it("marks a revision's end when its events span more than one changelog read", async () => {
    const store = await freshStore();
    try {
      const ids = Array.from({ length: 1500 }, (_, i) => `d${i}`);
      await store.importRelationships(ids.map((id) => rel(`document:${id}#viewer@user:alice`)));
      await store.write([touch("folder:f#viewer@user:alice")]);
      const events = await take(store.watch(rev(0)), 1501);
      const ends = events.flatMap((e, i) => (e.lastInRevision ? [`${i} ${e.revision}`] : []));
      expect(ends).toEqual(["1499 1", "1500 2"]);
    } finally {
      await store.close();
    }
  });

  it("collects garbage in the background", async () => {
    const store = await freshStore({ retentionMs: 0, gcIntervalMs: 20 });
    try {
      await store.write([touch("document:a#viewer@user:alice")]);
      await store.write([touch("document:a#viewer@user:alice[only_weekdays]")]);
      await waitFor(
        "the background collection to make revision 2 the oldest",
        async () => (await store.oldestRevision()) === rev(2),
        30_000,
      );
      const [{ versions } = {}] = (
        await shared.query<{ versions: number }>(
          "SELECT count(*)::int AS versions FROM latch_relationships",
        )
      ).rows;
      expect(versions).toBe(1);
    } finally {
      await store.close();
    }
  });

  // The next two must write before an expiry: on a machine too slow for the window, they start
  // again on a fresh store with a wider one.
  it("delivers an expire event to a watch started after the last write", async () => {
    await widening(EXPIRY_WINDOWS_MS, async (window) => {
      const store = await freshStore();
      try {
        await window.inTime(store.write([expiring("document:a#viewer@user:alice", window.end)]));
        const events = await take(store.watch(rev(1)), 1);
        expect(events.map(describeEvent)).toEqual(["2 expire document:a#viewer@user:alice"]);
      } finally {
        await store.close();
      }
    });
  });

  it("logs, once started, the expiries that a closed store left pending", async () => {
    await widening(EXPIRY_WINDOWS_MS, async (window) => {
      const first = await freshStore();
      try {
        await window.inTime(first.write([expiring("document:a#viewer@user:alice", window.end)]));
      } finally {
        // Closed before the expiry, so that only the next store can log it.
        await window.inTime(first.close());
      }
      const second = await openStore();
      try {
        const events = await take(second.watch(rev(0)), 2);
        expect(events.map(describeEvent)).toEqual([
          "1 touch document:a#viewer@user:alice",
          "2 expire document:a#viewer@user:alice",
        ]);
      } finally {
        await second.close();
      }
    });
  });

  it("starts a new data directory from the build's template, and keeps it across restarts", async () => {
    // `npm install` builds the template; without it a first start takes seconds more (initdb).
    expect(await readEmbeddedTemplate()).toBeDefined();
    const dataDir = await mkdtemp(join(tmpdir(), "latch-pglite-"));
    try {
      const first = await createPgliteStore({ dataDir: join(dataDir, "latch", "data") });
      await first.write([touch("document:a#viewer@user:alice")]);
      await first.close();
      const second = await createPgliteStore({ dataDir: join(dataDir, "latch", "data") });
      expect(await second.headRevision()).toBe(1);
      expect(await readKeys(second)).toEqual(["document:a#viewer@user:alice"]);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("takes its update limit from maxUpdatesPerWrite", async () => {
    await shared.exec(EMPTY_STORE);
    const store = await openStore({ maxUpdatesPerWrite: 2 });
    try {
      const updates = ["a", "b", "c"].map((id) => touch(`document:${id}#viewer@user:alice`));
      await store.write(updates.slice(0, 2));
      await expectStoreError(store.write(updates), "too-many-updates", "at most 2", "3 were given");
    } finally {
      await store.close();
    }
    await expect(createPgliteStore({ maxUpdatesPerWrite: 0 })).rejects.toThrow(RangeError);
  });

  it("rejects every call after close", async () => {
    const store = await freshStore();
    await store.close();
    await expect(store.headRevision()).rejects.toThrow("closed");
    await expect(store.write([])).rejects.toThrow("closed");
    await expect(store.deleteMatching({})).rejects.toThrow("closed");
    await expect(store.snapshot(rev(0), new Date()).query({})).rejects.toThrow("closed");
    await expect(take(store.watch(rev(0)), 1)).rejects.toThrow("closed");
  });
});

describe("the probes of a schema write", () => {
  const user = { subjectType: "user", wildcard: false, expiring: false };
  const viewer = { resourceType: "document", relation: "viewer" };
  const FILTERS: readonly ShapeFilter[] = [
    { resourceType: "folder" },
    { resourceType: "folder", relation: "viewer" },
    { ...viewer, ...user },
    { ...viewer, ...user, wildcard: true },
    { ...viewer, ...user, caveat: "only_weekdays", expiring: true },
    {
      ...viewer,
      subjectType: "group",
      subjectRelation: "member",
      wildcard: false,
      expiring: false,
    },
  ];

  it("each walk the shape index, with every field of the filter an index condition", async () => {
    const store = await freshStore();
    try {
      await store.importRelationships([
        ...Array.from({ length: 300 }, (_, i) => rel(`document:d${i}#viewer@user:u${i}`)),
        ...Array.from({ length: 100 }, (_, i) => rel(`document:d${i}#viewer@user:*`)),
        ...Array.from({ length: 100 }, (_, i) => rel(`folder:f${i}#viewer@group:g${i}#member`)),
      ]);
      await store.deleteMatching({ resourceType: "folder" });
      await shared.exec("ANALYZE latch_relationships");
      const plans: string[] = [];
      await createPgliteExecutor(shared).transaction(async (tx) => {
        // Whether the planner prefers the index on a table this small is beside the point.
        await tx.exec("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off");
        const explaining: SqlQueryable = {
          ...tx,
          query: async (sql, params) => {
            const rows = await tx.query(`EXPLAIN (COSTS OFF) ${sql}`, params);
            plans.push(rows.map((row) => String(row["QUERY PLAN"])).join("\n"));
            return sql.includes("count(*)") ? [{ found: 0 }] : [];
          },
        };
        const live = liveRelationshipsIn(explaining, new Date());
        for (const filter of FILTERS) {
          await live.find(filter, 3);
          await live.count(filter, 1000);
        }
      });
      expect(plans).toHaveLength(FILTERS.length * 2);
      plans.forEach((plan, i) => {
        expect(plan).toContain("Index Scan using latch_relationships_shape");
        expect(plan).not.toContain("Sort");
        // Only the expiry of a probe by type or relation is checked row by row.
        const filtered = plan.split("\n").filter((line) => line.includes("Filter:"));
        expect(filtered).toEqual(
          "subjectType" in FILTERS[Math.floor(i / 2)]!
            ? []
            : [expect.stringMatching(/Filter: \(\(expires_at IS NULL\) OR \(expires_at > /)],
        );
      });
    } finally {
      await store.close();
    }
  });
});
