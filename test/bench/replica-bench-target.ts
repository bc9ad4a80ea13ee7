// A two-replica benchmark's target: one Latch server on the driver's Postgres database and Redis
// (LATCH_BENCH_DATABASE_URL, LATCH_BENCH_REDIS_URL) on 127.0.0.1, with, when LATCH_BENCH_ALERTS
// holds a rule file's text, the decision log on (async) and those rules; prints its ports as one
// JSON line and serves until its stdin closes (the driver went away).

import { parseAlertRules, webhookSecrets } from "../../src/alerts/rule-file.js";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";

/** ReplicaTargetReady is the line the target prints once it serves. */
export interface ReplicaTargetReady {
  readonly grpcPort: number;
  readonly httpPort: number;
}

const connectionString = process.env.LATCH_BENCH_DATABASE_URL;
const redisUrl = process.env.LATCH_BENCH_REDIS_URL;
const alertsText = process.env.LATCH_BENCH_ALERTS;
if (connectionString === undefined || redisUrl === undefined) {
  throw new Error("LATCH_BENCH_DATABASE_URL and LATCH_BENCH_REDIS_URL must be set");
}

const store = await createPostgresStore({ connectionString });
const rules =
  alertsText === undefined ? undefined : parseAlertRules(alertsText, "LATCH_BENCH_ALERTS");
const server = await startServer({
  store,
  keys: new ApiKeyRing([]),
  host: "127.0.0.1",
  grpcPort: 0,
  httpPort: 0,
  cache: { redis: { url: redisUrl } },
  ...(rules === undefined
    ? {}
    : {
        decisions: {
          database: store.database,
          settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
        },
        alerts: { rules, secrets: webhookSecrets(rules, process.env) },
      }),
  onInternalError: (method, error) => console.error(`internal error in ${method}:`, error),
  log: (line) => console.error(line),
});
const ready: ReplicaTargetReady = { grpcPort: server.grpcPort, httpPort: server.httpPort };
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
