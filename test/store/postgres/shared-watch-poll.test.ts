// The watches of a Postgres store share one poll of the changelog: many idle watches cost the
// database what one costs, and a watch that stops reading holds no other back and misses nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Revision } from "../../../src/revision/revision.js";
import { createPgExecutor } from "../../../src/store/postgres/pg-executor.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { createSqlStore } from "../../../src/store/postgres/sql-store.js";
import type { Store, WatchedChange } from "../../../src/store/store.js";
import { waitFor as waitUntil } from "../../support/wait-for.js";
import { describeEvent, rel, touch } from "../store-test-helpers.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "./test-database.js";

const serverUrl = await postgresForTests("Postgres shared watch poll");

/** How many idle watches are compared with one. */
const MANY = 100;
/** How many statements are timed for a rate: a few of the feed's polls, twice a second. */
const STATEMENTS_TIMED = 6;
/** How long the test waits for something that should happen within a second or two. */
const PATIENCE_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** waitFor polls until condition holds, failing with what it waited for after PATIENCE_MS. */
const waitFor = (what: string, condition: () => boolean) => waitUntil(what, condition, PATIENCE_MS);

/** countStatements wraps executor so that `counted.statements` counts every round trip it makes. */
function countStatements(executor: SqlExecutor): { executor: SqlExecutor; statements: number } {
  const counted = { executor, statements: 0 };
  counted.executor = {
    ...executor,
    query: (sql, params) => {
      counted.statements++;
      return executor.query(sql, params);
    },
    exec: (sql) => {
      counted.statements++;
      return executor.exec(sql);
    },
    transaction: (fn) => {
      counted.statements++;
      return executor.transaction(fn);
    },
  };
  return counted;
}

/** Watching is a running watch: the events it has read, and how to stop it. */
interface Watching {
  readonly events: WatchedChange[];
  stop(): Promise<void>;
}

/** follow watches store after `after`, collecting events, pausing while `paused()` is true. */
function follow(store: Store, after: Revision, paused: () => boolean = () => false): Watching {
  const abort = new AbortController();
  const events: WatchedChange[] = [];
  const running = (async () => {
    for await (const event of store.watch(after, { signal: abort.signal })) {
      events.push(event);
      while (paused() && !abort.signal.aborted) await sleep(10);
    }
  })();
  return {
    events,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

if (serverUrl !== undefined) {
  describe("Postgres shared watch poll", () => {
    let database: TestDatabase;
    let counted: { executor: SqlExecutor; statements: number };
    let store: Store;

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
      counted = countStatements(createPgExecutor({ connectionString: database.url }));
      store = await createSqlStore(counted.executor);
    });

    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    /**
     * statementsPerSecond opens `watches` watches at the head, waits until each has read a write
     * made after it opened (so each is idle, caught up), then times STATEMENTS_TIMED statements.
     */
    async function statementsPerSecond(watches: number, label: string): Promise<number> {
      const head = await store.headRevision();
      const open = Array.from({ length: watches }, () => follow(store, head));
      try {
        await store.write([touch(`document:${label}#viewer@user:sentinel`)]);
        await waitFor(`${watches} watches to read the sentinel`, () =>
          open.every((watching) => watching.events.length === 1),
        );
        const before = counted.statements;
        const started = performance.now();
        await waitFor(`${STATEMENTS_TIMED} statements`, () => {
          return counted.statements >= before + STATEMENTS_TIMED;
        });
        return ((counted.statements - before) * 1000) / (performance.now() - started);
      } finally {
        await Promise.all(open.map((watching) => watching.stop()));
      }
    }

    it(`costs as many statements per second for ${MANY} idle watches as for one`, async () => {
      const one = await statementsPerSecond(1, "one");
      const many = await statementsPerSecond(MANY, "many");
      // One poll twice a second, whatever the number of watches; a poll per watch would be
      // MANY times as many. The margin absorbs a loaded machine's timing.
      expect(one).toBeLessThan(10);
      expect(many).toBeLessThan(one * 3 + 2);
    });

    it("lets the other watches go on while one stops reading, and that one misses nothing", async () => {
      const head = await store.headRevision();
      let paused = true;
      const slow = follow(store, head, () => paused);
      const fast = follow(store, head);
      try {
        await store.write([touch("folder:first#viewer@user:ann")]);
        // More events than the feed keeps: the slow watch must read the changelog to catch up.
        const imported = Array.from({ length: 6000 }, (_, i) =>
          rel(`folder:f${i}#viewer@user:ann`),
        );
        await store.importRelationships(imported);
        await store.write([touch("folder:last#viewer@user:ann")]);
        const total = imported.length + 2;
        await waitFor("the fast watch to read every event", () => fast.events.length === total);
        expect(slow.events.length).toBe(1);
        paused = false;
        await waitFor("the slow watch to catch up", () => slow.events.length === total);
        expect(slow.events.map(describeEvent)).toEqual(fast.events.map(describeEvent));
        expect(slow.events.map((event) => event.lastInRevision)).toEqual(
          fast.events.map((event) => event.lastInRevision),
        );
        expect(fast.events.map(describeEvent)).toEqual([
          `${head + 1} touch folder:first#viewer@user:ann`,
          ...imported.map((_, i) => `${head + 2} touch folder:f${i}#viewer@user:ann`),
          `${head + 3} touch folder:last#viewer@user:ann`,
        ]);
        expect(fast.events.filter((event) => event.lastInRevision)).toHaveLength(3);
      } finally {
        await Promise.all([slow.stop(), fast.stop()]);
      }
    });
  });
}
