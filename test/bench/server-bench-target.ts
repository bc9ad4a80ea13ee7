// The server benchmark's target: the engine benchmark's dataset (its hot users with agents) in a memory store, served by
// startServer in development mode on 127.0.0.1; prints its ports as one JSON line, serves until
// killed or until its stdin closes (the driver went away). With --decisions it records every
// decision in async mode to a fresh Postgres database (dropped when it stops). With --traced
// ENDPOINT RATIO it traces through the OpenTelemetry SDK, as `latch serve` does, sampling RATIO of
// its calls and exporting them over OTLP/HTTP JSON to ENDPOINT.

import { ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { storeFitCheck } from "../../src/api/schema-fit.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { startTracing } from "../../src/telemetry/tracing.js";
import { createTestDatabase, findPostgres } from "../store/postgres/test-database.js";
import { AGENT_SCHEMA, agentsFor } from "./bench-agents.js";
import { generateDataset, seededRandom } from "./engine-dataset.js";
import { makeCheckSets } from "./server-bench-checks.js";

/** TargetReady is the line the target prints once it serves. */
export interface TargetReady {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly relationships: number;
  readonly documents: number;
  readonly users: number;
}

const dataset = generateDataset(seededRandom(42));
const { documents, users } = dataset;
// The hot set's users have agents, which hold what they hold: on their behalf, as much is allowed.
const { hotUsers } = makeCheckSets(documents, users);
const relationships = [...dataset.relationships, ...agentsFor(dataset.relationships, hotUsers)];
const loaded = loadSchema(AGENT_SCHEMA);
if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
const store = createMemoryStore();
await store.writeSchema(AGENT_SCHEMA, storeFitCheck(loaded.schema));
await store.importRelationships(relationships);

const decisionDatabase = process.argv.includes("--decisions")
  ? await openDecisionDatabase()
  : undefined;

const tracedAt = process.argv.indexOf("--traced");
const tracing =
  tracedAt === -1
    ? undefined
    : startTracing(
        Object.assign(process.env, {
          OTEL_EXPORTER_OTLP_ENDPOINT: process.argv[tracedAt + 1],
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: process.argv[tracedAt + 2],
        }),
      );

const server = await startServer({
  ...(tracing === undefined ? {} : { tracing: { identifiers: false } }),
  store,
  ...(decisionDatabase === undefined
    ? {}
    : {
        decisions: {
          database: decisionDatabase.store.database,
          settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
        },
      }),
  keys: new ApiKeyRing([]),
  host: "127.0.0.1",
  grpcPort: 0,
  httpPort: 0,
  onInternalError: (method, error) => console.error(`internal error in ${method}:`, error),
  log: (line) => console.error(line),
});
const ready: TargetReady = {
  grpcPort: server.grpcPort,
  httpPort: server.httpPort,
  relationships: relationships.length,
  documents,
  users,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close(10_000);
  await decisionDatabase?.close();
  await tracing?.stop();
  process.exit(0);
});

/** openDecisionDatabase makes a Postgres database for the log (the migrations make its tables). */
async function openDecisionDatabase() {
  const postgres = await findPostgres();
  if (postgres.url === undefined) throw new Error(`--decisions needs Postgres: ${postgres.reason}`);
  const database = await createTestDatabase(postgres.url);
  const logStore = await createPostgresStore({ connectionString: database.url });
  return {
    store: logStore,
    close: async () => {
      await logStore.close();
      await database.drop();
    },
  };
}
