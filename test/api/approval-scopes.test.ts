// ApprovalService's scopes with API keys, on the memory store: an agent's key with `write` asks and
// cancels its own requests but cannot approve them; a key with `approve` decides; another writer
// cannot cancel a request not its own, an admin can; the requester is the key's name.

import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRing, hashApiKey, type Scope } from "../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../src/api/latch-server.js";
import { createLatchClient, type LatchClient } from "../../src/cli/client.js";
import { AccessRequestStatus } from "../../src/gen/latch/v1/approval_service_pb.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";

const SCHEMA = `use expiration

definition agent {}

definition document {
  relation viewer: agent with expiration
}
`;

const KEYS: Record<string, readonly Scope[]> = {
  bot: ["write", "read"],
  other_bot: ["write"],
  approver: ["approve"],
  root: ["admin"],
};

async function codeOf(call: Promise<unknown>): Promise<Code> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error).code;
  }
  throw new Error("the call succeeded");
}

describe("ApprovalService scopes", () => {
  let server: LatchServer;
  const clients: Record<string, LatchClient> = {};

  beforeAll(async () => {
    server = await startServer({
      store: createMemoryStore(),
      keys: new ApiKeyRing(
        Object.entries(KEYS).map(([name, scopes]) => ({
          name,
          sha256: hashApiKey(`${name}-secret`),
          scopes,
        })),
      ),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      onInternalError: () => {},
      log: () => {},
    });
    for (const name of Object.keys(KEYS)) {
      clients[name] = createLatchClient({
        LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}`,
        LATCH_TOKEN: `${name}-secret`,
      });
    }
    await clients.root!.schema.writeSchema({ schema: SCHEMA });
  });

  afterAll(async () => {
    for (const client of Object.values(clients)) client.close();
    await server?.close(1000);
  });

  const ask = async () =>
    (
      await clients.bot!.approvals.requestAccess({
        relationship: {
          resource: { type: "document", id: "q3" },
          relation: "viewer",
          subject: { object: { type: "agent", id: "bot" }, relation: "" },
        },
        duration: durationFromMs(60_000),
        justification: "read q3",
      })
    ).request!;

  it("records the key's name, and lets only `approve` (or admin) keys decide", async () => {
    const asked = await ask();
    expect(asked.requestedBy).toBe("bot");
    expect(await codeOf(clients.bot!.approvals.approve({ id: asked.id }))).toBe(
      Code.PermissionDenied,
    );
    const approved = await clients.approver!.approvals.approve({ id: asked.id });
    expect(approved.request).toMatchObject({
      status: AccessRequestStatus.APPROVED,
      decidedBy: "approver",
    });
    expect(await codeOf(clients.approver!.approvals.listAccessRequests({}))).toBe(
      Code.PermissionDenied,
    );
  });

  it("lets the requester or an admin cancel, not another writer", async () => {
    const first = await ask();
    expect(await codeOf(clients.other_bot!.approvals.cancel({ id: first.id }))).toBe(
      Code.PermissionDenied,
    );
    expect((await clients.bot!.approvals.cancel({ id: first.id })).request?.status).toBe(
      AccessRequestStatus.CANCELLED,
    );
    const second = await ask();
    expect((await clients.root!.approvals.cancel({ id: second.id })).request?.decidedBy).toBe(
      "root",
    );
  });
});
