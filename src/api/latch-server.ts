// The Latch server: every service on the gRPC port (grpc-js) and the HTTP port (Connect, gRPC-Web, health, the console).

import { setMaxListeners } from "node:events";
import { createServer } from "node:http";
import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { loadSync, type PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { AlertArchive } from "../alerts/alert-archive.js";
import { AlertEvaluator } from "../alerts/alert-evaluator.js";
import type { AlertRules } from "../alerts/alert-rule.js";
import { markDelivered } from "../alerts/alert-store.js";
import { AlertRulesError } from "../alerts/rule-file.js";
import { type WebhookRetry, WebhookSender } from "../alerts/webhook-sender.js";
import { DEFAULT_ACCESS_REQUEST_TTL_MS } from "../approvals/access-request.js";
import { type CacheLayer, type CacheOptions, openCacheLayer } from "../cache/cache-layer.js";
import { OFF_LOG } from "../decisions/decision-log.js";
import { type DecisionSettings, SqlDecisionLog } from "../decisions/sql-decision-log.js";
import { createCombinedDispatcher } from "../dispatch/combined-dispatcher.js";
import { SERVER_TIME_PARAMETER } from "../engine/server-time.js";
import { AgentService } from "../gen/latch/v1/agent_service_pb.js";
import { AlertService } from "../gen/latch/v1/alert_service_pb.js";
import { ApprovalService } from "../gen/latch/v1/approval_service_pb.js";
import { DecisionService } from "../gen/latch/v1/decision_service_pb.js";
import { KeyService } from "../gen/latch/v1/key_service_pb.js";
import { PermissionService } from "../gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../gen/latch/v1/schema_service_pb.js";
import {
  addSpiceDbApi,
  SPICEDB_SERVICES,
  spiceDbReflection,
} from "../spicedb-api/register-spicedb-api.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import type { Store } from "../store/store.js";
import { BackgroundFailures } from "../telemetry/background-failures.js";
import type { LogLine } from "../telemetry/logger.js";
import { createMetrics, type LatchMetrics } from "../telemetry/metrics.js";
import type { TraceSettings } from "../telemetry/tracing.js";
import { createAgentService } from "./agent-service.js";
import { createAlertService } from "./alert-service.js";
import { alertSuspender } from "./alert-suspension.js";
import { type ApiContext, type ApiLimits, DEFAULT_API_LIMITS } from "./api-context.js";
import type { ApiKeyRing } from "./api-keys.js";
import { createApprovalService } from "./approval-service.js";
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  grpcConnectionOptions,
  httpServerOptions,
  limitConnections,
} from "./connection-limits.js";
import { CONSOLE_DIRECTORY, createConsoleFiles } from "./console-files.js";
import { createDecisionService } from "./decision-service.js";
import { addConnectService } from "./grpc-adapter.js";
import { LiveCalls, shutdownError } from "./grpc-call-context.js";
import { type GrpcPort, listenGrpc } from "./grpc-port.js";
import { bearerKey, guardService } from "./guard-service.js";
import { createHttpHandler } from "./http-handler.js";
import { createInProcessClient, type InProcessClient } from "./in-process-client.js";
import { createKeyService } from "./key-service.js";
import { listenOn, type PortName } from "./listen-error.js";
import { createPermissionService } from "./permission-service.js";
import { Readiness } from "./readiness.js";
import { compiledFiles, reflectedFiles } from "./reflected-files.js";
import { createRelationshipService } from "./relationship-service.js";
import { createSchemaService } from "./schema-service.js";
import { SchemaSource } from "./schema-source.js";
import { traceService } from "./trace-service.js";

/** MAX_MESSAGE_BYTES bounds one request message on either port (RESOURCE_EXHAUSTED past it). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** How often a server looks for a schema written through another replica. */
const SCHEMA_REFRESH_MS = 1000;

