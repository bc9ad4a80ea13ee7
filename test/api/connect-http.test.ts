// The HTTP port: Connect JSON with plain fetch (as curl), gRPC-Web frames, and errors as JSON.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

const test = useTestServer();

const post = (path: string, body: unknown) =>
  fetch(`${test().httpUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const check = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};

beforeAll(async () => {
  await post("latch.v1.SchemaService/WriteSchema", { schema: TEST_SCHEMA });
  await post("latch.v1.RelationshipService/WriteRelationships", {
    updates: [
      {
        operation: "OPERATION_TOUCH",
        relationship: {
          resource: { type: "document", id: "plan" },
          relation: "viewer",
          subject: { object: { type: "user", id: "alice" } },
        },
      },
    ],
  });
});

describe("Connect JSON", () => {
  it("answers a Check posted as JSON, as curl would post it", async () => {
    const response = await post("latch.v1.PermissionService/Check", check);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
  });

  it("takes the caveat context as a JSON object", async () => {
    const response = await post("latch.v1.PermissionService/Check", {
      ...check,
      context: { region: "eu" },
    });
    expect(await response.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
  });

  it("reports bad input as invalid_argument naming the field", async () => {
    const response = await post("latch.v1.PermissionService/Check", {
      ...check,
      resource: { type: "document", id: "" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: "invalid_argument",
      message: expect.stringContaining("resource.id"),
    });
  });

  it("refuses a body past the size limit", async () => {
    const response = await post("latch.v1.SchemaService/ValidateSchema", {
      schema: "x".repeat(5 * 1024 * 1024),
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ code: "resource_exhausted" });
  });
});

describe("gRPC-Web", () => {
  it("answers a Check in gRPC-Web framing", async () => {
    const protoDirectory = fileURLToPath(new URL("../../proto/", import.meta.url));
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(protoDirectory, target);
    await root.load("latch/v1/permission_service.proto");
    const request = root.lookupType("latch.v1.CheckRequest");
    const reply = root.lookupType("latch.v1.CheckResponse");
    const message = request.encode(request.fromObject(check)).finish();
    const frame = new Uint8Array(5 + message.length);
    new DataView(frame.buffer).setUint32(1, message.length);
    frame.set(message, 5);
    const response = await fetch(`${test().httpUrl}/latch.v1.PermissionService/Check`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: frame,
    });
    expect(response.status).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    const length = new DataView(body.buffer).getUint32(1);
    const decoded = reply.toObject(reply.decode(body.subarray(5, 5 + length)), { enums: String });
    expect(decoded.result).toBe("CHECK_RESULT_ALLOWED");
    const trailer = new TextDecoder().decode(body.subarray(10 + length));
    expect(trailer).toMatch(/grpc-status: ?0/);
  });
});
