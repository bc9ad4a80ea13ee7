// The little a SQL store needs from a database driver, so that one store runs on `pg` and on PGlite.

/** SqlRow is one result row, by column name, as the driver decoded it. */
export type SqlRow = Readonly<Record<string, unknown>>;

/**
 * SqlQueryable runs statements: one parameterized statement, a script of several without
 * parameters, or (in a transaction) a COPY of rows into a table.
 */
export interface SqlQueryable {
  /** query runs one statement with `$1`-style parameters and returns its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** exec runs a script of statements that take no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * copyFrom runs `COPY target FROM …` with rows as its data: `target` is a table and its column
   * list, rows are chunks of lines of COPY's text format (see copy-text.ts), as text or UTF-8
   * bytes, each line ending in a newline. Transactions have it on both drivers, for bulk import
   * and the decision log; statements outside one do not.
   */
  copyFrom?(target: string, rows: readonly (string | Uint8Array)[]): Promise<void>;
}

/** PoolStats is what a connection pool holds: its connections, those idle, the callers waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * SqlExecutor is a database connection (a pool on `pg`, the single session on PGlite): statements
 * outside a transaction, transactions, and notifications. On a database server (not in process),
 * every method rejects with a StoreUnavailableError when the server cannot be reached (see
 * unreachable-database.ts), and with the driver's error when the server refused a statement.
 */
export interface SqlExecutor extends SqlQueryable {
  /**
   * transaction runs fn in a READ COMMITTED transaction on one connection: it commits when fn
   * resolves and rolls back when it rejects, rejecting with fn's error.
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * listen calls onNotify with the payload of each NOTIFY on channel, and with undefined when
   * notifications may have been missed (the listening connection was lost and is back), so that
   * the caller catches up. It resolves to a function that stops listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string | undefined) => void,
  ): Promise<() => Promise<void>>;
  /** close releases the connections; nothing may run after it. */
  close(): Promise<void>;
  /** poolStats says what the connection pool holds, for the metrics; absent without a pool (PGlite). */
  poolStats?(): PoolStats;
}
