// What `latch serve` runs: the server, on Postgres or the embedded store, until SIGTERM or SIGINT.

import { createServer } from "node:net";
import { AlertRulesError, readAlertRules, webhookSecrets } from "../alerts/rule-file.js";
import { DEFAULT_API_LIMITS } from "../api/api-context.js";
import { ApiKeyRing } from "../api/api-keys.js";
import { bootstrapSchema } from "../api/bootstrap-schema.js";
import { type LatchServer, startServer } from "../api/latch-server.js";
import { ListenError, listenOn, type PortName } from "../api/listen-error.js";
import { ConfigError, readServerConfig, type ServerConfig } from "../config/server-config.js";
import { loadRedactionSecret } from "../decisions/redaction-secret.js";
import type { DecisionSettings } from "../decisions/sql-decision-log.js";
import {
  type GatewayConfig,
  GatewayConfigError,
  loadGatewayConfig,
} from "../mcp-gateway/gateway-config.js";
import { inProcessLatch } from "../mcp-gateway/in-process-latch.js";
import { listenGateway, openGateway } from "../mcp-gateway/mcp-gateway.js";
import { createPgliteStore } from "../store/postgres/pglite-store.js";
import { createPostgresStore } from "../store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../store/postgres/sql-store.js";
import { StoreUnavailableError } from "../store/store.js";
import { BackgroundFailures } from "../telemetry/background-failures.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { startTracing, type TraceSettings } from "../telemetry/tracing.js";
import type { CliIo } from "./cli-io.js";
import { missingServerNodeFlags } from "./server-node-flags.js";

/** LOOPBACK_HOSTS are the addresses development mode (no API key) may bind to. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);
/** How long a graceful shutdown waits for calls in flight. */
const SHUTDOWN_GRACE_MS = 10_000;

/** ServeOptions are the options of `latch serve`. */
export interface ServeOptions {
  readonly config?: string;
  readonly alerts?: string;
  readonly mcpGateway?: string;
}

/**
 * runServe runs `latch serve` with options until SIGTERM or SIGINT. A failure is said on stderr
 * and sets the exit code: 2 for a configuration error, else 1.
 */
export async function runServe(
  options: ServeOptions,
  io: CliIo,
  setExitCode: (code: number) => void,
): Promise<void> {
  try {
    const env =
      options.alerts === undefined ? process.env : { ...process.env, LATCH_ALERTS: options.alerts };
    const gateway =
      options.mcpGateway === undefined ? undefined : await loadGatewayConfig(options.mcpGateway);
    await serve(await readServerConfig(env, options.config), io, gateway);
  } catch (error) {
    io.stderr(`latch serve: ${describeFailure(error)}\n`);
    const configuration =
      error instanceof ConfigError ||
      error instanceof AlertRulesError ||
      error instanceof GatewayConfigError;
    setExitCode(configuration ? 2 : 1);
  }
}

/** The variable that sets each port, for messages. */
const PORT_VARIABLES: Record<PortName, string> = {
  gRPC: "LATCH_GRPC_PORT",
  HTTP: "LATCH_HTTP_PORT",
};

/**
 * serve starts the server and runs it until a signal. Each step of start-up says what it does;
 * a step that fails undoes those before it (the store closes, releasing its data directory).
 */
async function serve(
  config: ServerConfig,
  io: CliIo,
  gateway: GatewayConfig | undefined,
): Promise<void> {
  const started = performance.now();
  const keys = new ApiKeyRing(config.apiKeys);
  if (keys.isEmpty && !LOOPBACK_HOSTS.has(config.host)) {
    throw new ConfigError([
      `no API key is configured, so Latch only binds to 127.0.0.1; configure LATCH_API_KEYS to serve on ${config.host}`,
    ]);
  }
  const logger = createLogger(config.logLevel, { write: (line) => io.stderr(line) });
  const missingFlags = missingServerNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missingFlags.length > 0) {
    logger.line(
      `node runs without ${missingFlags.join(" ")}: a check costs about half as much CPU again, in garbage collection (start node with them, as \`npm start\` and the container image do)`,
      "warn",
    );
  }
  if (keys.isEmpty) {
    logger.line(
      "DEVELOPMENT MODE. No API key is configured: every call is allowed, on 127.0.0.1 only. Configure LATCH_API_KEYS (`latch key create NAME`) before serving anything real.",
      "warn",
    );
  }
  // A bad rule file stops the server before the store opens.
  const alerts = await alertSettings(config);
  await checkPortsFree(config);
  // Signals are listened for from the start: one that came before a listener would kill the
  // process on the spot (say, just after the line saying it serves), skipping the orderly stop.
  const signals = listenForStop();
  const tracing = startTracing(process.env);
  const traceSettings = tracing && { identifiers: config.traceIdentifiers };
  try {
    await runServer(
      config,
      keys,
      alerts,
      logger,
      signals.received,
      started,
      gateway,
      traceSettings,
    );
  } finally {
    signals.cancel();
    // Spans still batched are sent before the process exits.
    await tracing
      ?.stop()
      .catch((error: unknown) => logger.failure("sending the last spans failed", error));
  }
}

