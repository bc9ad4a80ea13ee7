// The SQL store's executor on node-postgres: a pool for statements and transactions, a client for LISTEN.

import { finished } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import type { SqlExecutor, SqlQueryable, SqlRow } from "./sql-executor.js";
import { unreachableDatabase } from "./unreachable-database.js";

/** How long a statement waits for a pooled connection (or for a new one to connect) before failing. */
const CONNECTION_WAIT_MS = 5_000;
/** The longest wait between attempts to bring a lost LISTEN connection back. */
const MAX_RECONNECT_DELAY_MS = 5_000;
const FIRST_RECONNECT_DELAY_MS = 100;

/**
 * createPgExecutor makes a SqlExecutor over a `pg` pool configured by config. Statements are
 * prepared once per connection (named by their text), so repeated reads skip parsing and planning.
 * Listening takes one more connection of its own, reconnected with backoff when it is lost.
 * Transactions can COPY, through `pg-copy-streams` on the transaction's client. A statement waits
 * at most CONNECTION_WAIT_MS for a connection; failures that say the database cannot be reached
 * reject with a StoreUnavailableError.
 */
export function createPgExecutor(config: pg.PoolConfig): SqlExecutor {
  const bounded = { connectionTimeoutMillis: CONNECTION_WAIT_MS, ...config };
  const pool = new pg.Pool(bounded);
  // An idle client whose connection dies is dropped by the pool, which reports it here; unheard,
  // the event would crash the process. The next checkout connects anew.
  pool.on("error", () => {});
  // A checked-out client whose connection dies between queries emits "error" too, and the pool
  // listens only to idle ones: every client gets a listener of its own, for its whole life. The
  // query in flight, if any, still rejects, and the pool discards the dead client.
  pool.on("connect", (client) => client.on("error", () => {}));
  const names = new Map<string, string>();
  const prepared = (text: string, params: readonly unknown[] = []): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined) {
      name = `latch_${names.size + 1}`;
      names.set(text, name);
    }
    return { name, text, values: [...params] };
  };
  const queryable = (client: pg.Pool | pg.PoolClient): SqlQueryable => ({
    async query(sql, params) {
      try {
        return (await client.query<SqlRow>(prepared(sql, params))).rows;
      } catch (error) {
        throw unreachableDatabase(error);
      }
    },
    async exec(sql) {
      try {
        await client.query(sql);
      } catch (error) {
        throw unreachableDatabase(error);
      }
    },
  });
  return {
    ...queryable(pool),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw unreachableDatabase(error);
      }
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn({
          ...queryable(client),
          copyFrom: (target, rows) => copyFrom(client, target, rows),
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw unreachableDatabase(error);
      } finally {
        // A client that could not roll back is in an unknown state: the pool closes it.
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      try {
        return await listen(bounded, channel, onNotify);
      } catch (error) {
        throw unreachableDatabase(error);
      }
    },
    close: () => pool.end(),
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
  };
}

/**
 * copyFrom streams rows into target with `COPY … FROM STDIN` on client. If the server rejects
 * the data, it rejects with the server's error, and the client is ready for the next statement.
 * The rows are written to the COPY stream directly (it buffers what the socket cannot take yet),
 * not piped from a Readable: a pipeline's streams and listeners cost the decision log a
 * millisecond of CPU per batch in code that runs too seldom to be optimized.
 */
async function copyFrom(
  client: pg.PoolClient,
  target: string,
  rows: readonly (string | Uint8Array)[],
): Promise<void> {
  const stream = client.query(copyFromStdin(`COPY ${target} FROM STDIN`));
  const done = finished(stream);
  for (const row of rows) stream.write(row);
  stream.end();
  await done;
}

/** listen keeps one client listening on channel, reconnecting it until stopped. */
async function listen(
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string | undefined) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const client = new pg.Client(config);
    client.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "");
    });
    client.on("error", () => lose(client));
    client.on("end", () => lose(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await client.end();
      return;
    }
    current = client;
  };

  const lose = (client: pg.Client): void => {
    if (stopped || current !== client) return;
    current = undefined;
    client.end().catch(() => {});
    reconnect(FIRST_RECONNECT_DELAY_MS);
  };

  const reconnect = (delay: number): void => {
    retry = setTimeout(async () => {
      try {
        await connect();
        // Whatever was notified while the connection was down is lost: make the caller catch up.
        if (!stopped) onNotify(undefined);
      } catch {
        if (!stopped) reconnect(Math.min(delay * 2, MAX_RECONNECT_DELAY_MS));
      }
    }, delay);
    retry.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = undefined;
    await client?.end();
  };
}
