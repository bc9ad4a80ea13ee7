// The SQL store on a real Postgres server: the conformance suite, and what several replicas share.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SqlStoreOptions } from "../../../src/store/postgres/sql-store.js";
import type { Store } from "../../../src/store/store.js";
import { widening } from "../../support/time-window.js";
import { describeStoreConformance } from "../store-conformance.js";
import {
  describeEvent,
  EXPIRY_WINDOWS_MS,
  expectStoreError,
  expiring,
  readKeys,
  rev,
  take,
  touch,
} from "../store-test-helpers.js";
import { EMPTY_STORE } from "./empty-store.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "./test-database.js";

const serverUrl = await postgresForTests("Postgres store");

if (serverUrl !== undefined) {
  // One database for the file; each store starts on it emptied, as on a database of its own.
  let database: TestDatabase | undefined;
  let admin: pg.Client | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  const openStore = (options: SqlStoreOptions = {}) =>
    createPostgresStore({ ...options, connectionString: database!.url });
  const freshStore = async (options: SqlStoreOptions = {}): Promise<Store> => {
    await admin!.query(EMPTY_STORE);
    return openStore(options);
  };

  describeStoreConformance("Postgres", freshStore, { propertyRuns: 30 });

  describe("Postgres store replicas", () => {
    it("share one store id, which survives restarts", async () => {
      const first = await freshStore();
      const second = await openStore();
      try {
        expect(second.storeId).toBe(first.storeId);
      } finally {
        await second.close();
        await first.close();
      }
      const reopened = await openStore();
      await reopened.close();
      expect(reopened.storeId).toBe(first.storeId);
    });

    it("refuse reads below what another replica collected", async () => {
      const collecting = await freshStore({ retentionMs: 0 });
      const reading = await openStore();
      try {
        await collecting.write([touch("document:a#viewer@user:alice")]);
        await collecting.write([touch("document:b#viewer@user:bob")]);
        await collecting.collectGarbage();
        expect(await reading.oldestRevision()).toBe(rev(2));
        await expectStoreError(
          reading.snapshot(rev(1), new Date()).query({}),
          "revision-unavailable",
        );
      } finally {
        await reading.close();
        await collecting.close();
      }
    });

    it("wake each other's watchers through NOTIFY", async () => {
      const watching = await freshStore();
      const writing = await openStore();
      try {
        const stream = watching.watch(rev(0))[Symbol.asyncIterator]();
        const first = stream.next();
        await writing.write([touch("document:a#viewer@user:alice")]);
        expect(describeEvent((await first).value)).toBe("1 touch document:a#viewer@user:alice");
        await stream.return?.();
      } finally {
        await writing.close();
        await watching.close();
      }
    });

    it("report another replica's expiries to a watcher", async () => {
      // The write must come before its expiry: on a machine too slow for the window, the test
      // starts again on fresh stores with a wider one.
      await widening(EXPIRY_WINDOWS_MS, async (window) => {
        const watching = await freshStore();
        const writing = await openStore();
        try {
          const events = take(watching.watch(rev(0)), 2);
          await window.inTime(
            writing.write([expiring("document:a#viewer@user:alice", window.end)]),
          );
          expect((await events).map(describeEvent)).toEqual([
            "1 touch document:a#viewer@user:alice",
            "2 expire document:a#viewer@user:alice",
          ]);
        } finally {
          await writing.close();
          await watching.close();
        }
      });
    });

    it("writing together get distinct, consecutive revisions", async () => {
      const replicas = [await freshStore(), await openStore(), await openStore()];
      try {
        const writes = replicas.flatMap((store, r) =>
          Array.from({ length: 10 }, (_, i) =>
            store.write([touch(`document:r${r}d${i}#viewer@user:u`)]),
          ),
        );
        const revisions = (await Promise.all(writes)).map((result) => result.revision);
        expect([...revisions].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 30 }, (_, i) => i + 1),
        );
        expect(await readKeys(replicas[1]!)).toHaveLength(30);
      } finally {
        await Promise.all(replicas.map((store) => store.close()));
      }
    });
  });
}
