// A Postgres server that cannot be reached makes the executor reject with StoreUnavailableError,
// naming what happened; a statement the server refuses keeps the driver's error.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgExecutor } from "../../../src/store/postgres/pg-executor.js";
import { StoreUnavailableError } from "../../../src/store/store.js";
import { freePort } from "../../support/free-port.js";
import { createTestDatabase, postgresForTests, type TestDatabase } from "./test-database.js";

/** expectUnavailable expects work to reject with a StoreUnavailableError with one of messages. */
async function expectUnavailable(work: Promise<unknown>, ...messages: string[]): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(messages).toContain((error as Error).message);
}

const serverUrl = await postgresForTests("Postgres unreachable");

if (serverUrl !== undefined) {
  describe("Postgres unreachable", () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
    });

    afterAll(async () => {
      await database?.drop();
    });

    it("rejects as unavailable when nothing listens at the address", async () => {
      const url = new URL(database.url);
      url.port = String(await freePort());
      const executor = createPgExecutor({ connectionString: url.toString() });
      try {
        await expectUnavailable(
          executor.query("SELECT 1"),
          "the database server refused the connection",
        );
        await expectUnavailable(
          executor.transaction((tx) => tx.query("SELECT 1")),
          "the database server refused the connection",
        );
      } finally {
        await executor.close();
      }
    });

    it("rejects as unavailable when no pooled connection comes free in time", async () => {
      const executor = createPgExecutor({
        connectionString: database.url,
        max: 1,
        connectionTimeoutMillis: 200,
      });
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = () => {};
      const holding = new Promise<void>((resolve) => {
        started = resolve;
      });
      try {
        // The pool's one connection is opened first: under load, opening it can take longer than
        // the 200 ms that only the wait for a busy connection is meant to run out.
        await executor.query("SELECT 1");
        const busy = executor.transaction(async (tx) => {
          await tx.query("SELECT 1");
          started();
          await held;
        });
        await holding;
        await expectUnavailable(
          executor.query("SELECT 1"),
          "no database connection came free in time (every pooled connection is busy)",
        );
        release();
        await busy;
        expect(await executor.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        release();
        await executor.close();
      }
    });

    it("rejects as unavailable when the server ends the connection mid-transaction", async () => {
      const executor = createPgExecutor({ connectionString: database.url });
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await expectUnavailable(
          executor.transaction(async (tx) => {
            const [row] = await tx.query("SELECT pg_backend_pid() AS pid");
            await admin.query("SELECT pg_terminate_backend($1)", [row?.pid]);
            await tx.query("SELECT 1");
          }),
          // The server's notice, or the closed socket if that is what the client reads first.
          "the database server closed the connection (it is shutting down, or an administrator ended it)",
          "the connection to the database server was lost",
        );
        // The pool drops the dead connection and goes on.
        expect(await executor.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
        await executor.close();
      }
    });

    it("keeps the driver's error for a statement the database refuses", async () => {
      const executor = createPgExecutor({ connectionString: database.url });
      try {
        const error = await executor.query("SELECT * FROM no_such_table").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect((error as { code?: string }).code).toBe("42P01");
      } finally {
        await executor.close();
      }
    });
  });
}
