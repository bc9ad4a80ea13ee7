// The revocation benchmark's target: one Latch server on the Postgres database and the Redis the
// driver names (LATCH_BENCH_DATABASE_URL, LATCH_BENCH_REDIS_URL), on 127.0.0.1; prints its ports as
// one JSON line, serves until its stdin closes (the driver went away).

import { ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";

/** RevocationTargetReady is the line the target prints once it serves. */
export interface RevocationTargetReady {
  readonly grpcPort: number;
  readonly httpPort: number;
}

const connectionString = process.env.LATCH_BENCH_DATABASE_URL;
const redisUrl = process.env.LATCH_BENCH_REDIS_URL;
if (connectionString === undefined || redisUrl === undefined) {
  throw new Error("LATCH_BENCH_DATABASE_URL and LATCH_BENCH_REDIS_URL must be set");
}

const store = await createPostgresStore({ connectionString });
const server = await startServer({
  store,
  keys: new ApiKeyRing([]),
  host: "127.0.0.1",
  grpcPort: 0,
  httpPort: 0,
  cache: { redis: { url: redisUrl } },
  onInternalError: (method, error) => console.error(`internal error in ${method}:`, error),
  log: (line) => console.error(line),
});
const ready: RevocationTargetReady = { grpcPort: server.grpcPort, httpPort: server.httpPort };
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
