// The server's configuration: defaults, the YAML file, the environment winning, and every bad field named.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { ConfigError, readMaxDepth, readServerConfig } from "../../src/config/server-config.js";

const HASH = hashApiKey("secret");

const directories: string[] = [];
afterAll(async () => {
  for (const dir of directories) await rm(dir, { recursive: true, force: true });
});

/** configFile writes text to a latch.yaml of its own and returns its path. */
async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "latch-config-"));
  directories.push(dir);
  const path = join(dir, "latch.yaml");
  await writeFile(path, text);
  return path;
}

/** problemsOf is the problems readServerConfig finds, or none. */
async function problemsOf(env: NodeJS.ProcessEnv, path?: string): Promise<readonly string[]> {
  try {
    await readServerConfig(env, path);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("readServerConfig", () => {
  it("defaults to the embedded store on 127.0.0.1:50051 and :8080 with no keys", async () => {
    expect(await readServerConfig({})).toEqual({
      dataDir: "./.latch/data",
      host: "127.0.0.1",
      grpcPort: 50051,
      httpPort: 8080,
      apiKeys: [],
      redisCluster: false,
      maxDepth: 50,
      maxChangeLagMs: 10_000,
      serverContext: ["now"],
      requestable: [],
      accessRequestTtlMs: 86_400_000,
      decisions: { mode: "async", retentionMs: 30 * 86_400_000, redactKeys: [] },
      logLevel: "info",
      traceIdentifiers: false,
    });
  });

  it("reads LATCH_LOG_LEVEL and LATCH_TRACE_IDENTIFIERS, naming what they take", async () => {
    const config = await readServerConfig({
      LATCH_LOG_LEVEL: "debug",
      LATCH_TRACE_IDENTIFIERS: "true",
    });
    expect([config.logLevel, config.traceIdentifiers]).toEqual(["debug", true]);
    expect(await problemsOf({ LATCH_LOG_LEVEL: "loud", LATCH_TRACE_IDENTIFIERS: "yes" })).toEqual([
      'LATCH_LOG_LEVEL (logLevel): one of trace, debug, info, warn, error, fatal, silent, got "loud"',
      'LATCH_TRACE_IDENTIFIERS (traceIdentifiers): true or false, got "yes"',
    ]);
  });

  it("reads LATCH_ACCESS_REQUEST_TTL: a positive Go duration of at most 720h", async () => {
    expect((await readServerConfig({ LATCH_ACCESS_REQUEST_TTL: "90m" })).accessRequestTtlMs).toBe(
      5_400_000,
    );
    for (const bad of ["0s", "721h", "a day"]) {
      expect(await problemsOf({ LATCH_ACCESS_REQUEST_TTL: bad })).toEqual([
        `LATCH_ACCESS_REQUEST_TTL (accessRequestTtl): a positive duration of at most 720h (30 days), such as 24h or 90m, got ${JSON.stringify(bad)}`,
      ]);
    }
  });

  it("reads the decision log's settings, from the environment or the file", async () => {
    const secret = "s".repeat(32);
    expect(
      (
        await readServerConfig({
          LATCH_DECISIONS: "sync",
          LATCH_DECISIONS_RETENTION: "12h",
          LATCH_DECISIONS_REDACT: "ssn, phone,ssn",
          LATCH_DECISIONS_SECRET: secret,
        })
      ).decisions,
    ).toEqual({ mode: "sync", retentionMs: 12 * 3_600_000, redactKeys: ["ssn", "phone"], secret });
    const path = await configFile(
      "decisions: off\ndecisionsRetention: 7d\ndecisionsRedact: [ssn]\n",
    );
    expect((await readServerConfig({}, path)).decisions).toEqual({
      mode: "off",
      retentionMs: 7 * 86_400_000,
      redactKeys: ["ssn"],
    });
  });

  it("names each bad decision log setting", async () => {
    expect(
      await problemsOf({
        LATCH_DECISIONS: "later",
        LATCH_DECISIONS_RETENTION: "30 days",
        LATCH_DECISIONS_REDACT: "ssn,2fa",
        LATCH_DECISIONS_SECRET: "short",
      }),
    ).toEqual([
      'LATCH_DECISIONS (decisions): one of async, sync, off, got "later"',
      'LATCH_DECISIONS_RETENTION (decisionsRetention): a whole number of days or hours such as 30d or 12h, got "30 days"',
      'LATCH_DECISIONS_REDACT (decisionsRedact)[1]: a caveat parameter name (a letter or _, then letters, digits or _), got "2fa"',
      "LATCH_DECISIONS_SECRET (decisionsSecret): at least 32 characters (`openssl rand -hex 32`), got 5",
    ]);
    expect(
      await problemsOf({ DATABASE_URL: "postgres://db/latch", LATCH_DECISIONS_REDACT: "ssn" }),
    ).toEqual([
      "LATCH_DECISIONS_SECRET (decisionsSecret): required with DATABASE_URL when LATCH_DECISIONS_REDACT is set, so that every replica masks a value alike",
    ]);
  });

  it("reads the environment", async () => {
    const config = await readServerConfig({
      DATABASE_URL: "postgres://db/latch",
      LATCH_SCHEMA: "schema.zed",
      LATCH_HOST: "0.0.0.0",
      LATCH_GRPC_PORT: "6000",
      LATCH_HTTP_PORT: "6001",
      LATCH_API_KEYS: `ci:${HASH}:check+read, ops:${HASH}:admin`,
      LATCH_RETENTION_MS: "3600000",
      REDIS_URL: "redis://cache:6379",
      LATCH_REDIS_CLUSTER: "true",
      LATCH_CACHE_BYTES: "1048576",
      LATCH_MAX_DEPTH: "200",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://db/latch",
      schemaFile: "schema.zed",
      host: "0.0.0.0",
      grpcPort: 6000,
      httpPort: 6001,
      retentionMs: 3_600_000,
      redisUrl: "redis://cache:6379",
      redisCluster: true,
      cacheBytes: 1_048_576,
      maxDepth: 200,
      apiKeys: [
        { name: "ci", sha256: HASH, scopes: ["check", "read"] },
        { name: "ops", sha256: HASH, scopes: ["admin"] },
      ],
    });
  });

  it("reads a YAML file, which the environment overrides", async () => {
    const path = await configFile(
      `grpcPort: 7000\nhttpPort: 7001\nmaxDepth: 80\napiKeys:\n  - name: ci\n    sha256: ${HASH}\n    scopes: [check]\n`,
    );
    const config = await readServerConfig({ LATCH_HTTP_PORT: "7002" }, path);
    expect(config).toMatchObject({
      grpcPort: 7000,
      httpPort: 7002,
      maxDepth: 80,
      apiKeys: [{ name: "ci", sha256: HASH, scopes: ["check"] }],
    });
  });

  it("names each unknown key of the file with its line, and the key meant when it is near one", async () => {
    const path = await configFile(
      `# Latch\ngrcpPort: 7000\nhttpPort: 7001\ncolour: blue\napiKeys:\n  - name: ci\n    sha256: ${HASH}\n    scope: [check]\n`,
    );
    const error = await readServerConfig({}, path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        "invalid configuration:",
        `  - ${path}:2:1: unknown key 'grcpPort' (did you mean 'grpcPort'?)`,
        `  - ${path}:4:1: unknown key 'colour'; the keys are databaseUrl, dataDir, schema, host, grpcPort, httpPort, apiKeys, retentionMs, redisUrl, redisCluster, cacheBytes, maxDepth, maxChangeLagMs, maxConnections, serverContext, actForPermission, requestable, accessRequestTtl, decisions, decisionsRetention, decisionsRedact, decisionsSecret, alerts, logLevel, traceIdentifiers`,
        `  - ${path}:8:5: unknown key 'scope' in apiKeys[0] (did you mean 'scopes'?)`,
        "  - apiKeys[0].scopes: one or more of check, read, write, schema, audit, approve, admin, got []",
      ].join("\n"),
    );
  });

  it("names a file that is not YAML, or not a mapping, with the line of a syntax error", async () => {
    const broken = await configFile("grpcPort: [7000\n");
    expect(await problemsOf({}, broken)).toEqual([
      expect.stringMatching(new RegExp(`^${broken}: .* at line 2, column 1:`)),
    ]);
    const list = await configFile("- grpcPort: 7000\n");
    expect(await problemsOf({}, list)).toEqual([`${list}: must be a YAML mapping of settings`]);
  });

  it("takes the permission an actor acts for by, as a relation name, leaving the engine's default when unset", async () => {
    expect((await readServerConfig({})).actForPermission).toBeUndefined();
    expect(
      (await readServerConfig({ LATCH_ACT_FOR_PERMISSION: "delegate" })).actForPermission,
    ).toBe("delegate");
    const file = await configFile("actForPermission: acts_as\n");
    expect((await readServerConfig({}, file)).actForPermission).toBe("acts_as");
    expect(await problemsOf({ LATCH_ACT_FOR_PERMISSION: "Act For" })).toEqual([
      `invalid LATCH_ACT_FOR_PERMISSION (actForPermission) "Act For" at position 1: must start with a lowercase letter, found 'A'`,
    ]);
  });

  it("takes a depth limit from 1 to 1,000", async () => {
    expect((await readServerConfig({ LATCH_MAX_DEPTH: "1" })).maxDepth).toBe(1);
    expect((await readServerConfig({ LATCH_MAX_DEPTH: "1000" })).maxDepth).toBe(1000);
    for (const depth of ["0", "1001", "ten", "2.5"]) {
      expect(await problemsOf({ LATCH_MAX_DEPTH: depth })).toEqual([
        `LATCH_MAX_DEPTH (maxDepth): must be a whole number from 1 to 1000, got "${depth}"`,
      ]);
    }
    expect(readMaxDepth({ LATCH_MAX_DEPTH: "300" })).toBe(300);
    expect(readMaxDepth({})).toBe(50);
    expect(() => readMaxDepth({ LATCH_MAX_DEPTH: "0" })).toThrow(ConfigError);
  });

  it("takes a Postgres URL naming a host, or a socket directory, as DATABASE_URL", async () => {
    for (const url of [
      "postgres://db/latch",
      "postgresql://latch:secret@db.internal:6432/latch?sslmode=require",
      "postgres:///latch?host=/var/run/postgresql",
      "socket:/var/run/postgresql?db=latch",
      "/var/run/postgresql latch",
    ]) {
      expect((await readServerConfig({ DATABASE_URL: url })).databaseUrl).toBe(url);
    }
  });

  it("refuses a DATABASE_URL that is not a Postgres URL naming a host, without quoting it", async () => {
    const rule =
      "DATABASE_URL (databaseUrl): must be a postgres:// or postgresql:// URL naming a host (postgres://USER:PASSWORD@HOST:5432/DATABASE) or a Unix socket directory";
    expect(await problemsOf({ DATABASE_URL: "notaurl" })).toEqual([`${rule}; this is not a URL`]);
    expect(await problemsOf({ DATABASE_URL: "mysql://root:hunter2@db/latch" })).toEqual([
      `${rule}; this URL's scheme is mysql:`,
    ]);
    expect(await problemsOf({ DATABASE_URL: "postgres:///latch" })).toEqual([
      `${rule}; this URL names no host`,
    ]);
  });

  it("names every bad field, and never takes a secret for a hash", async () => {
    const error = await readServerConfig({
      LATCH_GRPC_PORT: "70000",
      LATCH_HTTP_PORT: "http",
      LATCH_API_KEYS: `ci:secret:check,ops:${HASH}:root`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("LATCH_GRPC_PORT"),
        expect.stringContaining("LATCH_HTTP_PORT"),
        expect.stringContaining("LATCH_API_KEYS[0].sha256"),
        expect.stringContaining("LATCH_API_KEYS[1].scopes"),
      ]),
    );
  });

  it("reads LATCH_MAX_CONNECTIONS, from 1", async () => {
    expect(await readServerConfig({ LATCH_MAX_CONNECTIONS: "500" })).toMatchObject({
      maxConnections: 500,
    });
    const error = await readServerConfig({ LATCH_MAX_CONNECTIONS: "0" }).catch((e: unknown) => e);
    expect((error as ConfigError).problems).toEqual([
      'LATCH_MAX_CONNECTIONS (maxConnections): must be a whole number from 1 to 1000000, got "0"',
    ]);
  });

  it("reads LATCH_REQUESTABLE: comma-separated type#relation entries, a list in the file, refusing a malformed one", async () => {
    expect(
      (
        await readServerConfig({
          LATCH_REQUESTABLE: "document#viewer, document#editor,document#viewer",
        })
      ).requestable,
    ).toEqual(["document#viewer", "document#editor"]);
    expect((await readServerConfig({ LATCH_REQUESTABLE: "" })).requestable).toEqual([]);
    const path = await configFile("requestable: [folder#viewer]\n");
    expect((await readServerConfig({}, path)).requestable).toEqual(["folder#viewer"]);
    expect(
      await problemsOf({ LATCH_REQUESTABLE: "document,a#b#c,Doc#viewer,document#Viewer" }),
    ).toEqual([
      "LATCH_REQUESTABLE (requestable): 'document' is not type#relation (one '#' between an object type and a relation, as document#viewer)",
      "LATCH_REQUESTABLE (requestable): 'a#b#c' is not type#relation (one '#' between an object type and a relation, as document#viewer)",
      `invalid LATCH_REQUESTABLE (requestable): the type of 'Doc#viewer' "Doc" at position 1: must start with a lowercase letter, found 'D'`,
      `invalid LATCH_REQUESTABLE (requestable): the relation of 'document#Viewer' "Viewer" at position 1: must start with a lowercase letter, found 'V'`,
    ]);
    const numbers = await configFile("requestable: [1]\n");
    expect(await problemsOf({}, numbers)).toEqual([
      "LATCH_REQUESTABLE (requestable): type#relation entries, separated by commas, got [1]",
    ]);
  });

  it("reads LATCH_SERVER_CONTEXT: comma-separated names, none when empty, a list in the file", async () => {
    expect(
      (await readServerConfig({ LATCH_SERVER_CONTEXT: "now, region,now" })).serverContext,
    ).toEqual(["now", "region"]);
    expect((await readServerConfig({ LATCH_SERVER_CONTEXT: "" })).serverContext).toEqual([]);
    const path = await configFile("serverContext: [now, tenant]\n");
    expect((await readServerConfig({}, path)).serverContext).toEqual(["now", "tenant"]);
    expect((await readServerConfig({ LATCH_SERVER_CONTEXT: "now" }, path)).serverContext).toEqual([
      "now",
    ]);
    expect(await problemsOf({ LATCH_SERVER_CONTEXT: "now,2fa,client-ip" })).toEqual([
      "LATCH_SERVER_CONTEXT (serverContext): '2fa' is not a caveat parameter name (letters, digits and '_', not starting with a digit)",
      "LATCH_SERVER_CONTEXT (serverContext): 'client-ip' is not a caveat parameter name (letters, digits and '_', not starting with a digit)",
    ]);
    const numbers = await configFile("serverContext: [1, 2]\n");
    expect(await problemsOf({}, numbers)).toEqual([
      "LATCH_SERVER_CONTEXT (serverContext): caveat parameter names, separated by commas, got [1,2]",
    ]);
  });

  it("reads LATCH_ALERTS, refusing it with the decision log off", async () => {
    expect((await readServerConfig({ LATCH_ALERTS: "alerts.yaml" })).alertsFile).toBe(
      "alerts.yaml",
    );
    expect(await problemsOf({ LATCH_ALERTS: "alerts.yaml", LATCH_DECISIONS: "off" })).toEqual([
      "LATCH_ALERTS (alerts): alert rules read the decision log, which LATCH_DECISIONS turns off; turn it on (async or sync), or configure no rules",
    ]);
  });
});
