// Faults on a real Postgres: the server crashes and restarts mid-run, under writers and a watcher.
// Every acknowledged write survives, none is half-applied, and the same store recovers on its own.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Revision } from "../../../src/revision/revision.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import {
  type Precondition,
  type RelationshipUpdate,
  type Store,
  StoreError,
  type WatchedChange,
} from "../../../src/store/store.js";
import { relationshipKey } from "../../../src/tuple/relationship-key.js";
import {
  findPostgresBinaries,
  type PrivatePostgres,
  startPrivatePostgres,
} from "../../support/private-postgres.js";
import { waitFor as waitUntil } from "../../support/wait-for.js";
import { create, readKeys, touch } from "../store-test-helpers.js";
import { requirePostgresOnCi } from "./test-database.js";

const SUITE = "Postgres server restart";
const WRITERS = 4;
const CRASHES = 2;
/** Writes acknowledged after each restart before the next crash: proof that the pool recovered. */
const WRITES_BETWEEN_CRASHES = 20;
/** How long the test waits for something that should happen within a second or two. */
const PATIENCE_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** waitFor polls until condition holds, failing with what it waited for after PATIENCE_MS. */
const waitFor = (what: string, condition: () => boolean) => waitUntil(what, condition, PATIENCE_MS);

/** Attempt is one write and what became of it. */
interface Attempt {
  readonly id: number;
  /** The keys it writes: all of them committed, or none. */
  readonly keys: readonly string[];
  /** Its precondition cannot hold, so it must never commit. */
  readonly doomed: boolean;
  /** The revision it was acknowledged at; undefined while in flight or when it rejected. */
  revision?: Revision;
  error?: unknown;
}

/**
 * attempt builds write id: three relationships, touched or (every fourth) created, some behind
 * preconditions that hold and some (every seventh) behind one that cannot.
 */
function attempt(id: number): Attempt & {
  updates: RelationshipUpdate[];
  preconditions: Precondition[];
} {
  const texts = [
    `document:w${id}#viewer@user:a${id}`,
    `document:w${id}#editor@user:b${id}`,
    `folder:f${id}#viewer@user:c${id}`,
  ];
  const updates = texts.map((text) => (id % 4 === 3 ? create(text) : touch(text)));
  const preconditions: Precondition[] = [];
  if (id % 3 === 1) {
    preconditions.push(
      { operation: "must-match", filter: { resourceType: "folder", resourceIds: ["root"] } },
      {
        operation: "must-not-match",
        filter: { resourceType: "document", resourceIds: [`w${id}`] },
      },
    );
  }
  const doomed = id % 7 === 5;
  if (doomed) {
    preconditions.push({
      operation: "must-match",
      filter: { resourceType: "folder", resourceIds: ["missing"] },
    });
  }
  return {
    id,
    keys: updates.map((u) => relationshipKey(u.relationship)),
    doomed,
    updates,
    preconditions,
  };
}