/** runServer opens the store, starts serving, and stops when stop resolves. */
async function runServer(
  config: ServerConfig,
  keys: ApiKeyRing,
  alerts: AlertSettings | undefined,
  logger: Logger,
  stop: Promise<NodeJS.Signals>,
  started: number,
  gatewayConfig: GatewayConfig | undefined,
  tracing: TraceSettings | undefined,
): Promise<void> {
  const progress = (line: string) => logger.line(line);
  let serving = false;
  stop.then((signal) => {
    if (!serving) progress(`${signal}: stopping once start-up is done`);
  });
  const failures = new BackgroundFailures(logger.line);
  const store = await openStore(config, progress, (work, error) => failures.report(work, error));
  try {
    const bootstrapped = await bootstrapSchema(store, config.schemaFile);
    if (bootstrapped !== "kept") progress(`schema: ${describeBootstrap(bootstrapped, config)}`);
    const decisions = await decisionSettings(config);
    progress(`decision log: ${describeDecisions(decisions)}`);
    if (alerts !== undefined) {
      progress(`alert rules: ${alerts.rules.rules.length} from ${config.alertsFile}`);
    }
    const server = await startServer({
      store,
      keys,
      host: config.host,
      grpcPort: config.grpcPort,
      httpPort: config.httpPort,
      limits: { ...DEFAULT_API_LIMITS, maxDepth: config.maxDepth },
      serverContext: config.serverContext,
      requestable: config.requestable,
      ...(config.actForPermission === undefined
        ? {}
        : { actForPermission: config.actForPermission }),
      accessRequestTtlMs: config.accessRequestTtlMs,
      cache: {
        ...(config.cacheBytes === undefined ? {} : { memoryBytes: config.cacheBytes }),
        maxChangeLagMs: config.maxChangeLagMs,
        ...(config.redisUrl === undefined
          ? {}
          : { redis: { url: config.redisUrl, cluster: config.redisCluster } }),
      },
      ...(config.maxConnections === undefined
        ? {}
        : { connections: { maxConnections: config.maxConnections } }),
      onInternalError: (method, error) => logger.failure(`internal error in ${method}`, error),
      log: logger.line,
      decisions: { database: store.database, settings: decisions },
      ...(alerts === undefined ? {} : { alerts }),
      database: store.database,
      ...(tracing === undefined ? {} : { tracing }),
      onConnectionLimit: (port, max) =>
        logger.line(
          `the ${port} port is at its limit of ${max} connections and refuses new ones (LATCH_MAX_CONNECTIONS)`,
          "warn",
        ),
    });
    const where =
      config.databaseUrl === undefined ? `embedded database in ${config.dataDir}` : "Postgres";
    const shared =
      config.redisUrl === undefined
        ? ""
        : `, cache shared in Redis (${config.redisCluster ? "cluster" : "single"})`;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    progress(
      `latch serving on ${bracketed(config.host)}: gRPC port ${server.grpcPort}, HTTP port ${server.httpPort}; store: ${where}${shared} (started in ${seconds} s)`,
    );
    let gateway: { close(): Promise<void> } | undefined;
    if (gatewayConfig !== undefined) {
      // A gateway that cannot start stops the server it was to run beside.
      gateway = await startGateway(gatewayConfig, server, progress).catch(async (error) => {
        await server.close(0);
        throw error;
      });
    }
    serving = true;
    const signal = await stop;
    progress(`${signal}: finishing calls in flight, then stopping`);
    await gateway?.close();
    await server.close(SHUTDOWN_GRACE_MS);
  } finally {
    await store.close();
  }
  progress("stopped");
}

/**
 * startGateway runs the MCP gateway of config beside server, asking it in process as a client
 * sending LATCH_TOKEN would; close stops the gateway.
 */
