// Fresh Postgres databases for tests, on the server at DATABASE_URL or 127.0.0.1:5432, dropped afterwards.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";

/** CANDIDATE_URLS are tried in order when DATABASE_URL is unset: the CI machine's trust-auth server. */
const CANDIDATE_URLS = [
  "postgres://postgres@127.0.0.1:5432/postgres",
  "postgres://root@127.0.0.1:5432/postgres",
];

/** PostgresServer is a reachable server (`url`, to its maintenance database) or why none is. */
export type PostgresServer =
  | { readonly url: string; readonly reason?: undefined }
  | { readonly url?: undefined; readonly reason: string };

/** findPostgres finds the test server: DATABASE_URL if set, else the first candidate that answers. */
export async function findPostgres(): Promise<PostgresServer> {
  const candidates = process.env.DATABASE_URL ? [process.env.DATABASE_URL] : CANDIDATE_URLS;
  const failures: string[] = [];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return { url };
    } catch (error) {
      failures.push(`${redact(url)}: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { reason: `no Postgres reachable (${failures.join("; ")})` };
}

/**
 * requirePostgresOnCi throws when server is unreachable on CI (CI=true), which must never skip the
 * Postgres tests silently; elsewhere it warns and the caller skips them.
 */
export function requirePostgresOnCi(server: PostgresServer): void {
  if (server.url !== undefined) return;
  if (process.env.CI === "true") {
    throw new Error(`the Postgres tests cannot be skipped on CI: ${server.reason}`);
  }
  console.warn(`skipping the Postgres tests: ${server.reason}`);
}

/** TestDatabase is a database made for one test file or test; drop removes it. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** createTestDatabase makes an empty database `latch_test_<random>` on the server at serverUrl. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `latch_test_${randomBytes(6).toString("hex")}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "DATABASE_URL";
  }
}

/**
 * postgresForTests finds the test server (failing on CI when there is none); when there is none
 * elsewhere, it registers a skipped test named `suite` that says why, and returns undefined.
 */
export async function postgresForTests(suite: string): Promise<string | undefined> {
  const server = await findPostgres();
  requirePostgresOnCi(server);
  if (server.url === undefined) {
    describe(suite, () => {
      it.skip(`needs Postgres: ${server.reason}`, () => {});
    });
  }
  return server.url;
}
