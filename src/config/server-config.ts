// The server's configuration: an optional YAML file, overridden by the environment, checked field by field.

import { type ApiKey, SCOPES, type Scope } from "../api/api-keys.js";
import {
  ACCESS_REQUEST_MAX_DURATION_MS,
  DEFAULT_ACCESS_REQUEST_TTL_MS,
} from "../approvals/access-request.js";
import { DEFAULT_MAX_CHANGE_LAG_MS } from "../cache/change-tracker.js";
import { DECISION_MODES, type DecisionMode } from "../decisions/decision-log.js";
import { DEFAULT_DECISIONS_RETENTION_MS } from "../decisions/sql-decision-log.js";
import { DEFAULT_MAX_DEPTH } from "../engine/check-engine.js";
import { SERVER_TIME_PARAMETER } from "../engine/server-time.js";
import { parseGoDuration } from "../schema/caveat/go-duration.js";
import { PARAMETER_NAME } from "../schema/caveat-checker.js";
import { LOG_LEVELS, type LogLevel } from "../telemetry/logger.js";
import { checkObjectType, checkRelation, explain } from "../tuple/identifiers.js";
import { type FileKeys, readConfigFile } from "./config-file.js";

/** ServerConfig is everything `latch serve` needs to start. */
export interface ServerConfig {
  /** Postgres; undefined runs the embedded PGlite store in dataDir. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** A schema file written at start-up when the store holds a different one. */
  readonly schemaFile?: string;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly apiKeys: readonly ApiKey[];
  /** How long past revisions stay readable, in milliseconds. */
  readonly retentionMs?: number;
  /** The shared result cache: a Redis server, or a node of a Redis Cluster when redisCluster. */
  readonly redisUrl?: string;
  readonly redisCluster: boolean;
  /** Bytes the in-process result cache may hold. */
  readonly cacheBytes?: number;
  /** How many levels a check may descend before it fails. */
  readonly maxDepth: number;
  /** How long a committed revision may go unapplied by the change stream before reads bypass it. */
  readonly maxChangeLagMs: number;
  /** The most connections each port holds at once. */
  readonly maxConnections?: number;
  /** The caveat parameters a request's context may not hold: the server supplies them. */
  readonly serverContext: readonly string[];
  /** The permission an actor needs on itself to act for someone; the engine's `act_for` when unset. */
  readonly actForPermission?: string;
  /**
   * The `type#relation`s a denied check may name as requestable: what the denied member could ask
   * for with RequestAccess; none by default.
   */
  readonly requestable: readonly string[];
  /** How long an access request stays pending before it expires undecided, in milliseconds. */
  readonly accessRequestTtlMs: number;
  /** The decision log: its mode, how long it keeps decisions, the caveat-context keys it masks. */
  readonly decisions: DecisionsConfig;
  /** The alert rule file; its rules read the decision log, which must then be on. */
  readonly alertsFile?: string;
  /** The least level of the server's log lines: `info` by default. */
  readonly logLevel: LogLevel;
  /** Whether trace spans may carry object ids, subjects and caveat context (off by default). */
  readonly traceIdentifiers: boolean;
}

/** DecisionsConfig is the decision log's part of the configuration. */
export interface DecisionsConfig {
  readonly mode: DecisionMode;
  readonly retentionMs: number;
  readonly redactKeys: readonly string[];
  /** The key masked values are hashed with; unset, one is made and kept in the data directory. */
  readonly secret?: string;
}

/** ConfigError is a configuration Latch refuses to start with; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** DEFAULT_DATA_DIR is where the embedded database lives when no database URL is set. */
export const DEFAULT_DATA_DIR = "./.latch/data";

/**
 * MAX_DEPTH_LIMIT bounds LATCH_MAX_DEPTH. The limit is what stops a schema that recurses without
 * end, and such a walk costs work in proportion to it: a check down a 1,000-level chain takes about
 * a second of server time, so a larger limit would let one request hold the server for longer,
 * while no real hierarchy (folders, groups, org units) comes near 1,000 levels.
 */
export const MAX_DEPTH_LIMIT = 1000;

