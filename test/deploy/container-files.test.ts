// The container files, checked without a Docker engine: what they copy exists, every service has a health check.

import { readFile, stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFile(new URL(path, root), "utf8");

describe("Dockerfile", () => {
  it("copies only what exists and runs latch serve with its node flags, listening beyond loopback", async () => {
    const dockerfile = await read("Dockerfile");
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(" "),
    );
    for (const path of copied) await expect(stat(new URL(path, root))).resolves.toBeTruthy();
    const command = ["node", ...SERVER_NODE_FLAGS, "bin/latch.js", "serve"];
    expect(dockerfile).toContain(`CMD ${JSON.stringify(command).replaceAll(",", ", ")}`);
    expect(dockerfile).toContain("ENV LATCH_HOST=0.0.0.0");
  });
});

describe("docker-compose.yml", () => {
  it("runs postgres, redis and latch, each with a health check, latch after the others are healthy", async () => {
    const compose = parse(await read("docker-compose.yml")) as {
      services: Record<
        string,
        { healthcheck?: unknown; depends_on?: Record<string, unknown>; build?: string }
      >;
    };
    expect(Object.keys(compose.services).sort()).toEqual(["latch", "postgres", "redis"]);
    for (const service of Object.values(compose.services))
      expect(service.healthcheck).toBeDefined();
    expect(compose.services.latch?.build).toBe(".");
    expect(compose.services.latch?.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
  });
});
