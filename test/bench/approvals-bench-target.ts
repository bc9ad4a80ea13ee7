// The approvals benchmark's target: one Latch server on the driver's Postgres database and Redis
// (LATCH_BENCH_DATABASE_URL, LATCH_BENCH_REDIS_URL), with the decision log on (async) and the alert
// rules of LATCH_BENCH_ALERTS (a rule file's text); prints its ports as one JSON line and serves
// until its stdin closes.

import { parseAlertRules, webhookSecrets } from "../../src/alerts/rule-file.js";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { RevocationTargetReady } from "./revocation-bench-target.js";

const connectionString = process.env.LATCH_BENCH_DATABASE_URL;
const redisUrl = process.env.LATCH_BENCH_REDIS_URL;
const alertsText = process.env.LATCH_BENCH_ALERTS;
if (connectionString === undefined || redisUrl === undefined || alertsText === undefined) {
  throw new Error(
    "LATCH_BENCH_DATABASE_URL, LATCH_BENCH_REDIS_URL and LATCH_BENCH_ALERTS must be set",
  );
}

const rules = parseAlertRules(alertsText, "LATCH_BENCH_ALERTS");
const store = await createPostgresStore({ connectionString });
const server = await startServer({
  store,
  keys: new ApiKeyRing([]),
  host: "127.0.0.1",
  grpcPort: 0,
  httpPort: 0,
  cache: { redis: { url: redisUrl } },
  decisions: {
    database: store.database,
    settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
  },
  alerts: { rules, secrets: webhookSecrets(rules, process.env) },
  onInternalError: (method, error) => console.error(`internal error in ${method}:`, error),
  log: (line) => console.error(line),
});
const ready: RevocationTargetReady = { grpcPort: server.grpcPort, httpPort: server.httpPort };
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