const binaries = findPostgresBinaries();
if (binaries.bin === undefined) {
  requirePostgresOnCi({ reason: binaries.reason });
  describe(SUITE, () => {
    it.skip(`needs initdb and pg_ctl: ${binaries.reason}`, () => {});
  });
} else {
  const bin = binaries.bin;
  describe(SUITE, () => {
    let server: PrivatePostgres | undefined;
    let store: Store | undefined;

    beforeAll(async () => {
      server = await startPrivatePostgres(bin);
      store = await createPostgresStore({ connectionString: server.url });
    });

    afterAll(async () => {
      // The server may be down when a failure cut the test short: closing must not wait on it.
      await server?.start().catch(() => {});
      await store?.close();
      await server?.destroy();
    });

    it("keeps every acknowledged write, applies none by halves, and recovers the pool and the watcher", async () => {
      const db = store!;
      await db.write([touch("folder:root#owner@user:seed")]);
      const start = await db.headRevision();

      const watched: WatchedChange[] = [];
      const abort = new AbortController();
      let watchEnded: string | undefined;
      const watching = (async () => {
        for await (const event of db.watch(start, { signal: abort.signal })) watched.push(event);
      })().then(
        () => {
          watchEnded ??= "it returned";
        },
        (error: unknown) => {
          watchEnded = `it threw ${String(error)}`;
        },
      );

      const attempts: Attempt[] = [];
      let acknowledged = 0;
      let stopping = false;
      const writer = async () => {
        while (!stopping) {
          const write = attempt(attempts.length);
          attempts.push(write);
          try {
            write.revision = (await db.write(write.updates, write.preconditions)).revision;
            acknowledged++;
          } catch (error) {
            write.error = error;
            // While the server is down every write fails at once: back off a little, as a client
            // would, rather than fork a backend per attempt while the server recovers.
            await sleep(25);
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, writer);
      /** failedAgainstServer counts the writes that failed for the server, not for the store. */
      const failedAgainstServer = () =>
        attempts.filter(
          (write) => write.error !== undefined && !(write.error instanceof StoreError),
        ).length;

      for (let crash = 0; crash < CRASHES; crash++) {
        const before = acknowledged;
        await waitFor(`${WRITES_BETWEEN_CRASHES} writes before crash ${crash + 1}`, () => {
          return acknowledged >= before + WRITES_BETWEEN_CRASHES;
        });
        const failedBefore = failedAgainstServer();
        await server!.crash();
        // Down until as many writes as there are writers have failed against it.
        await waitFor(`${WRITERS} writes to fail in crash ${crash + 1}`, () => {
          return failedAgainstServer() >= failedBefore + WRITERS;
        });
        await server!.start();
      }
      const before = acknowledged;
      await waitFor(`${WRITES_BETWEEN_CRASHES} writes after the last restart`, () => {
        return acknowledged >= before + WRITES_BETWEEN_CRASHES;
      });
      stopping = true;
      await Promise.all(writers);

      const present = new Set(await readKeys(db));
      const committed: Attempt[] = [];
      for (const write of attempts) {
        const found = write.keys.filter((key) => present.has(key)).length;
        const label = `write ${write.id} (${write.revision === undefined ? `rejected: ${String(write.error)}` : "acknowledged"})`;
        expect([0, write.keys.length], `${label}: ${found} of its relationships`).toContain(found);
        if (write.revision !== undefined) {
          expect(found, `${label} is lost`).toBe(write.keys.length);
          expect(write.doomed, `${label} despite its failing precondition`).toBe(false);
        }
        if (write.doomed) expect(found, `${label} committed`).toBe(0);
        // A write whose COMMIT was in flight during the crash may have committed though it rejected.
        if (found > 0) committed.push(write);
        if (write.error instanceof StoreError) {
          expect(write.doomed, `${label} rejected by the store`).toBe(true);
          expect(write.error.code).toBe("precondition-failed");
        }
      }
      expect(
        failedAgainstServer(),
        "writes that failed against the crashed server",
      ).toBeGreaterThan(0);
      expect(present).toEqual(
        new Set(["folder:root#owner@user:seed", ...committed.flatMap((write) => write.keys)]),
      );

      // The watcher saw every committed write once, at one revision of its own, in order, with
      // no revision skipped: each write takes the next revision, and a rolled-back one takes none.
      const head = await db.headRevision();
      await waitFor("the watcher to reach the head", () => {
        if (watchEnded !== undefined) throw new Error(`the watch ended early: ${watchEnded}`);
        return (watched.at(-1)?.revision ?? 0) >= head;
      });
      abort.abort();
      await watching;
      expect(head - start).toBe(committed.length);
      const revisions = watched.map((event) => event.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      expect(watched.every((event) => event.kind === "touch")).toBe(true);
      // A consumer resumes from a revision's token only after its last event: marked on each.
      expect(watched.map((event) => event.lastInRevision)).toEqual(
        watched.map((event, i) => event.revision !== watched[i + 1]?.revision),
      );
      const byRevision = new Map<number, string[]>();
      for (const event of watched) {
        const keys = byRevision.get(event.revision) ?? [];
        keys.push(relationshipKey(event.relationship));
        byRevision.set(event.revision, keys);
      }
      expect([...byRevision.keys()]).toEqual(
        Array.from({ length: committed.length }, (_, i) => start + 1 + i),
      );
      const writeOf = new Map(committed.flatMap((write) => write.keys.map((key) => [key, write])));
      const seen = new Set<number>();
      for (const [at, keys] of byRevision) {
        const write = writeOf.get(keys[0]!);
        expect(write, `revision ${at}: ${keys.join(", ")}`).toBeDefined();
        expect([...keys].sort(), `revision ${at}`).toEqual([...write!.keys].sort());
        if (write!.revision !== undefined) expect(at, `write ${write!.id}`).toBe(write!.revision);
        expect(seen.has(write!.id), `write ${write!.id} watched twice`).toBe(false);
        seen.add(write!.id);
      }
      expect(seen.size).toBe(committed.length);
    });
  });
}
