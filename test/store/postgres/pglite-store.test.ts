// The SQL store on PGlite: the conformance suite in memory, and durability in a data directory.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import { createSqlStore, type SqlStoreOptions } from "../../../src/store/postgres/sql-store.js";
import { type Store, StoreUnavailableError } from "../../../src/store/store.js";
import { describeStoreConformance } from "../store-conformance.js";
import {
  describeEvent,
  expectStoreError,
  readKeys,
  rel,
  rev,
  take,
  touch,
} from "../store-test-helpers.js";
import { EMPTY_STORE } from "./empty-store.js";

// Starting PGlite takes seconds, so the suite's fresh stores share one database, emptied for each
// (the first store migrates it): the store under test runs as on a database of its own.
let shared: PGlite;

beforeAll(async () => {
  shared = await PGlite.create();
}, 60_000);

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
      await vi.waitFor(async () => expect(await store.oldestRevision()).toBe(rev(2)), {
        timeout: 5_000,
      });
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

  it("delivers an expire event to a watch started after the last write", async () => {
    const store = await freshStore();
    try {
      const expiresAt = new Date(Date.now() + 100);
      await store.write([
        { operation: "touch", relationship: { ...rel("document:a#viewer@user:alice"), expiresAt } },
      ]);
      const events = await take(store.watch(rev(1)), 1);
      expect(events.map(describeEvent)).toEqual(["2 expire document:a#viewer@user:alice"]);
    } finally {
      await store.close();
    }
  });

  it("logs, once started, the expiries that a closed store left pending", async () => {
    const first = await freshStore();
    const expiresAt = new Date(Date.now() + 150);
    await first.write([
      { operation: "touch", relationship: { ...rel("document:a#viewer@user:alice"), expiresAt } },
    ]);
    await first.close();
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

  it("keeps its relationships in a data directory across restarts", async () => {
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
  }, 60_000);

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