/** FILE_KEYS are the keys of the YAML file: the settings' names in camelCase. */
const FILE_KEYS: FileKeys = {
  databaseUrl: null,
  dataDir: null,
  schema: null,
  host: null,
  grpcPort: null,
  httpPort: null,
  apiKeys: { name: null, sha256: null, scopes: null },
  retentionMs: null,
  redisUrl: null,
  redisCluster: null,
  cacheBytes: null,
  maxDepth: null,
  maxChangeLagMs: null,
  maxConnections: null,
  serverContext: null,
  actForPermission: null,
  requestable: null,
  accessRequestTtl: null,
  decisions: null,
  decisionsRetention: null,
  decisionsRedact: null,
  decisionsSecret: null,
  alerts: null,
  logLevel: null,
  traceIdentifiers: null,
};

/** The shortest LATCH_DECISIONS_SECRET: 32 characters, 128 bits and more as hex or base64. */
const MIN_SECRET_LENGTH = 32;
const RETENTION = /^([1-9][0-9]{0,5})(d|h)$/;

/**
 * readServerConfig reads the YAML file at path (if any), then the environment, which wins:
 * DATABASE_URL, LATCH_DATA_DIR, LATCH_SCHEMA, LATCH_HOST, LATCH_GRPC_PORT, LATCH_HTTP_PORT,
 * LATCH_API_KEYS (`name:sha256:scope+scope,...`), LATCH_RETENTION_MS, REDIS_URL,
 * LATCH_REDIS_CLUSTER (`true` for a Redis Cluster), LATCH_CACHE_BYTES, LATCH_MAX_DEPTH,
 * LATCH_MAX_CHANGE_LAG_MS,
 * LATCH_MAX_CONNECTIONS, LATCH_SERVER_CONTEXT (comma-separated names), LATCH_ACT_FOR_PERMISSION,
 * LATCH_REQUESTABLE (comma-separated `type#relation`s),
 * LATCH_ACCESS_REQUEST_TTL (a Go duration: `24h`, `90m`),
 * and the decision log's LATCH_DECISIONS (`async`, `sync` or `off`), LATCH_DECISIONS_RETENTION
 * (`30d`, `12h`), LATCH_DECISIONS_REDACT (`ssn,phone`) and LATCH_DECISIONS_SECRET, and the alert
 * rule file LATCH_ALERTS (refused with the decision log off: its rules read it).
 * LATCH_LOG_LEVEL and LATCH_TRACE_IDENTIFIERS (`true` lets spans carry ids). It throws a
 * ConfigError naming every bad field, and every key of the file it does not know.
 */
