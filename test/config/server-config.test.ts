// The server's configuration: defaults, the YAML file, the environment winning, and every bad field named.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { ConfigError, readServerConfig } from "../../src/config/server-config.js";

const HASH = hashApiKey("secret");

describe("readServerConfig", () => {
  it("defaults to the embedded store on 127.0.0.1:50051 and :8080 with no keys", async () => {
    expect(await readServerConfig({})).toEqual({
      dataDir: "./.latch/data",
      host: "127.0.0.1",
      grpcPort: 50051,
      httpPort: 8080,
      apiKeys: [],
      redisCluster: false,
    });
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
      apiKeys: [
        { name: "ci", sha256: HASH, scopes: ["check", "read"] },
        { name: "ops", sha256: HASH, scopes: ["admin"] },
      ],
    });
  });

  it("reads a YAML file, which the environment overrides", async () => {
    const dir = await mkdtemp(join(tmpdir(), "latch-config-"));
    try {
      const path = join(dir, "latch.yaml");
      await writeFile(
        path,
        `grpcPort: 7000\nhttpPort: 7001\napiKeys:\n  - name: ci\n    sha256: ${HASH}\n    scopes: [check]\n`,
      );
      const config = await readServerConfig({ LATCH_HTTP_PORT: "7002" }, path);
      expect(config).toMatchObject({
        grpcPort: 7000,
        httpPort: 7002,
        apiKeys: [{ name: "ci", sha256: HASH, scopes: ["check"] }],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
});