/** ServerOptions configure {@link startServer}. */
export interface ServerOptions {
  readonly store: Store;
  readonly keys: ApiKeyRing;
  /** The address both ports bind to, as it is (`::1`, not `[::1]`). */
  readonly host: string;
  /** The gRPC port; 0 picks a free one. */
  readonly grpcPort: number;
  /** The HTTP port (Connect, gRPC-Web, /healthz, /readyz, /console); 0 picks a free one. */
  readonly httpPort: number;
  readonly limits?: ApiLimits;
  /**
   * The caveat parameters a request's context may not hold, since the server supplies them
   * (LATCH_SERVER_CONTEXT); `now` by default.
   */
  readonly serverContext?: readonly string[];
  /**
   * The permission an actor needs on itself to act for the member before it in a chain
   * (LATCH_ACT_FOR_PERMISSION); the engine's default, `act_for`, when unset.
   */
  readonly actForPermission?: string;
  /**
   * The `type#relation`s a denied check names as requestable when the member may be granted them
   * with an expiration (LATCH_REQUESTABLE); none by default.
   */
  readonly requestable?: readonly string[];
  /**
   * How long an access request stays pending before it expires undecided
   * (LATCH_ACCESS_REQUEST_TTL); a day by default.
   */
  readonly accessRequestTtlMs?: number;
  /** The result cache: in process always, shared in Redis when configured. */
  readonly cache?: CacheOptions;
  /** Bounds on each port's connections; {@link DEFAULT_CONNECTION_LIMITS} by default. */
  readonly connections?: Partial<ConnectionLimits>;
  /** Called with each fault of Latch's, for the log. */
  readonly onInternalError: (method: string, error: unknown) => void;
  /** Writes a line to the server's log: when the store stops answering, and when it is back. */
  readonly log: LogLine;
  /** Called (at most once a minute a port) while a port refuses connections at its limit. */
  readonly onConnectionLimit?: (portName: PortName, maxConnections: number) => void;
  /**
   * The decision log, kept in the store's database (that of a SqlBackedStore); without it the
   * log is off and DecisionService answers FAILED_PRECONDITION.
   */
  readonly decisions?: { readonly database: SqlExecutor; readonly settings: DecisionSettings };
  /**
   * The alert rules (LATCH_ALERTS) and their webhooks' secrets: evaluated on one replica at a
   * time, over the decision log, which must then be on; `retry` is how hard undelivered webhooks
   * are retried (DEFAULT_WEBHOOK_RETRY when unset).
   */
  readonly alerts?: {
    readonly rules: AlertRules;
    readonly secrets: ReadonlyMap<string, Buffer>;
    readonly retry?: WebhookRetry;
  };
  /**
   * The store's database (that of a SqlBackedStore), for the gauges of its connection pool in
   * /metrics; PGlite's has no pool.
   */
  readonly database?: SqlExecutor;
  /**
   * How calls are traced, when the OpenTelemetry SDK is started: a server span per call, and
   * spans for its dispatches, store queries and Redis commands. Without it nothing is traced.
   */
  readonly tracing?: TraceSettings;
}

