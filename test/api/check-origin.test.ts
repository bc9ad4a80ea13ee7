// A check's `origin`: bounded as a caveat context is, and refused naming its place when it is not.

import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../src/api/latch-server.js";
import { createLatchClient, type LatchClient } from "../../src/cli/client.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";

const question = {
  resource: { type: "document", id: "roadmap" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};
/** An origin nested deeper than a context may be. */
const tooDeep = JSON.parse(`${'{"a":'.repeat(40)}1${"}".repeat(40)}`) as Record<string, never>;

describe("a check's origin", () => {
  let server: LatchServer;
  let client: LatchClient;

  beforeAll(async () => {
    server = await startServer({
      store: createMemoryStore(),
      keys: new ApiKeyRing([]),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      onInternalError: () => {},
      log: () => {},
    });
    client = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` });
    await client.schema.writeSchema({
      schema:
        "definition user {}\ndefinition document {\n  relation viewer: user\n  permission view = viewer\n}\n",
    });
  });

  afterAll(async () => {
    client?.close();
    await server?.close(500);
  });

  it("leaves the answer as it is", async () => {
    const answer = await client.permissions.check({
      ...question,
      origin: { via: "test", tool: "read" },
    });
    expect(answer.result).toBe(CheckResult.DENIED);
  });

  it("is refused, naming where, when deeper or longer than a context may be", async () => {
    const refused = await client.permissions
      .check({ ...question, origin: tooDeep })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.InvalidArgument);
    expect((refused as ConnectError).rawMessage).toMatch(/^origin\.a\.a/);
    const bulk = await client.permissions.checkBulk({
      items: [{ ...question, origin: tooDeep }, question],
    });
    const first = bulk.pairs[0]?.response;
    expect(first?.case === "error" ? first.value.message : first?.case).toMatch(
      /^items\[0\]\.origin\.a/,
    );
    expect(bulk.pairs[1]?.response.case).toBe("item");
  });
});
