// Faults on a real Postgres: connections killed mid-write. Every acknowledged write survives, no
// write is half-applied, the pool recovers on its own, and a watcher sees each write once, in order.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { ChangeEvent, Store } from "../../../src/store/store.js";
import { waitFor } from "../../support/wait-for.js";
import { readKeys, touch } from "../store-test-helpers.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "./test-database.js";

const serverUrl = await postgresForTests("Postgres connection faults");

/** killOtherBackends terminates every connection to the database but the admin's own. */
async function killOtherBackends(admin: pg.Client, database: string): Promise<number> {
  const result = await admin.query(
    "SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [database],
  );
  return result.rows[0].killed as number;
}

if (serverUrl !== undefined) {
  describe("Postgres connection faults", () => {
    let database: TestDatabase;
    let admin: pg.Client;
    let store: Store;

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
      admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      store = await createPostgresStore({ connectionString: database.url });
    });

    afterAll(async () => {
      await store?.close();
      await admin?.end();
      await database?.drop();
    });

    it("keeps every acknowledged write, applies none by halves, and recovers without a restart", async () => {
      const name = new URL(database.url).pathname.slice(1);
      const watched: ChangeEvent[] = [];
      const abort = new AbortController();
      const watching = (async () => {
        for await (const event of store.watch(await store.headRevision(), { signal: abort.signal }))
          watched.push(event);
      })();

      const acknowledged: number[] = [];
      const failed: number[] = [];
      // Each write touches a pair: both must be there, or neither.
      const write = (i: number) =>
        store
          .write([
            touch(`document:d${i}#viewer@user:a${i}`),
            touch(`document:d${i}#editor@user:b${i}`),
          ])
          .then(
            () => acknowledged.push(i),
            () => failed.push(i),
          );
      const writes: Promise<unknown>[] = [];
      let killed = 0;
      for (let round = 0; round < 10; round++) {
        for (let k = 0; k < 8; k++) writes.push(write(round * 8 + k));
        await new Promise((resolve) => setTimeout(resolve, 5));
        killed += await killOtherBackends(admin, name);
      }
      await Promise.all(writes);
      expect(killed).toBeGreaterThan(0);
      expect(acknowledged.length + failed.length).toBe(80);

      // The pool recovers: new writes succeed on the same store.
      await store.write([touch("document:after#viewer@user:z")]);

      const present = new Set(await readKeys(store, { resourceType: "document" }));
      for (const i of acknowledged) {
        expect(present.has(`document:d${i}#viewer@user:a${i}`), `acknowledged write ${i}`).toBe(
          true,
        );
        expect(present.has(`document:d${i}#editor@user:b${i}`), `acknowledged write ${i}`).toBe(
          true,
        );
      }
      for (const i of failed) {
        // A failed COMMIT may still have committed: either both halves or neither.
        expect(present.has(`document:d${i}#viewer@user:a${i}`), `failed write ${i}`).toBe(
          present.has(`document:d${i}#editor@user:b${i}`),
        );
      }

      // The watcher, whose connection was killed too, resumes with no gap and no duplicate.
      const head = await store.headRevision();
      await waitFor(
        "the watcher to reach the head",
        () => (watched.at(-1)?.revision ?? 0) >= head,
        30_000,
      );
      abort.abort();
      await watching;
      const revisions = watched.map((event) => event.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      const seen = watched.map(
        (event) =>
          `${event.revision} ${event.kind} ${event.relationship.resource.id}#${event.relationship.relation}`,
      );
      expect(new Set(seen).size).toBe(seen.length);
      const watchedDocuments = new Set(
        watched.map((event) => `${event.relationship.resource.id}#${event.relationship.relation}`),
      );
      for (const key of present) {
        const [resource] = key.split("@");
        expect(watchedDocuments.has(resource!.replace("document:", "")), `watched ${key}`).toBe(
          true,
        );
      }
    });
  });
}