/** LatchServer is a running server: its bound ports, and a graceful stop. */
export interface LatchServer {
  readonly grpcPort: number;
  readonly httpPort: number;
  /**
   * inProcessClient is a client of service's unary methods calling this server's implementation
   * in this process (see createInProcessClient), as a caller sending requestHeader would: the
   * gateway of `latch serve` asks its checks so, without a round trip to its own port.
   */
  inProcessClient<S extends DescService>(
    service: S,
    requestHeader: Readonly<Record<string, string>>,
  ): InProcessClient<S>;
  /**
   * close stops accepting calls, ends streams that never finish by themselves (Watch), waits up
   * to graceMs for calls in flight, then cuts what is left.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * startServer serves the API over the store on both ports and resolves once both listen. When
 * it cannot (a port is taken: a ListenError), it stops what it started before rejecting, so
 * that nothing is left serving half the API.
 */
export async function startServer(options: ServerOptions): Promise<LatchServer> {
  const connectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const onConnectionLimit = options.onConnectionLimit ?? (() => {});
  const metrics = createMetrics();
  if (options.alerts !== undefined && (options.decisions?.settings.mode ?? "off") === "off") {
    throw new AlertRulesError([
      "alert rules read the decision log, which is off (LATCH_DECISIONS=off): turn it on (async or sync), or configure no rules (LATCH_ALERTS)",
    ]);
  }
  const decisionLog =
    options.decisions === undefined
      ? undefined
      : await SqlDecisionLog.open(options.decisions.database, options.decisions.settings, {
          countDecisions: (outcome, count) => metrics.countDecisions(outcome, count),
          log: options.log,
        });
  if (decisionLog !== undefined) metrics.watchDecisionQueue(() => decisionLog.queued);
  const poolStats = options.database?.poolStats;
  if (poolStats !== undefined) metrics.watchPool(poolStats);
  // A broken change stream is said, not swallowed; the tracker follows it again by itself.
  const failures = new BackgroundFailures(options.log);
  const onStreamError = (error: unknown) => failures.report("following the change stream", error);
  const cache = await openCacheLayer(options.store, {
    onStreamError,
    ...options.cache,
    ...(options.tracing === undefined ? {} : { traceRedis: true }),
  }).catch(async (error: unknown) => {
    await decisionLog?.close(0);
    throw error;
  });
  const onLookup = (hit: boolean) => metrics.countCacheLookup(hit);
  const limits = options.limits ?? DEFAULT_API_LIMITS;
  const context: ApiContext = {
    store: options.store,
    schemas: new SchemaSource(
      options.store,
      (keyPrefix) =>
        createCombinedDispatcher({
          results: cache.results,
          tracker: cache.tracker,
          keyPrefix,
          onLookup,
        }),
      {
        maxDepth: limits.maxDepth,
        ...(options.actForPermission === undefined
          ? {}
          : { actForPermission: options.actForPermission }),
        ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
      },
    ),
    limits,
    tracker: cache.tracker,
    metrics,
    serverContext: new Set(options.serverContext ?? [SERVER_TIME_PARAMETER]),
    requestable: new Set(options.requestable),
    decisions: decisionLog ?? OFF_LOG,
    ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
  };
  const alertArchive =
    options.decisions === undefined ? undefined : new AlertArchive(options.decisions.database);
  const alerts = startAlerts(options, context, decisionLog);
  // gRPC health follows readiness, for the server ("") and each service alike.
  const healthNames = [
    "",
    ...[
      PermissionService,
      RelationshipService,
      SchemaService,
      AgentService,
      ApprovalService,
      DecisionService,
      AlertService,
      KeyService,
    ].map((s) => s.typeName),
    ...SPICEDB_SERVICES,
  ];
  const health = new HealthImplementation(
    Object.fromEntries(healthNames.map((name) => [name, "SERVING" as const])),
  );
  const setHealth = (status: "SERVING" | "NOT_SERVING") => {
    for (const name of healthNames) health.setStatus(name, status);
  };
  const readiness = new Readiness({
    probe: () => options.store.head(),
    onChange: (ready) => setHealth(ready ? "SERVING" : "NOT_SERVING"),
    log: options.log,
  });
  // Every second the store's head: schemas written through other replicas reach this one's cached
  // reads within a second; a change stream that stopped applying is noticed (see observeHead);
  // and an outage of the store is noticed while no call comes in.
  const followStore = async () => {
    const head = await options.store.head();
    await context.schemas.at(head.schemaRevision);
    readiness.noteLag(await cache.tracker.observeHead(head.revision, Date.now()));
    const lag = cache.tracker.observedLag;
    metrics.observeChangeLag(lag.revisions, lag.forMs / 1000);
  };
  const schemaRefresh = setInterval(() => {
    followStore().catch((error: unknown) => readiness.noteFailure(error));
  }, SCHEMA_REFRESH_MS);
  schemaRefresh.unref();
  const guard = {
    keys: options.keys,
    onInternalError: options.onInternalError,
    onStoreUnavailable: (error: unknown) => readiness.noteFailure(error),
    rpcTimer: (method: string) => metrics.rpcTimer(method),
  };
  /** served is a service guarded, and traced when the server traces. */
  const served = <S extends DescService>(service: S, impl: ServiceImpl<S>) =>
    entry(service, guardService(service, impl, guard), options.tracing);
  // Both APIs, latch.v1 and SpiceDB's, are answered by the same services.
  const backends = {
    permissions: createPermissionService(context),
    relationships: createRelationshipService(context),
    schema: createSchemaService(context),
  };
  const services: [DescService, ServiceImpl<DescService>][] = [
    served(PermissionService, backends.permissions),
    served(RelationshipService, backends.relationships),
    served(SchemaService, backends.schema),
    served(AgentService, createAgentService(context)),
    served(
      ApprovalService,
      createApprovalService(context, {
        requestTtlMs: options.accessRequestTtlMs ?? DEFAULT_ACCESS_REQUEST_TTL_MS,
      }),
    ),
    served(DecisionService, createDecisionService(decisionLog)),
    served(AlertService, createAlertService(alertArchive)),
    served(KeyService, createKeyService()),
  ];
  const shutdown = new AbortController();
  // Every call in flight listens to the shutdown signal: no limit on listeners.
  setMaxListeners(0, shutdown.signal);

  const grpcServer = new grpc.Server({
    // Channelz (which no one here reads) stamps every call and message with the time.
    "grpc.enable_channelz": 0,
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    ...grpcConnectionOptions(connectionLimits),
  });
  const live = new LiveCalls();
  shutdown.signal.addEventListener("abort", () => live.abortAll(), { once: true });
  for (const [service, impl] of services) {
    addConnectService(grpcServer, service, impl, live);
  }
  addSpiceDbApi(grpcServer, backends, guard, live, options.tracing !== undefined);
  health.addToServer(grpcServer);
  new ReflectionService({
    ...reflectedFiles("latch.v1", compiledFiles(services.map(([service]) => service))),
    ...withFilesOnce(loadSync(healthProtoPath)),
    ...spiceDbReflection(),
  }).addToServer(grpcServer);

  const consoleFiles = createConsoleFiles(CONSOLE_DIRECTORY);
  const httpServer = createServer(
    httpServerOptions(connectionLimits),
    createHttpHandler({
      services,
      strictJson: new Set([DecisionService.typeName, AlertService.typeName]),
      readMaxBytes: MAX_MESSAGE_BYTES,
      shutdownSignal: shutdown.signal,
      fallback: (request, response) =>
        consoleFiles(request, response) ||
        serveProbes(request, response, { keys: options.keys, readiness, cache, metrics }),
      onError: options.onInternalError,
    }),
  );
  limitConnections(httpServer, "HTTP", connectionLimits, onConnectionLimit);

  let grpcPort: GrpcPort | undefined;
  const running = {
    async close(graceMs = 10_000) {
      readiness.close();
      setHealth("NOT_SERVING");
      // Calls in flight, open Watch streams included, end UNAVAILABLE: clients retry or resume.
      shutdown.abort(shutdownError());
      let cut: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        cut = setTimeout(() => {
          grpcServer.forceShutdown();
          httpServer.closeAllConnections();
          resolve();
        }, graceMs);
      });
      // grpc-js may never call back tryShutdown for a connection the client dropped just before;
      // the grace period's end stops waiting for it.
      await Promise.race([
        Promise.all([
          grpcPort?.close(),
          new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve())),
          new Promise<void>((resolve) => {
            if (!httpServer.listening) return resolve();
            httpServer.close(() => resolve());
            httpServer.closeIdleConnections();
          }),
        ]),
        graceOver,
      ]);
      clearTimeout(cut);
      clearInterval(schemaRefresh);
      // The evaluator goes first: another replica takes over at once, from what it stored.
      await alerts?.close();
      await alertArchive?.close();
      // Every call has ended: what they recorded is all queued, and is written now.
      await decisionLog?.close(graceMs);
      await cache.close();
    },
  };
  try {
    grpcPort = await listenGrpc(
      grpcServer,
      options.host,
      options.grpcPort,
      connectionLimits,
      onConnectionLimit,
    );
    const httpPort = await listenOn(httpServer, "HTTP", options.host, options.httpPort);
    return {
      grpcPort: grpcPort.port,
      httpPort,
      inProcessClient: (service, requestHeader) => {
        const impl = services.find(([served]) => served === service)?.[1];
        if (impl === undefined) throw new Error(`${service.typeName} is not served`);
        return createInProcessClient(service, impl as ServiceImpl<typeof service>, requestHeader);
      },
      close: running.close,
    };
  } catch (error) {
    await running.close(0);
    throw error;
  }
}

