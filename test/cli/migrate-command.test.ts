// `latch migrate` on the embedded database: migrates a new data directory once, then finds nothing to do.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { runLatch } from "./run-cli-helper.js";

describe("latch migrate", () => {
  const parent = mkdtemp(join(tmpdir(), "latch-migrate-"));
  afterAll(async () => rm(await parent, { recursive: true, force: true }));

  it("migrates a new embedded database, then reports it up to date", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const dataDir = join(await parent, "nested", "data");
      const first = await runLatch(["migrate", "--data-dir", dataDir]);
      expect(first).toMatchObject({ exitCode: 0, stderr: "" });
      expect(first.stdout).toMatch(/migrated from schema version 0 to [1-9]/);
      const second = await runLatch(["migrate", "--data-dir", dataDir]);
      expect(second.stdout).toMatch(/already at schema version [1-9]/);
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it("says plainly, with the address, that a Postgres server cannot be reached", async () => {
    const saved = process.env.DATABASE_URL;
    const port = await freePort();
    process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/latch`;
    try {
      const result = await runLatch(["migrate"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `Postgres (DATABASE_URL): cannot migrate: the database server refused the connection (connect ECONNREFUSED 127.0.0.1:${port})\n`,
      );
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
  it("refuses a DATABASE_URL that is not a Postgres URL, naming the variable", async () => {
    const result = await runLatch(
      ["migrate"],
      {},
      { env: { ...process.env, DATABASE_URL: "notaurl" } },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "latch migrate: DATABASE_URL must be a postgres:// or postgresql:// URL naming a host (postgres://USER:PASSWORD@HOST:5432/DATABASE) or a Unix socket directory; this is not a URL\n",
    );
  });
});
