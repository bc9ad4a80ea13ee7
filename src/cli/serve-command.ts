// `latch serve`: the server, on Postgres or the embedded store, until SIGTERM or SIGINT.

import type { Command } from "commander";
import { DEFAULT_API_LIMITS } from "../api/api-context.js";
import { ApiKeyRing } from "../api/api-keys.js";
import { bootstrapSchema } from "../api/bootstrap-schema.js";
import { startServer } from "../api/latch-server.js";
import { ConfigError, readServerConfig, type ServerConfig } from "../config/server-config.js";
import { createPgliteStore } from "../store/postgres/pglite-store.js";
import { createPostgresStore } from "../store/postgres/postgres-store.js";
import { type Store, StoreUnavailableError } from "../store/store.js";
import type { CliIo } from "./cli-io.js";

/** LOOPBACK_HOSTS are the addresses development mode (no API key) may bind to. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);
/** How long a graceful shutdown waits for calls in flight. */
const SHUTDOWN_GRACE_MS = 10_000;

/** addServeCommand registers `latch serve`. */
export function addServeCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("serve")
    .description(
      "serve the API: gRPC on LATCH_GRPC_PORT (50051), Connect/gRPC-Web and /healthz, /readyz on LATCH_HTTP_PORT (8080)",
    )
    .option("--config <file>", "a YAML configuration file; the environment overrides it")
    .action(async (options: { config?: string }) => {
      try {
        await serve(await readServerConfig(process.env, options.config), io);
      } catch (error) {
        io.stderr(`latch serve: ${describeFailure(error)}\n`);
        setExitCode(2);
      }
    });
}

async function serve(config: ServerConfig, io: CliIo): Promise<void> {
  const keys = new ApiKeyRing(config.apiKeys);
  if (keys.isEmpty) {
    if (!LOOPBACK_HOSTS.has(config.host)) {
      throw new Error(
        `no API key is configured, so Latch only binds to 127.0.0.1; configure LATCH_API_KEYS to serve on ${config.host}`,
      );
    }
    io.stderr(
      "WARNING: DEVELOPMENT MODE. No API key is configured: every call is allowed, on 127.0.0.1 only.\n" +
        "         Configure LATCH_API_KEYS (`latch key create NAME`) before serving anything real.\n",
    );
  }
  const store = await openStore(config);
  try {
    const bootstrapped = await bootstrapSchema(store, config.schemaFile);
    if (bootstrapped !== "kept") io.stderr(`schema: ${describeBootstrap(bootstrapped, config)}\n`);
    const server = await startServer({
      store,
      keys,
      host: config.host,
      grpcPort: config.grpcPort,
      httpPort: config.httpPort,
      limits: { ...DEFAULT_API_LIMITS, maxDepth: config.maxDepth },
      cache: {
        ...(config.cacheBytes === undefined ? {} : { memoryBytes: config.cacheBytes }),
        ...(config.redisUrl === undefined
          ? {}
          : { redis: { url: config.redisUrl, cluster: config.redisCluster } }),
      },
      onInternalError: (method, error) =>
        io.stderr(
          `internal error in ${method}: ${error instanceof Error ? error.stack : String(error)}\n`,
        ),
      log: (line) => io.stderr(`${line}\n`),
    });
    const where =
      config.databaseUrl === undefined ? `embedded database in ${config.dataDir}` : "Postgres";
    const shared =
      config.redisUrl === undefined
        ? ""
        : `, cache shared in Redis (${config.redisCluster ? "cluster" : "single"})`;
    io.stderr(
      `latch serving on ${config.host}: gRPC port ${server.grpcPort}, HTTP port ${server.httpPort}; store: ${where}${shared}\n`,
    );
    const signal = await nextSignal();
    io.stderr(`${signal}: finishing calls in flight, then stopping\n`);
    await server.close(SHUTDOWN_GRACE_MS);
  } finally {
    await store.close();
  }
  io.stderr("stopped\n");
}

/** describeFailure says why serve stopped: a configuration error or an unreachable store plainly. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StoreUnavailableError) return error.detail;
  return String(error);
}

function openStore(config: ServerConfig): Promise<Store> {
  const retention = config.retentionMs === undefined ? {} : { retentionMs: config.retentionMs };
  return config.databaseUrl === undefined
    ? createPgliteStore({ dataDir: config.dataDir, ...retention })
    : createPostgresStore({ connectionString: config.databaseUrl, ...retention });
}

function describeBootstrap(
  what: "wrote-configured" | "wrote-example",
  config: ServerConfig,
): string {
  return what === "wrote-configured"
    ? `wrote ${config.schemaFile}`
    : "the store had none: wrote the example agent schema (schema/agent.zed)";
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
