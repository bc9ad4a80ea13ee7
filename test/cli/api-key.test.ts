// The CLI's LATCH_TOKEN against a server with API keys: missing, unknown, lacking a scope, and right.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const ADMIN_SECRET = "latch-admin-secret";
const CHECK_SECRET = "latch-check-secret";

describe("latch with API keys", () => {
  let server: CliTestServer;
  const latch = (args: string[], token?: string) =>
    runLatch(
      args,
      { "test.zed": TEST_SCHEMA },
      { env: { ...server.env, ...(token === undefined ? {} : { LATCH_TOKEN: token }) } },
    );

  beforeAll(async () => {
    server = await startCliServer([
      { name: "ops", sha256: hashApiKey(ADMIN_SECRET), scopes: ["admin"] },
      { name: "checker", sha256: hashApiKey(CHECK_SECRET), scopes: ["check"] },
    ]);
  });
  afterAll(() => server.close());

  it("exits 2 with UNAUTHENTICATED without LATCH_TOKEN, or with an unknown one", async () => {
    const missing = await latch(["schema", "write", "test.zed"]);
    expect(missing).toEqual({
      exitCode: 2,
      stdout: "",
      stderr:
        "UNAUTHENTICATED: missing API key: send the header `authorization: Bearer <key>`; over gRPC, HTTP/2 drops it if its value starts or ends with whitespace (the CLI sends LATCH_TOKEN as the key, and it is not set)\n",
    });
    const unknown = await latch(["schema", "write", "test.zed"], "not-a-key");
    expect(unknown.stderr).toBe(
      "UNAUTHENTICATED: unknown API key (the CLI sends LATCH_TOKEN as the key)\n",
    );
  });

  it("works with LATCH_TOKEN, within the key's scopes", async () => {
    expect((await latch(["schema", "write", "test.zed"], ADMIN_SECRET)).exitCode).toBe(0);
    expect(
      (await latch(["rel", "write", "folder:eng#viewer@user:alice"], ADMIN_SECRET)).exitCode,
    ).toBe(0);
    const allowed = await latch(["check", "folder:eng#viewer@user:alice"], CHECK_SECRET);
    expect(allowed).toMatchObject({ exitCode: 0, stderr: "" });
    const write = await latch(["rel", "write", "folder:eng#viewer@user:bob"], CHECK_SECRET);
    expect(write.exitCode).toBe(2);
    expect(write.stderr).toMatch(/^PERMISSION_DENIED: API key checker lacks the scope 'write'/);
  });
});
