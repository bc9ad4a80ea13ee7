// Requestable denials on a server with LATCH_REQUESTABLE: a denied check names the relationships its
// denied member (the subject, or the actor whose leg failed) may ask for, RequestAccess accepts
// them, and an allowed check, or a relation without expiration, names none.

import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { relationshipMessage } from "../../src/api/convert/write-messages.js";
import { type LatchServer, startServer } from "../../src/api/latch-server.js";
import { relationshipText } from "../../src/cli/api-values.js";
import { createLatchClient, type LatchClient } from "../../src/cli/client.js";
import { AccessRequestStatus } from "../../src/gen/latch/v1/approval_service_pb.js";
import { CheckResult, DenialReason } from "../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipUpdate_Operation } from "../../src/gen/latch/v1/relationship_service_pb.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { rel } from "../engine/lookup-test-helpers.js";

const SCHEMA = `use expiration

definition user {}

definition agent {
  relation act_for: user
}

definition document {
  relation viewer: user | agent with expiration
  relation editor: agent with expiration
  relation banned: agent with expiration
  relation auditor: agent
  permission view = viewer + editor - banned
  permission audit = auditor
}
`;

const roadmap = { type: "document", id: "roadmap" };
const assistant = { object: { type: "agent", id: "assistant" }, relation: "" };
const alice = { object: { type: "user", id: "alice" }, relation: "" };
const fully = { requirement: { case: "fullyConsistent" as const, value: true } };

describe("requestable denials", () => {
  let server: LatchServer;
  let client: LatchClient;

  beforeAll(async () => {
    server = await startServer({
      store: createMemoryStore(),
      keys: new ApiKeyRing([]),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      requestable: ["document#viewer", "document#banned", "document#auditor"],
      onInternalError: () => {},
      log: () => {},
    });
    client = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` });
    await client.schema.writeSchema({ schema: SCHEMA });
  });

  afterAll(async () => {
    client?.close();
    await server?.close(1000);
  });

  it("lists the configured relation the permission includes, which RequestAccess accepts and Approve grants", async () => {
    const denied = await client.permissions.check({
      resource: roadmap,
      permission: "view",
      subject: assistant,
      consistency: fully,
    });
    expect(denied.result).toBe(CheckResult.DENIED);
    // editor is not configured, banned only takes the permission away.
    expect(denied.requestable.map(relationshipText)).toEqual([
      "document:roadmap#viewer@agent:assistant",
    ]);
    const asked = await client.approvals.requestAccess({
      relationship: denied.requestable[0]!,
      duration: durationFromMs(60_000),
      justification: "summarise the roadmap",
    });
    expect(asked.request?.status).toBe(AccessRequestStatus.PENDING);
    const approved = await client.approvals.approve({ id: asked.request!.id });
    const allowed = await client.permissions.check({
      resource: roadmap,
      permission: "view",
      subject: assistant,
      consistency: { requirement: { case: "atLeastAsFresh", value: approved.grantedAt } },
    });
    expect(allowed.result).toBe(CheckResult.ALLOWED);
    expect(allowed.requestable).toEqual([]);
  });

  it("names the actor whose permission leg failed, not the subject it acts for", async () => {
    const written = await client.relationships.writeRelationships({
      updates: ["document:memo#viewer@user:alice", "agent:assistant#act_for@user:alice"].map(
        (text) => ({
          operation: RelationshipUpdate_Operation.TOUCH,
          relationship: relationshipMessage(rel(text)),
        }),
      ),
    });
    const denied = await client.permissions.check({
      resource: { type: "document", id: "memo" },
      permission: "view",
      subject: alice,
      actors: [assistant],
      consistency: { requirement: { case: "atLeastAsFresh", value: written.writtenAt } },
    });
    expect(denied.result).toBe(CheckResult.DENIED);
    expect(denied.reason).toBe(DenialReason.NO_PERMISSION);
    expect(denied.requestable.map(relationshipText)).toEqual([
      "document:memo#viewer@agent:assistant",
    ]);
  });

  it("lists none for a relation without expiration for that subject type, in Check and CheckBulk", async () => {
    const bulk = await client.permissions.checkBulk({
      consistency: fully,
      items: [
        { resource: roadmap, permission: "audit", subject: assistant },
        { resource: roadmap, permission: "view", subject: alice },
        { resource: { type: "document", id: "plan" }, permission: "view", subject: assistant },
      ],
    });
    const items = bulk.pairs.map((pair) =>
      pair.response.case === "item" ? pair.response.value : undefined,
    );
    expect(items.map((item) => item?.result)).toEqual([
      CheckResult.DENIED,
      CheckResult.DENIED,
      CheckResult.DENIED,
    ]);
    expect(items[0]?.requestable).toEqual([]);
    expect(items[1]?.requestable).toEqual([]);
    expect(items[2]?.requestable.map(relationshipText)).toEqual([
      "document:plan#viewer@agent:assistant",
    ]);
  });

  it("answers the same from the cache at minimize_latency", async () => {
    const ask = () =>
      client.permissions.check({
        resource: { type: "document", id: "draft" },
        permission: "view",
        subject: assistant,
      });
    await ask();
    const again = await ask();
    expect(again.result).toBe(CheckResult.DENIED);
    expect(again.servedFromCache).toBe(true);
    expect(again.requestable.map((r) => r.relation)).toEqual(["viewer"]);
  });
});