export async function readServerConfig(
  env: NodeJS.ProcessEnv,
  path?: string,
): Promise<ServerConfig> {
  const problems: string[] = [];
  const file = path === undefined ? {} : await readConfigFile(path, FILE_KEYS, problems);
  const text = (key: string, envKey: string): string | undefined => {
    const value = env[envKey] ?? file[key];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") {
      problems.push(`${key}: must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  };
  const sources: SettingSources = { env, file, problems };
  const integer = (key: string, envKey: string, fallback: number, min: number, max: number) =>
    integerSetting(sources, key, envKey, fallback, min, max);
  const envKeys = env.LATCH_API_KEYS;
  const apiKeys =
    envKeys !== undefined && envKeys !== ""
      ? parseKeyList(envKeys, problems)
      : readFileKeys(file.apiKeys, problems);
  const retention = env.LATCH_RETENTION_MS ?? file.retentionMs;
  const cacheBytes = env.LATCH_CACHE_BYTES ?? file.cacheBytes;
  const maxConnections = env.LATCH_MAX_CONNECTIONS ?? file.maxConnections;
  const cluster = booleanSetting(sources, "redisCluster", "LATCH_REDIS_CLUSTER");
  const logLevel = text("logLevel", "LATCH_LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(
      `LATCH_LOG_LEVEL (logLevel): one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const databaseUrl = text("databaseUrl", "DATABASE_URL");
  if (databaseUrl !== undefined) {
    const problem = databaseUrlProblem(databaseUrl);
    if (problem !== undefined) problems.push(`DATABASE_URL (databaseUrl): ${problem}`);
  }
  const actForPermission = text("actForPermission", "LATCH_ACT_FOR_PERMISSION");
  if (actForPermission !== undefined) {
    const field = "LATCH_ACT_FOR_PERMISSION (actForPermission)";
    const problem = explain(field, actForPermission, checkRelation(actForPermission));
    if (problem !== undefined) problems.push(problem);
  }
  const config: ServerConfig = {
    ...optional("databaseUrl", databaseUrl),
    dataDir: text("dataDir", "LATCH_DATA_DIR") ?? DEFAULT_DATA_DIR,
    ...optional("schemaFile", text("schema", "LATCH_SCHEMA")),
    host: text("host", "LATCH_HOST") ?? "127.0.0.1",
    grpcPort: integer("grpcPort", "LATCH_GRPC_PORT", 50051, 0, 65535),
    httpPort: integer("httpPort", "LATCH_HTTP_PORT", 8080, 0, 65535),
    apiKeys,
    ...(retention === undefined
      ? {}
      : {
          retentionMs: integer("retentionMs", "LATCH_RETENTION_MS", 0, 0, Number.MAX_SAFE_INTEGER),
        }),
    ...optional("redisUrl", text("redisUrl", "REDIS_URL")),
    redisCluster: cluster,
    ...(cacheBytes === undefined
      ? {}
      : { cacheBytes: integer("cacheBytes", "LATCH_CACHE_BYTES", 0, 0, Number.MAX_SAFE_INTEGER) }),
    maxDepth: maxDepthSetting(sources),
    maxChangeLagMs: integer(
      "maxChangeLagMs",
      "LATCH_MAX_CHANGE_LAG_MS",
      DEFAULT_MAX_CHANGE_LAG_MS,
      1000,
      86_400_000,
    ),
    ...(maxConnections === undefined
      ? {}
      : { maxConnections: integer("maxConnections", "LATCH_MAX_CONNECTIONS", 1, 1, 1_000_000) }),
    serverContext: serverContextSetting(sources),
    ...optional("actForPermission", actForPermission),
    requestable: requestableSetting(sources),
    accessRequestTtlMs: accessRequestTtlSetting(
      problems,
      text("accessRequestTtl", "LATCH_ACCESS_REQUEST_TTL"),
    ),
    decisions: decisionsSetting(sources, databaseUrl !== undefined),
    ...optional("alertsFile", text("alerts", "LATCH_ALERTS")),
    logLevel: logLevel as LogLevel,
    traceIdentifiers: booleanSetting(sources, "traceIdentifiers", "LATCH_TRACE_IDENTIFIERS"),
  };
  if (config.alertsFile !== undefined && config.decisions.mode === "off") {
    problems.push(
      "LATCH_ALERTS (alerts): alert rules read the decision log, which LATCH_DECISIONS turns off; turn it on (async or sync), or configure no rules",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * readMaxDepth reads LATCH_MAX_DEPTH alone, for a command that runs checks without a server
 * (`latch validate`), and throws a ConfigError when it is not a depth Latch accepts.
 */
export function readMaxDepth(env: Readonly<Record<string, string | undefined>>): number {
  const problems: string[] = [];
  const maxDepth = maxDepthSetting({ env, file: {}, problems });
  if (problems.length > 0) throw new ConfigError(problems);
  return maxDepth;
}

/** SettingSources are where settings come from, the environment winning, and where problems go. */
interface SettingSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly file: Readonly<Record<string, unknown>>;
  readonly problems: string[];
}

/** booleanSetting reads a `true` or `false` setting, false when unset. */
function booleanSetting(sources: SettingSources, key: string, envKey: string): boolean {
  const value = sources.env[envKey] ?? sources.file[key];
  if (value !== undefined && !["true", "false", true, false].includes(value as string)) {
    sources.problems.push(`${envKey} (${key}): true or false, got ${JSON.stringify(value)}`);
  }
  return value === true || value === "true";
}

/**
 * decisionsSetting reads the decision log's settings. Masking on Postgres needs the secret
 * configured: replicas that each made their own would hash one value differently.
 */
function decisionsSetting(sources: SettingSources, onPostgres: boolean): DecisionsConfig {
  const { env, file, problems } = sources;
  const read = (key: string, envKey: string): string | undefined => {
    const raw = env[envKey] ?? file[key];
    if (raw === undefined || raw === "") return undefined;
    if (typeof raw === "string") return raw;
    // A YAML list of keys reads as the same comma-separated text.
    if (Array.isArray(raw) && key === "decisionsRedact") return raw.map(String).join(",");
    problems.push(`${envKey} (${key}): must be a string, got ${JSON.stringify(raw)}`);
    return undefined;
  };
  const mode = read("decisions", "LATCH_DECISIONS") ?? "async";
  if (!DECISION_MODES.includes(mode as DecisionMode)) {
    problems.push(
      `LATCH_DECISIONS (decisions): one of ${DECISION_MODES.join(", ")}, got ${JSON.stringify(mode)}`,
    );
  }
  const retention = read("decisionsRetention", "LATCH_DECISIONS_RETENTION");
  const match = retention === undefined ? null : RETENTION.exec(retention);
  if (retention !== undefined && match === null) {
    problems.push(
      `LATCH_DECISIONS_RETENTION (decisionsRetention): a whole number of days or hours such as 30d or 12h, got ${JSON.stringify(retention)}`,
    );
  }
  const unit = match?.[2] === "d" ? 86_400_000 : 3_600_000;
  const retentionMs = match === null ? DEFAULT_DECISIONS_RETENTION_MS : Number(match[1]) * unit;
  const redact = read("decisionsRedact", "LATCH_DECISIONS_REDACT");
  const redactKeys = redact === undefined ? [] : redact.split(",").map((key) => key.trim());
  redactKeys.forEach((key, i) => {
    if (!PARAMETER_NAME.test(key)) {
      problems.push(
        `LATCH_DECISIONS_REDACT (decisionsRedact)[${i}]: a caveat parameter name (a letter or _, then letters, digits or _), got ${JSON.stringify(key)}`,
      );
    }
  });
  const secret = read("decisionsSecret", "LATCH_DECISIONS_SECRET");
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `LATCH_DECISIONS_SECRET (decisionsSecret): at least ${MIN_SECRET_LENGTH} characters (\`openssl rand -hex 32\`), got ${secret.length}`,
    );
  }
  if (onPostgres && redactKeys.length > 0 && secret === undefined) {
    problems.push(
      "LATCH_DECISIONS_SECRET (decisionsSecret): required with DATABASE_URL when LATCH_DECISIONS_REDACT is set, so that every replica masks a value alike",
    );
  }
  return {
    mode: mode as DecisionMode,
    retentionMs,
    redactKeys: [...new Set(redactKeys)],
    ...(secret === undefined ? {} : { secret }),
  };
}

/**
 * accessRequestTtlSetting reads LATCH_ACCESS_REQUEST_TTL (accessRequestTtl): a positive Go
 * duration of at most 30 days; a day when unset.
 */
function accessRequestTtlSetting(problems: string[], raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_ACCESS_REQUEST_TTL_MS;
  const duration = parseGoDuration(raw);
  const ms =
    typeof duration === "string"
      ? Number.NaN
      : Number(duration.seconds) * 1000 + duration.nanos / 1e6;
  if (!(ms > 0 && ms <= ACCESS_REQUEST_MAX_DURATION_MS)) {
    problems.push(
      `LATCH_ACCESS_REQUEST_TTL (accessRequestTtl): a positive duration of at most 720h (30 days), such as 24h or 90m, got ${JSON.stringify(raw)}`,
    );
    return DEFAULT_ACCESS_REQUEST_TTL_MS;
  }
  return ms;
}

function maxDepthSetting(sources: SettingSources): number {
  return integerSetting(
    sources,
    "maxDepth",
    "LATCH_MAX_DEPTH",
    DEFAULT_MAX_DEPTH,
    1,
    MAX_DEPTH_LIMIT,
  );
}

/**
 * serverContextSetting reads LATCH_SERVER_CONTEXT (serverContext): caveat parameter names, comma
 * separated (or a list in the file); `now` when unset, none when set empty.
 */
function serverContextSetting({ env, file, problems }: SettingSources): string[] {
  const raw = env.LATCH_SERVER_CONTEXT ?? file.serverContext;
  if (raw === undefined || raw === null) return [SERVER_TIME_PARAMETER];
  const list = typeof raw === "string" ? raw.split(",") : raw;
  if (!Array.isArray(list) || !list.every((name) => typeof name === "string")) {
    problems.push(
      `LATCH_SERVER_CONTEXT (serverContext): caveat parameter names, separated by commas, got ${JSON.stringify(raw)}`,
    );
    return [SERVER_TIME_PARAMETER];
  }
  const names = [...new Set(list.map((name) => name.trim()).filter((name) => name !== ""))];
  for (const name of names.filter((n) => !PARAMETER_NAME.test(n))) {
    problems.push(
      `LATCH_SERVER_CONTEXT (serverContext): '${name}' is not a caveat parameter name (letters, digits and '_', not starting with a digit)`,
    );
  }
  return names;
}

/**
 * requestableSetting reads LATCH_REQUESTABLE (requestable): `type#relation`s, comma separated (or
 * a list in the file); none when unset.
 */
function requestableSetting({ env, file, problems }: SettingSources): string[] {
  const field = "LATCH_REQUESTABLE (requestable)";
  const raw = env.LATCH_REQUESTABLE ?? file.requestable;
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === "string" ? raw.split(",") : raw;
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === "string")) {
    problems.push(
      `${field}: type#relation entries, separated by commas, got ${JSON.stringify(raw)}`,
    );
    return [];
  }
  const entries = [...new Set(list.map((entry) => entry.trim()).filter((entry) => entry !== ""))];
  for (const entry of entries) {
    const [type = "", relation, ...rest] = entry.split("#");
    const problem =
      relation === undefined || rest.length > 0
        ? `${field}: '${entry}' is not type#relation (one '#' between an object type and a relation, as document#viewer)`
        : (explain(`${field}: the type of '${entry}'`, type, checkObjectType(type)) ??
          explain(`${field}: the relation of '${entry}'`, relation, checkRelation(relation)));
    if (problem !== undefined) problems.push(problem);
  }
  return entries;
}

