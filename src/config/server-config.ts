// The server's configuration: an optional YAML file, overridden by the environment, checked field by field.

import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { type ApiKey, SCOPES, type Scope } from "../api/api-keys.js";

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
 * readServerConfig reads the YAML file at path (if any), then the environment, which wins:
 * DATABASE_URL, LATCH_DATA_DIR, LATCH_SCHEMA, LATCH_HOST, LATCH_GRPC_PORT, LATCH_HTTP_PORT,
 * LATCH_API_KEYS (`name:sha256:scope+scope,...`), LATCH_RETENTION_MS, REDIS_URL,
 * LATCH_REDIS_CLUSTER (`true` for a Redis Cluster) and LATCH_CACHE_BYTES. It throws a ConfigError
 * naming every bad field.
 */
export async function readServerConfig(
  env: NodeJS.ProcessEnv,
  path?: string,
): Promise<ServerConfig> {
  const problems: string[] = [];
  const file = path === undefined ? {} : await readConfigFile(path, problems);
  const text = (key: string, envKey: string): string | undefined => {
    const value = env[envKey] ?? file[key];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") {
      problems.push(`${key}: must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  };
  const integer = (key: string, envKey: string, fallback: number, max: number): number => {
    const raw = env[envKey] ?? file[key];
    if (raw === undefined || raw === "") return fallback;
    const value = typeof raw === "number" ? raw : Number(raw);
    if (!Number.isSafeInteger(value) || value < 0 || value > max) {
      problems.push(
        `${envKey} (${key}): must be a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`,
      );
      return fallback;
    }
    return value;
  };
  const envKeys = env.LATCH_API_KEYS;
  const apiKeys =
    envKeys !== undefined && envKeys !== ""
      ? parseKeyList(envKeys, problems)
      : readFileKeys(file.apiKeys, problems);
  const retention = env.LATCH_RETENTION_MS ?? file.retentionMs;
  const cacheBytes = env.LATCH_CACHE_BYTES ?? file.cacheBytes;
  const cluster = env.LATCH_REDIS_CLUSTER ?? file.redisCluster;
  if (cluster !== undefined && !["true", "false", true, false].includes(cluster as string)) {
    problems.push(
      `LATCH_REDIS_CLUSTER (redisCluster): true or false, got ${JSON.stringify(cluster)}`,
    );
  }
  const config: ServerConfig = {
    ...optional("databaseUrl", text("databaseUrl", "DATABASE_URL")),
    dataDir: text("dataDir", "LATCH_DATA_DIR") ?? DEFAULT_DATA_DIR,
    ...optional("schemaFile", text("schema", "LATCH_SCHEMA")),
    host: text("host", "LATCH_HOST") ?? "127.0.0.1",
    grpcPort: integer("grpcPort", "LATCH_GRPC_PORT", 50051, 65535),
    httpPort: integer("httpPort", "LATCH_HTTP_PORT", 8080, 65535),
    apiKeys,
    ...(retention === undefined
      ? {}
      : { retentionMs: integer("retentionMs", "LATCH_RETENTION_MS", 0, Number.MAX_SAFE_INTEGER) }),
    ...optional("redisUrl", text("redisUrl", "REDIS_URL")),
    redisCluster: cluster === true || cluster === "true",
    ...(cacheBytes === undefined
      ? {}
      : { cacheBytes: integer("cacheBytes", "LATCH_CACHE_BYTES", 0, Number.MAX_SAFE_INTEGER) }),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

async function readConfigFile(path: string, problems: string[]): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = parseYaml(await readFile(path, "utf8"));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
    problems.push(`${path}: must be a YAML mapping`);
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
  }
  return {};
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