/**
 * startAlerts starts the alert evaluator when rules are configured (the decision log is on:
 * startServer checked), with its webhook sender; it returns how to stop both.
 */
function startAlerts(
  options: ServerOptions,
  context: ApiContext,
  decisionLog: SqlDecisionLog | undefined,
): { close(): Promise<void> } | undefined {
  const database = options.decisions?.database;
  if (options.alerts === undefined || database === undefined || decisionLog === undefined) {
    return undefined;
  }
  const { metrics } = context;
  const sender = new WebhookSender(
    options.alerts.secrets,
    {
      count: (webhook, outcome) => metrics.countWebhook(webhook, outcome),
      delivered: (alert) => markDelivered(database, alert.id),
      log: options.log,
    },
    options.alerts.retry,
  );
  const evaluator = new AlertEvaluator(
    database,
    decisionLog,
    options.alerts.rules,
    { webhooks: sender, suspend: alertSuspender(context) },
    {
      raised: (rule) => metrics.countAlert(rule),
      undelivered: (count) => metrics.setUndeliveredWebhooks(count),
      log: options.log,
    },
  );
  evaluator.start();
  return {
    async close() {
      await evaluator.close();
      sender.close();
    },
  };
}

/**
 * withFilesOnce keeps one message type of a package definition. proto-loader gives every type
 * the descriptors of all the loaded files, and the reflection service decodes them again for
 * each type (a sixth of a second of start-up), while it reflects the files, not the types.
 */