function integerSetting(
  { env, file, problems }: SettingSources,
  key: string,
  envKey: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[envKey] ?? file[key];
  if (raw === undefined || raw === "") return fallback;
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(
      `${envKey} (${key}): must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
    return fallback;
  }
  return value;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/**
 * databaseUrlProblem says why url is not a connection string Postgres can be reached with, or
 * returns undefined: a `postgres://` or `postgresql://` URL naming a host (in the URL, or as a
 * `host` parameter naming a socket directory), pg's `socket:` URL, or a socket directory. It never
 * quotes url, which may hold a password.
 */
export function databaseUrlProblem(url: string): string | undefined {
  const expected =
    "must be a postgres:// or postgresql:// URL naming a host (postgres://USER:PASSWORD@HOST:5432/DATABASE) or a Unix socket directory";
  // pg reads a string starting with `/` as a socket directory, then a database name.
  if (url.startsWith("/")) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${expected}; this is not a URL`;
  }
  if (parsed.protocol === "socket:") {
    return parsed.pathname === "" ? `${expected}; this socket: URL names no path` : undefined;
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    return `${expected}; this URL's scheme is ${parsed.protocol}`;
  }
  if (parsed.hostname === "" && !parsed.searchParams.get("host")) {
    return `${expected}; this URL names no host`;
  }
  return undefined;
}

