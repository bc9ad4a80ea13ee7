// A server on the IPv6 loopback: both ports serve, and the command line reaches it at [::1]:PORT.

import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { runLatch } from "../cli/run-cli-helper.js";
import { hostPort, unary, useTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((address) => address.family === "IPv6" && address.address === "::1"),
);

// Under CI the machine has ::1, so there the test always runs (and fails if ::1 is missing).
const skip = !hasIpv6Loopback && process.env.CI !== "true";
describe.skipIf(skip)(
  skip ? "a server on ::1 (skipped: this machine has no IPv6 loopback)" : "a server on ::1",
  () => {
    const test = useTestServer([], undefined, { host: "::1" });

    it("serves gRPC and HTTP, and the command line calls it at [::1]:PORT", async () => {
      const { server, clients, httpUrl } = test();
      expect(await unary(clients.health, "Check", { service: "" })).toMatchObject({
        status: "SERVING",
      });
      expect(httpUrl).toBe(`http://[::1]:${server.httpPort}`);
      expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
      await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
      const read = await runLatch(
        ["schema", "read"],
        {},
        {
          env: { LATCH_ENDPOINT: hostPort("::1", server.grpcPort) },
        },
      );
      expect(read).toMatchObject({ exitCode: 0, stderr: "" });
      expect(read.stdout).toContain("definition document");
    });
  },
);
