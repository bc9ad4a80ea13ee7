// API keys over gRPC and HTTP: missing, unknown and under-scoped keys are refused; scoped keys work.

import * as grpc from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ApiKeyRing, hashApiKey } from "../../src/api/api-keys.js";
import { expectStatus, ref, subject, unary, useTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

const ADMIN = "lk_admin-secret";
const CHECKER = "lk_checker-secret";

const test = useTestServer([
  { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
  { name: "checker", sha256: hashApiKey(CHECKER), scopes: ["check"] },
]);

const checkRequest = {
  resource: ref("document", "plan"),
  permission: "view",
  subject: subject("user", "alice"),
};

describe("API keys", () => {
  it("refuses calls without a key or with an unknown one", async () => {
    const { clients } = test();
    await expectStatus(
      unary(clients.permissions, "Check", checkRequest),
      status.UNAUTHENTICATED,
      "authorization: Bearer",
    );
    await expectStatus(
      unary(clients.permissions, "Check", checkRequest, { token: "lk_wrong" }),
      status.UNAUTHENTICATED,
      "unknown API key",
    );
  });

  it("allows what a key's scopes allow and refuses the rest", async () => {
    const { clients } = test();
    await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA }, { token: ADMIN });
    const allowed = await unary(clients.permissions, "Check", checkRequest, { token: CHECKER });
    expect(allowed.result).toBe("CHECK_RESULT_DENIED");
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA }, { token: CHECKER }),
      status.PERMISSION_DENIED,
      "lacks the scope 'schema'",
    );
  });

  it("refuses a check the cache could answer at once, without a key", async () => {
    const { clients } = test();
    await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA }, { token: ADMIN });
    let answer = await unary(clients.permissions, "Check", checkRequest, { token: CHECKER });
    for (let i = 0; i < 50 && !answer.servedFromCache; i++) {
      answer = await unary(clients.permissions, "Check", checkRequest, { token: CHECKER });
    }
    expect(answer.servedFromCache).toBe(true);
    await expectStatus(
      unary(clients.permissions, "Check", checkRequest),
      status.UNAUTHENTICATED,
      "authorization: Bearer",
    );
  });

  it("guards the HTTP port too, and leaves the probes open", async () => {
    const { httpUrl } = test();
    const call = (token?: string) =>
      fetch(`${httpUrl}/latch.v1.PermissionService/Check`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(checkRequest),
      });
    expect((await call()).status).toBe(401);
    expect((await call(CHECKER)).status).toBe(200);
    expect((await fetch(`${httpUrl}/readyz`)).status).toBe(200);
  });

  it("says only ready or not on /readyz without a valid key, and the detail with one of any scope", async () => {
    const { httpUrl } = test();
    const readyz = async (token?: string) => {
      const headers: Record<string, string> =
        token === undefined ? {} : { authorization: `Bearer ${token}` };
      const response = await fetch(`${httpUrl}/readyz`, { headers });
      return { status: response.status, body: await response.json() };
    };
    expect(await readyz()).toEqual({ status: 200, body: { status: "ready" } });
    expect(await readyz("lk_wrong")).toEqual({ status: 200, body: { status: "ready" } });
    const detailed = await readyz(CHECKER);
    expect(detailed.status).toBe(200);
    expect(detailed.body).toEqual({
      status: "ready",
      store: { ok: true, revision: expect.any(Number) },
      cache: { appliedRevision: expect.any(Number) },
    });
  });
});

describe("the authorization header, alike on both ports", () => {
  /** onGrpc calls ReadSchema over gRPC with the header as given: its status code and message. */
  const onGrpc = (value: string) =>
    new Promise<[number, string]>((resolve) => {
      const client = new grpc.Client(
        `127.0.0.1:${test().server.grpcPort}`,
        grpc.credentials.createInsecure(),
      );
      const metadata = new grpc.Metadata();
      metadata.set("authorization", value);
      const bytes = (b: Buffer) => b;
      client.makeUnaryRequest(
        "/latch.v1.SchemaService/ReadSchema",
        bytes,
        bytes,
        Buffer.alloc(0),
        metadata,
        (error) => {
          client.close();
          resolve(error === null ? [status.OK, ""] : [error.code, error.details]);
        },
      );
    });
  /** onHttp posts ReadSchema as Connect JSON with the header as given: its HTTP status and body. */
  const onHttp = async (value: string): Promise<[number, string]> => {
    const response = await fetch(`${test().httpUrl}/latch.v1.SchemaService/ReadSchema`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: value },
      body: "{}",
    });
    return [response.status, await response.text()];
  };

  it("takes Bearer in any case and any spaces or tabs before the key", async () => {
    await unary(test().clients.schema, "WriteSchema", { schema: TEST_SCHEMA }, { token: ADMIN });
    for (const value of [`Bearer ${ADMIN}`, `bearer ${ADMIN}`, `Bearer   ${ADMIN}`]) {
      expect(await onGrpc(value)).toEqual([status.OK, ""]);
      expect((await onHttp(value))[0]).toBe(200);
    }
  });

  it("refuses another scheme as malformed, on both ports", async () => {
    const message = "malformed authorization header: expected `Bearer <key>`";
    expect(await onGrpc(`Basic ${ADMIN}`)).toEqual([status.UNAUTHENTICATED, message]);
    expect(await onHttp(`Bearer ${ADMIN} extra`)).toEqual([
      401,
      JSON.stringify({ code: "unauthenticated", message }),
    ]);
  });

  it("treats whitespace around the value as no part of it: HTTP removes it, gRPC's HTTP/2 drops the header, and says so", async () => {
    const padded = `  Bearer ${ADMIN}   `;
    expect((await onHttp(padded))[0]).toBe(200);
    expect(await onGrpc(padded)).toEqual([
      status.UNAUTHENTICATED,
      "missing API key: send the header `authorization: Bearer <key>`; over gRPC, HTTP/2 drops it if its value starts or ends with whitespace",
    ]);
  });
});

describe("ApiKeyRing", () => {
  it("keeps only hashes and finds a key by its secret", () => {
    const ring = new ApiKeyRing([{ name: "ci", sha256: hashApiKey("s3cret"), scopes: ["read"] }]);
    expect(ring.authenticate("s3cret")?.keyName).toBe("ci");
    expect(ring.authenticate("s3cret ")).toBeUndefined();
    expect(() => new ApiKeyRing([{ name: "bad", sha256: "s3cret", scopes: ["read"] }])).toThrow(
      "64 lowercase hex digits",
    );
  });
});