async function startGateway(
  config: GatewayConfig,
  server: LatchServer,
  progress: (line: string) => void,
): Promise<{ close(): Promise<void> }> {
  const latch = inProcessLatch(server, process.env.LATCH_TOKEN);
  const gateway = await openGateway({ config, latch, env: process.env });
  const { url, server: listening } = await listenGateway(gateway, config);
  progress(`MCP gateway serving ${Object.keys(config.servers).join(", ")} on ${url}`);
  return {
    close: async () => {
      listening.close();
      await gateway.close();
    },
  };
}

/** decisionSettings are the decision log's settings, with the redaction key when keys are masked. */
async function decisionSettings(config: ServerConfig): Promise<DecisionSettings> {
  const { mode, retentionMs, redactKeys, secret } = config.decisions;
  if (redactKeys.length === 0) return { mode, retentionMs, redactKeys };
  const redactionSecret = await loadRedactionSecret(secret, config.dataDir);
  return { mode, retentionMs, redactKeys, redactionSecret };
}

/** AlertSettings are the alert rules and their webhooks' secrets. */
type AlertSettings = NonNullable<Awaited<ReturnType<typeof alertSettings>>>;

/** alertSettings reads the alert rule file and its webhooks' secrets, when one is configured. */
async function alertSettings(config: ServerConfig) {
  if (config.alertsFile === undefined) return undefined;
  const rules = await readAlertRules(config.alertsFile);
  return { rules, secrets: webhookSecrets(rules, process.env) };
}

/** describeDecisions says in a few words how decisions are recorded: `async, kept 30 days`. */
function describeDecisions(settings: DecisionSettings): string {
  if (settings.mode === "off") return "off (LATCH_DECISIONS)";
  const hours = settings.retentionMs / 3_600_000;
  const kept = hours % 24 === 0 ? `${hours / 24} days` : `${hours} hours`;
  const masks = settings.redactKeys.length === 0 ? "" : `; masks ${settings.redactKeys.join(", ")}`;
  return `${settings.mode}, kept ${kept}${masks}`;
}

function openStore(
  config: ServerConfig,
  progress: (line: string) => void,
  onBackgroundError: (work: string, error: unknown) => void,
): Promise<SqlBackedStore> {
  const retention = config.retentionMs === undefined ? {} : { retentionMs: config.retentionMs };
  return config.databaseUrl === undefined
    ? createPgliteStore({
        dataDir: config.dataDir,
        lockedBy: "latch serve",
        progress,
        onBackgroundError,
        ...retention,
      })
    : createPostgresStore({
        connectionString: config.databaseUrl,
        progress,
        onBackgroundError,
        ...retention,
      });
}

/**
 * checkPortsFree fails at once when a configured port is taken, rather than after the store has
 * opened (seconds, for the embedded database). The server binds them for good later, and fails
 * then too if another process took one meanwhile.
 */
async function checkPortsFree(config: ServerConfig): Promise<void> {
  const ports: [PortName, number][] = [
    ["gRPC", config.grpcPort],
    ["HTTP", config.httpPort],
  ];
  for (const [name, port] of ports) {
    if (port === 0) continue;
    const probe = createServer();
    await listenOn(probe, name, config.host, port);
    await new Promise((resolve) => probe.close(resolve));
  }
}

/**
 * describeFailure says in one line why the server stopped, and what setting to change: a port
 * it could not open, a configuration error or an unreachable store plainly.
 */
function describeFailure(error: unknown): string {
  if (error instanceof ListenError) {
    const variable = error.addressAtFault ? "LATCH_HOST" : PORT_VARIABLES[error.portName];
    return `${error.message} (set ${variable})`;
  }
  if (error instanceof StoreUnavailableError) return error.detail;
  return error instanceof Error ? error.message : String(error);
}

/** bracketed writes an IPv6 address as it goes before a port, `[::1]`; other hosts as they are. */
function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function describeBootstrap(
  what: "wrote-configured" | "wrote-example",
  config: ServerConfig,
): string {
  return what === "wrote-configured"
    ? `wrote ${config.schemaFile}`
    : "the store had none: wrote the example agent schema (schema/agent.zed)";
}

/** listenForStop resolves received at the first SIGTERM or SIGINT, until cancelled. */
function listenForStop(): { received: Promise<NodeJS.Signals>; cancel(): void } {
  let stop: (signal: NodeJS.Signals) => void = () => {};
  const cancel = () => {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    stop = (signal) => {
      cancel();
      resolve(signal);
    };
  });
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return { received, cancel };
}