/** parseKeyList reads `name:sha256:scope+scope` entries separated by commas. */
function parseKeyList(list: string, problems: string[]): ApiKey[] {
  return list.split(",").flatMap((entry, i) => {
    const [name = "", sha256 = "", scopes = ""] = entry.trim().split(":");
    const key = checkKey(`LATCH_API_KEYS[${i}]`, name, sha256, scopes.split("+"), problems);
    return key === undefined ? [] : [key];
  });
}

function readFileKeys(value: unknown, problems: string[]): ApiKey[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push("apiKeys: must be a list of {name, sha256, scopes}");
    return [];
  }
  return value.flatMap((item: unknown, i) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const scopes = Array.isArray(entry.scopes) ? entry.scopes.map(String) : [];
    const key = checkKey(
      `apiKeys[${i}]`,
      String(entry.name ?? ""),
      String(entry.sha256 ?? ""),
      scopes,
      problems,
    );
    return key === undefined ? [] : [key];
  });
}

function checkKey(
  field: string,
  name: string,
  sha256: string,
  scopes: readonly string[],
  problems: string[],
): ApiKey | undefined {
  const before = problems.length;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    problems.push(`${field}.name: 1 to 64 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(name)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    problems.push(
      `${field}.sha256: the key's SHA-256 as 64 lowercase hex digits (\`latch key create\` prints it), never the key itself`,
    );
  }
  const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
  if (scopes.length === 0 || unknown.length > 0) {
    problems.push(
      `${field}.scopes: one or more of ${SCOPES.join(", ")}, got ${JSON.stringify(scopes)}`,
    );
  }
  if (problems.length > before) return undefined;
  return { name, sha256, scopes: scopes as Scope[] };
}
