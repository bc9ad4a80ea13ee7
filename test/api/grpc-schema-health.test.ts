// SchemaService, health and reflection over gRPC, probed as grpcurl and k6 would.

import type * as grpc from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  expectStatus,
  type JsonMessage,
  relationship,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

const test = useTestServer();

describe("SchemaService", () => {
  it("refuses reads before a schema is written, then reads back what was written", async () => {
    const { clients } = test();
    await expectStatus(
      unary(clients.schema, "ReadSchema", {}),
      status.FAILED_PRECONDITION,
      "no schema",
    );
    const written = await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
    const read = await unary(clients.schema, "ReadSchema", {});
    expect(read.schema).toBe(TEST_SCHEMA);
    expect(read.readAt).toBe(written.writtenAt);
  });

  it("validates a schema with positioned diagnostics, and refuses to write one with errors", async () => {
    const { clients } = test();
    const bad = "definition document {\n  relation viewer: usr\n}";
    const validated = await unary(clients.schema, "ValidateSchema", { schema: bad });
    expect(validated.diagnostics).toEqual([
      expect.objectContaining({ line: 2, column: 20, message: expect.stringContaining("usr") }),
    ]);
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: bad }),
      status.INVALID_ARGUMENT,
      "schema:2:20",
    );
  });

  it("refuses a schema that relationships in the store no longer fit", async () => {
    const { clients } = test();
    await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
    await unary(clients.relationships, "WriteRelationships", {
      updates: [update("TOUCH", relationship("document:s1", "banned", "user:ann"))],
    });
    const without = TEST_SCHEMA.replace("  relation banned: user\n", "").replace(" - banned", "");
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: without }),
      status.FAILED_PRECONDITION,
      "definition 'document' has no relation 'banned'",
    );
    expect((await unary(clients.schema, "ReadSchema", {})).schema).toBe(TEST_SCHEMA);
  });
});

describe("health", () => {
  it("answers grpc.health.v1.Health Check for the server and each service, and Watch", async () => {
    const { clients } = test();
    expect(await unary(clients.health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    expect(await unary(clients.health, "Check", { service: "latch.v1.PermissionService" })).toEqual(
      {
        status: "SERVING",
      },
    );
    await expectStatus(unary(clients.health, "Check", { service: "nope" }), status.NOT_FOUND);
    const watch = (
      clients.health as unknown as Record<
        string,
        (r: JsonMessage) => grpc.ClientReadableStream<JsonMessage>
      >
    ).watch!({ service: "" });
    // Cancelling ends the call with CANCELLED, which is how a watch stops.
    watch.on("error", () => {});
    const first = await new Promise<JsonMessage>((resolve) => watch.once("data", resolve));
    watch.cancel();
    expect(first).toEqual({ status: "SERVING" });
  });

  it("answers /healthz and /readyz on the HTTP port", async () => {
    const { httpUrl } = test();
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", store: { ok: true } });
  });
});

describe("reflection", () => {
  for (const version of ["reflection", "reflectionAlpha"] as const) {
    it(`lists the services and serves their files (${version === "reflection" ? "v1" : "v1alpha"})`, async () => {
      const client = test().clients[version] as unknown as Record<
        string,
        () => grpc.ClientDuplexStream<JsonMessage, JsonMessage>
      >;
      const ask = (request: JsonMessage) =>
        new Promise<JsonMessage>((resolve, reject) => {
          const call = client.serverReflectionInfo!();
          call.once("data", (response: JsonMessage) => {
            resolve(response);
            call.end();
          });
          call.once("error", reject);
          call.write(request);
        });
      const listed = await ask({ listServices: "" });
      const names = listed.listServicesResponse.service.map((s: JsonMessage) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "latch.v1.PermissionService",
          "latch.v1.RelationshipService",
          "latch.v1.SchemaService",
          "grpc.health.v1.Health",
        ]),
      );
      const files = await ask({ fileContainingSymbol: "latch.v1.PermissionService" });
      expect(files.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThan(0);
    });
  }
});
