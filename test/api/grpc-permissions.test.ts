// PermissionService over gRPC, through an independent client: checks, bulk, expand, lookups, errors.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectStatus,
  ref,
  relationship,
  serverStream,
  struct,
  subject,
  unary,
  update,
  useTestServer,
  writeTestData,
} from "./api-harness.js";

const test = useTestServer();
let writtenAt = "";

beforeAll(async () => {
  writtenAt = await writeTestData(test().clients, [
    relationship("document:plan", "owner", "user:olga"),
    relationship("document:plan", "viewer", "group:eng#member"),
    relationship("group:eng", "member", "user:alice"),
    relationship("group:eng", "member", "user:mallory"),
    relationship("document:plan", "banned", "user:mallory"),
    relationship("document:memo", "viewer", "user:carl", {
      caveat: { name: "in_region", context: struct({ allowed: ["eu"] }) },
    }),
    relationship("document:public", "viewer", "user:*"),
  ]);
});

const check = (resource: string, permission: string, who: string, extra = {}) =>
  unary(test().clients.permissions, "Check", {
    resource: ref(...(resource.split(":") as [string, string])),
    permission,
    subject: subject(...(who.split(":") as [string, string])),
    ...extra,
  });

describe("Check", () => {
  it("answers allowed, denied and conditional, each with the token it was evaluated at", async () => {
    const allowed = await check("document:plan", "view", "user:alice");
    expect(allowed.result).toBe("CHECK_RESULT_ALLOWED");
    expect(allowed.checkedAt).toMatch(/^lt1_/);
    expect((await check("document:plan", "view", "user:mallory")).result).toBe(
      "CHECK_RESULT_DENIED",
    );
    expect((await check("document:plan", "edit", "user:olga")).result).toBe("CHECK_RESULT_ALLOWED");
    const conditional = await check("document:memo", "view", "user:carl");
    expect(conditional.result).toBe("CHECK_RESULT_CONDITIONAL");
    expect(conditional.missingParameters).toEqual(["region"]);
    const withContext = await check("document:memo", "view", "user:carl", {
      context: struct({ region: "eu" }),
    });
    expect(withContext.result).toBe("CHECK_RESULT_ALLOWED");
    expect((await check("document:public", "view", "user:anyone")).result).toBe(
      "CHECK_RESULT_ALLOWED",
    );
  });

  it("explains an answer when asked: the exclusion that denied mallory", async () => {
    const denied = await check("document:plan", "view", "user:mallory", { explain: true });
    expect(denied.explanation.kind).toBe("KIND_EXCLUSION");
    const subtracted = denied.explanation.children.find(
      (c: { role: string }) => c.role === "ROLE_SUBTRACTED",
    );
    expect(subtracted).toMatchObject({ relation: "banned", result: "CHECK_RESULT_ALLOWED" });
  });

  it("reads at the snapshot a token names, and refuses bad tokens", async () => {
    const { clients } = test();
    const revoked = await unary(clients.relationships, "WriteRelationships", {
      updates: [update("DELETE", relationship("group:eng", "member", "user:alice"))],
    });
    const before = await check("document:plan", "view", "user:alice", {
      consistency: { atExactSnapshot: writtenAt },
    });
    expect(before.result).toBe("CHECK_RESULT_ALLOWED");
    expect(before.checkedAt).toBe(writtenAt);
    const after = await check("document:plan", "view", "user:alice", {
      consistency: { atLeastAsFresh: revoked.writtenAt },
    });
    expect(after.result).toBe("CHECK_RESULT_DENIED");
    await expectStatus(
      check("document:plan", "view", "user:alice", {
        consistency: { atLeastAsFresh: "lt1_forged" },
      }),
      status.INVALID_ARGUMENT,
      "token",
    );
    await unary(clients.relationships, "WriteRelationships", {
      updates: [update("TOUCH", relationship("group:eng", "member", "user:alice"))],
    });
  });

  it("names the field and the rule of bad input", async () => {
    await expectStatus(
      check("document:a b", "view", "user:alice"),
      status.INVALID_ARGUMENT,
      "resource.id",
      "position 2",
    );
    await expectStatus(check("folder:x", "view", "user:alice"), status.INVALID_ARGUMENT, "folder");
    await expectStatus(
      check("document:plan", "delete", "user:alice"),
      status.INVALID_ARGUMENT,
      "delete",
    );
    await expectStatus(
      check("document:memo", "view", "user:carl", {
        context: struct({ region: 3 }),
      }),
      status.INVALID_ARGUMENT,
      "region",
    );
    await expectStatus(
      unary(test().clients.permissions, "Check", {
        resource: ref("document", "plan"),
        permission: "view",
      }),
      status.INVALID_ARGUMENT,
      "subject is required",
    );
  });
});

describe("CheckBulk", () => {
  it("answers every item, with an error only on the items that have one", async () => {
    const response = await unary(test().clients.permissions, "CheckBulk", {
      items: [
        {
          resource: ref("document", "plan"),
          permission: "view",
          subject: subject("user", "alice"),
        },
        {
          resource: ref("document", "plan"),
          permission: "nope",
          subject: subject("user", "alice"),
        },
        { resource: ref("document", "plan"), permission: "view", subject: subject("user", "bob") },
      ],
    });
    expect(
      response.pairs.map(
        (p: { item?: { result: string }; error?: { code: number } }) =>
          p.item?.result ?? p.error?.code,
      ),
    ).toEqual(["CHECK_RESULT_ALLOWED", status.INVALID_ARGUMENT, "CHECK_RESULT_DENIED"]);
  });

  it("refuses more items than the limit with RESOURCE_EXHAUSTED, as every limit", async () => {
    const item = {
      resource: ref("document", "plan"),
      permission: "view",
      subject: subject("user", "a"),
    };
    await expectStatus(
      unary(test().clients.permissions, "CheckBulk", { items: Array(1001).fill(item) }),
      status.RESOURCE_EXHAUSTED,
      "items",
      "1000",
    );
  });
});

describe("Expand and lookups", () => {
  it("expands a permission into its userset tree", async () => {
    const response = await unary(test().clients.permissions, "Expand", {
      resource: ref("document", "plan"),
      permission: "view",
    });
    expect(response.tree.kind).toBe("exclusion");
    expect(response.expandedAt).toMatch(/^lt1_/);
  });

  it("streams the resources a subject can view, resumable by cursor", async () => {
    const { clients } = test();
    const request = {
      resourceType: "document",
      permission: "view",
      subject: subject("user", "alice"),
    };
    const all = await serverStream(clients.permissions, "LookupResources", request);
    expect(all.map((r) => r.resourceId)).toEqual(["plan", "public"]);
    const [first] = await serverStream(clients.permissions, "LookupResources", {
      ...request,
      limit: 1,
    });
    const rest = await serverStream(clients.permissions, "LookupResources", {
      ...request,
      cursor: first?.afterCursor,
    });
    expect(rest.map((r) => r.resourceId)).toEqual(["public"]);
  });

  it("streams the subjects with a permission, the wildcard with its exclusions", async () => {
    const subjects = await serverStream(test().clients.permissions, "LookupSubjects", {
      resource: ref("document", "plan"),
      permission: "view",
      subjectType: "user",
    });
    expect(subjects.map((s) => s.subjectId)).toEqual(["alice", "olga"]);
    const everyone = await serverStream(test().clients.permissions, "LookupSubjects", {
      resource: ref("document", "public"),
      permission: "view",
      subjectType: "user",
    });
    expect(everyone.map((s) => s.subjectId)).toEqual(["*"]);
  });
});
