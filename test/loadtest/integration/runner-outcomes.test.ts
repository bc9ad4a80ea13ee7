// The runner's verdicts: a threshold that fails makes it exit 99 (as k6 does), and an open-model
// scenario whose target answers more slowly than its VUs can keep up counts the arrivals it could
// not start in dropped_iterations. The slow target is a real gRPC server (Latch's proto, a Check
// that answers after 250 ms), started here.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readExport, runLoadtest } from "./run-loadtest.js";

const PROTO = fileURLToPath(new URL("../../../proto", import.meta.url));
/** How long the slow target takes to answer a Check: a VU makes at most 5 calls in the 1 s run. */
const ANSWER_MS = 250;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "latch-loadtest-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the load test runner", () => {
  it("exits 99 when a threshold fails, and exports the failed threshold", async () => {
    const file = join(scratch, "failing.json");
    const run = await runLoadtest([
      "test/loadtest/fixtures/failing-threshold.ts",
      "--summary-export",
      file,
    ]);
    expect(run.output).toContain("✗ 'rate==1' rate=0.00%");
    expect(run.output).toContain("✗ never holds: 1 failed of 1");
    expect(run.code).toBe(99);
    const metrics = await readExport(file);
    expect(metrics.checks).toMatchObject({ passes: 0, fails: 1, thresholds: { "rate==1": true } });
  });

  it("counts dropped_iterations when the target answers too slowly for its VUs", async () => {
    const server = await slowTarget();
    try {
      const file = join(scratch, "slow.json");
      const run = await runLoadtest([
        "test/loadtest/fixtures/slow-target.ts",
        "--target",
        `127.0.0.1:${server.port}`,
        "--summary-export",
        file,
      ]);
      expect(run.code, run.output).toBe(0);
      const metrics = await readExport(file);
      const started = metrics.iterations!.count!;
      const dropped = metrics.dropped_iterations!.count!;
      expect(started + dropped).toBe(20);
      expect(started).toBeLessThanOrEqual(1 + 1000 / ANSWER_MS);
      expect(server.answered()).toBe(started);
    } finally {
      server.server.forceShutdown();
    }
  });
});

async function slowTarget(): Promise<{
  server: grpc.Server;
  port: number;
  answered: () => number;
}> {
  const definition = grpc.loadPackageDefinition(
    loadSync("latch/v1/permission_service.proto", { includeDirs: [PROTO] }),
  );
  const service = ((definition.latch as grpc.GrpcObject).v1 as grpc.GrpcObject)
    .PermissionService as grpc.ServiceClientConstructor;
  const server = new grpc.Server();
  let answered = 0;
  server.addService(service.service, {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
      setTimeout(() => {
        answered++;
        callback(null, { result: "CHECK_RESULT_DENIED" });
      }, ANSWER_MS);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return { server, port, answered: () => answered };
}