function withFilesOnce(definition: PackageDefinition): PackageDefinition {
  const typed = Object.entries(definition).find(([, value]) => "fileDescriptorProtos" in value);
  return typed === undefined ? definition : { [typed[0]]: typed[1] };
}

function entry<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  tracing: TraceSettings | undefined,
): [DescService, ServiceImpl<DescService>] {
  const served = tracing === undefined ? impl : traceService(service, impl);
  return [service, served as unknown as ServiceImpl<DescService>];
}

/** ProbeRequest is the part of an HTTP/1.1 or HTTP/2 request a probe reads. */
interface ProbeRequest {
  readonly url?: string;
  readonly headers: { readonly authorization?: string | undefined };
}

/** ProbeResponse is the part of an HTTP/1.1 or HTTP/2 response a probe writes. */
interface ProbeResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

/** ProbeContext is what the probes report on. */
interface ProbeContext {
  readonly keys: ApiKeyRing;
  readonly readiness: Readiness;
  readonly cache: CacheLayer;
  readonly metrics: LatchMetrics;
}

/**
 * serveProbes answers the HTTP probes: `/healthz` while the process runs, `/readyz` while the
 * store answers (503 otherwise; Redis's state is reported but does not make the server unready,
 * since it answers correctly without it), `/metrics` for Prometheus; anything else is 404.
 * `/readyz` says only ready or not ready, unless the caller presents a valid API key (of any
 * scope) or no key is configured: then it adds the store's revision or error and the cache's
 * state.
 */
function serveProbes(request: ProbeRequest, response: ProbeResponse, probes: ProbeContext): void {
  const { keys, readiness, cache, metrics } = probes;
  const path = (request.url ?? "").split("?")[0];
  const reply = (status: number, body: string, type = "application/json") => {
    response.writeHead(status, { "content-type": type });
    response.end(body);
  };
  const redis = cache.redis === undefined ? undefined : cache.redis.health;
  if (redis !== undefined) metrics.redisUp.set(redis.ok ? 1 : 0);
  if (path === "/healthz") {
    reply(200, JSON.stringify({ status: "ok" }));
  } else if (path === "/readyz") {
    const key = bearerKey(request.headers.authorization);
    const detailed = keys.isEmpty || (key !== undefined && keys.authenticate(key) !== undefined);
    readiness.probe().then((probe) => {
      const ready = probe.ok && readiness.ready;
      const status = { status: ready ? "ready" : "not ready" };
      if (!detailed) return reply(ready ? 200 : 503, JSON.stringify(status));
      const store = probe.ok
        ? { ok: true, revision: probe.head.revision }
        : { ok: false, error: String(probe.error) };
      const detail = {
        store,
        cache: { appliedRevision: cache.tracker.appliedRevision, ...(redis ? { redis } : {}) },
      };
      reply(ready ? 200 : 503, JSON.stringify({ ...status, ...detail }));
    });
  } else if (path === "/metrics") {
    metrics.registry.metrics().then(
      (text) => reply(200, text, metrics.registry.contentType),
      (error: unknown) => reply(500, JSON.stringify({ error: String(error) })),
    );
  } else {
    reply(404, JSON.stringify({ error: `no route for ${path}` }));
  }
}
