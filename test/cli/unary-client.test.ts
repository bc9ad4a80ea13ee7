import { createServer, type Server } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import {
  createLatchClient,
  createUnaryLatchClient,
  type LatchClient,
} from "../../src/cli/client.js";
import { CheckResult } from "../../src/gen/latch/v1/permission_service_pb.js";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";

const ADMIN = "lk_admin-secret";
const CHECKER = "lk_checker-secret";

const question = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};

/** failure is the ConnectError a call rejects with. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe("createUnaryLatchClient", () => {
  let server: CliTestServer;
  let admin: LatchClient;
  let unary: LatchClient;

  beforeAll(async () => {
    server = await startCliServer([
      { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
      { name: "checker", sha256: hashApiKey(CHECKER), scopes: ["check"] },
    ]);
    admin = createLatchClient({ ...server.env, LATCH_TOKEN: ADMIN });
    unary = createUnaryLatchClient({ ...server.env, LATCH_TOKEN: CHECKER });
    await admin.schema.writeSchema({ schema: TEST_SCHEMA });
    await admin.relationships.writeRelationships({
      updates: [
        {
          operation: 1,
          relationship: {
            resource: question.resource,
            relation: "viewer",
            subject: question.subject,
          },
        },
      ],
    });
  });

  afterAll(async () => {
    admin?.close();
    unary?.close();
    await server?.close();
  });

  it("answers a unary call as the connect-node client does", async () => {
    const mine = await unary.permissions.check(question);
    const theirs = await admin.permissions.check(question);
    expect(mine.result).toBe(CheckResult.ALLOWED);
    // The second is answered from the cache the first filled; the rest is the same answer.
    const same = { checkedAt: undefined, servedFromCache: undefined };
    expect({ ...mine, ...same }).toEqual({ ...theirs, ...same });
  });

  it("fails with the server's code and message, as the connect-node client does", async () => {
    const bad = { ...question, resource: { type: "nosuchtype", id: "plan" } };
    const mine = await failure(unary.permissions.check(bad));
    const theirs = await failure(admin.permissions.check(bad));
    expect(mine.code).toBe(Code.InvalidArgument);
    expect(mine.rawMessage).toBe(theirs.rawMessage);
    const outOfScope = await failure(unary.schema.writeSchema({ schema: TEST_SCHEMA }));
    expect(outOfScope.code).toBe(Code.PermissionDenied);
    const anonymous = createUnaryLatchClient(server.env);
    const refused = await failure(anonymous.permissions.check(question));
    anonymous.close();
    expect(refused.code).toBe(Code.Unauthenticated);
  });

  it("connects again after it is closed", async () => {
    unary.close();
    expect((await unary.permissions.check(question)).result).toBe(CheckResult.ALLOWED);
  });

  it("gives up on a call aborted, or past its timeout", async () => {
    const aborted = await failure(
      unary.permissions.check(question, { signal: AbortSignal.abort() }),
    );
    expect(aborted.code).toBe(Code.Canceled);
    // A server that accepts the connection and never answers.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const waiting = createUnaryLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${port}` });
    const late = await failure(waiting.permissions.check(question, { timeoutMs: 50 }));
    waiting.close();
    silent.close();
    expect(late.code).toBe(Code.DeadlineExceeded);
  });

  it("refuses a streaming method, and says when nothing listens", async () => {
    const streaming = unary.relationships.readRelationships({});
    const refused = await failure(
      (async () => {
        for await (const _ of streaming) break;
      })(),
    );
    expect(refused.code).toBe(Code.Unimplemented);
    const nowhere = createUnaryLatchClient({ LATCH_ENDPOINT: "127.0.0.1:1" });
    const unreachable = await failure(nowhere.permissions.check(question));
    nowhere.close();
    expect(unreachable.code).toBe(Code.Unavailable);
  });
});
