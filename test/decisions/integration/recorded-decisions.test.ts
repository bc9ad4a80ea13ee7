// Every decision a server answers is in its log, found by the id the response gave: plain and
// on-behalf-of checks, bulk items, lookups; cached and not; allowed, denied and conditional; with
// the right fields and a proof that names what granted it. On PGlite and on Postgres, async and sync.

import { v1 } from "@authzed/authzed-node";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiKey, hashApiKey } from "../../../src/api/api-keys.js";
import type { LatchServer } from "../../../src/api/latch-server.js";
import { decisionRecord } from "../../../src/cli/decision-text.js";
import type { DecisionMode } from "../../../src/decisions/decision-log.js";
import type { DecisionRecord } from "../../../src/decisions/decision-record.js";
import { AgentService } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import {
  CheckResult,
  DenialReason,
  PermissionService,
} from "../../../src/gen/latch/v1/permission_service_pb.js";
import {
  RelationshipService,
  RelationshipUpdate_Operation,
} from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../../src/gen/latch/v1/schema_service_pb.js";
import { startTestServer } from "../../api/api-harness.js";
import { obj, subj } from "../../spicedb-api/integration/spicedb-harness.js";
import { waitFor } from "../../support/wait-for.js";
import { DECISION_STORES, type OpenedStore } from "./decision-stores.js";

const KEY = "lk_ci-secret";
const KEYS: ApiKey[] = [{ name: "ci", sha256: hashApiKey(KEY), scopes: ["admin"] }];
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

const SCHEMA = `
caveat on_network(ip ipaddress) { ip.in_cidr('10.0.0.0/8') }

definition user {}

definition agent {
  relation owner: user
  permission act_for = owner
}

definition folder {
  relation viewer: user | agent
}

definition document {
  relation parent: folder
  relation viewer: user | agent | user with on_network
  permission view = viewer + parent->viewer
}
`;

const RELATIONSHIPS = [
  "folder:eng#viewer@user:alice",
  "folder:eng#viewer@user:dave",
  "document:plan#parent@folder:eng",
  "document:plan#viewer@agent:bot",
  "agent:bot#owner@user:alice",
  "document:memo#viewer@user:carol[on_network]",
];

const ref = (text: string) => {
  const [type, id] = text.split(":");
  return { type: type!, id: id! };
};
const subject = (text: string) => ({ object: ref(text) });

const cases: { store: (typeof DECISION_STORES)[number]; mode: DecisionMode }[] =
  DECISION_STORES.flatMap((store) => [
    { store, mode: "async" as const },
    { store, mode: "sync" as const },
  ]);

describe.each(cases)("decisions recorded on $store.name, $mode", ({ store, mode }) => {
  let opened: OpenedStore | undefined;
  let server: LatchServer | undefined;
  let permissions: Client<typeof PermissionService>;
  let decisions: Client<typeof DecisionService>;
  const answered = new Set<string>();

  const transport = () =>
    createGrpcTransport({
      baseUrl: `http://127.0.0.1:${server!.grpcPort}`,
      interceptors: [
        (next) => (request) => {
          request.header.set("authorization", `Bearer ${KEY}`);
          return next(request);
        },
      ],
    });

  /**
   * recordOf reads the record of a decision id at once: in sync mode it is committed before the
   * answer comes; in async mode it may still be queued, and the replica that holds it writes it
   * first.
   */
  const recordOf = async (decisionId: string): Promise<DecisionRecord> => {
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
    answered.add(decisionId);
    const response = await decisions.getDecision({ decisionId });
    return decisionRecord(response.decision!);
  };

  beforeAll(async () => {
    if (store.open === undefined) return;
    opened = await store.open();
    server = await startTestServer(opened.store, KEYS, {
      decisions: {
        database: opened.store.database,
        settings: { mode, retentionMs: 86_400_000, redactKeys: [] },
      },
    });
    const schema = createClient(SchemaService, transport());
    await schema.writeSchema({ schema: SCHEMA });
    const relationships = createClient(RelationshipService, transport());
    const { writtenAt } = await relationships.writeRelationships({
      updates: RELATIONSHIPS.map((text) => ({
        operation: RelationshipUpdate_Operation.CREATE,
        relationship: relationshipOf(text),
      })),
    });
    permissions = createClient(PermissionService, transport());
    decisions = createClient(DecisionService, transport());
    // Later reads at minimize_latency see the writes once the server caught up with them.
    await permissions.check({
      resource: ref("document:plan"),
      permission: "view",
      subject: subject("user:alice"),
      consistency: { requirement: { case: "atLeastAsFresh", value: writtenAt } },
    });
  });

  afterAll(async () => {
    await server?.close(1000);
    await opened?.close();
  });

  it.skipIf(store.open === undefined)(
    "records a plain allow, computed then from the cache, with the path that granted it",
    async () => {
      let trailer: string | null = null;
      const first = await permissions.check(
        { resource: ref("document:plan"), permission: "view", subject: subject("user:alice") },
        {
          headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
          onTrailer: (h) => {
            trailer = h.get("latch-decision-id");
          },
        },
      );
      expect(trailer).toBe(first.decisionId);
      const again = await permissions.check({
        resource: ref("document:plan"),
        permission: "view",
        subject: subject("user:alice"),
      });
      expect(again.servedFromCache).toBe(true);
      expect(again.decisionId).not.toBe(first.decisionId);
      for (const response of [first, again]) {
        const record = await recordOf(response.decisionId);
        expect(record).toMatchObject({
          kind: "check",
          apiKey: "ci",
          subject: "user:alice",
          actors: [],
          resource: "document:plan",
          permission: "view",
          result: "allowed",
          token: response.checkedAt,
          cached: response.servedFromCache,
        });
        expect(record.proof?.grantedBy?.map((g) => g.relationship)).toEqual([
          "document:plan#parent@folder:eng",
          "folder:eng#viewer@user:alice",
        ]);
      }
      expect((await recordOf(first.decisionId)).traceId).toBe(TRACE_ID);
    },
  );

  it.skipIf(store.open === undefined)(
    "proves an answer with what grants it at its own revision, across writes to other relationships and to its own",
    async () => {
      const relationships = createClient(RelationshipService, transport());
      const write = async (touch: readonly string[], remove: readonly string[] = []) => {
        const { writtenAt } = await relationships.writeRelationships({
          updates: [
            ...touch.map((text) => ({
              operation: RelationshipUpdate_Operation.TOUCH,
              relationship: relationshipOf(text),
            })),
            ...remove.map((text) => ({
              operation: RelationshipUpdate_Operation.DELETE,
              relationship: relationshipOf(text),
            })),
          ],
        });
        const answer = await permissions.check({
          resource: ref("document:spec"),
          permission: "view",
          subject: subject("user:gail"),
          consistency: { requirement: { case: "atLeastAsFresh", value: writtenAt } },
        });
        expect(answer.result).toBe(CheckResult.ALLOWED);
        return (await recordOf(answer.decisionId)).proof?.grantedBy?.map((g) => g.relationship);
      };
      const direct = ["document:spec#viewer@user:gail"];
      expect(await write(direct)).toEqual(direct);
      // Another document's grant changes nothing this answer read: the same proof holds.
      expect(await write(["document:other#viewer@user:zed"])).toEqual(direct);
      // Its own grant replaced by the folder's: the proof names the path that grants it now.
      const throughFolder = ["document:spec#parent@folder:specs", "folder:specs#viewer@user:gail"];
      expect(await write(throughFolder, direct)).toEqual(throughFolder);
    },
  );

  it.skipIf(store.open === undefined)(
    "records a denial with what was tried, and a conditional answer with its caveat",
    async () => {
      const denied = await permissions.check({
        resource: ref("document:memo"),
        permission: "view",
        subject: subject("user:bob"),
      });
      expect(denied.result).toBe(CheckResult.DENIED);
      const deniedRecord = await recordOf(denied.decisionId);
      expect(deniedRecord.result).toBe("denied");
      expect(deniedRecord.proof?.summary?.join("\n")).toContain("user:bob");

      const conditional = await permissions.check({
        resource: ref("document:memo"),
        permission: "view",
        subject: subject("user:carol"),
      });
      expect(conditional.result).toBe(CheckResult.CONDITIONAL);
      const record = await recordOf(conditional.decisionId);
      expect(record).toMatchObject({ result: "conditional", missingParameters: ["ip"] });
      expect(record.proof?.grantedBy).toEqual([
        {
          relationship: "document:memo#viewer@user:carol",
          caveat: "on_network",
          caveatResult: "missing",
        },
      ]);

      const withContext = await permissions.check({
        resource: ref("document:memo"),
        permission: "view",
        subject: subject("user:carol"),
        context: { ip: "10.1.2.3" },
        explain: true,
      });
      expect(withContext.result).toBe(CheckResult.ALLOWED);
      expect(await recordOf(withContext.decisionId)).toMatchObject({
        result: "allowed",
        context: { ip: "10.1.2.3" },
        proof: { grantedBy: [{ relationship: "document:memo#viewer@user:carol" }] },
      });
    },
  );

  it.skipIf(store.open === undefined)(
    "records on-behalf-of checks: the chain, every leg's grant, or the failing leg",
    async () => {
      const allowed = await permissions.check({
        resource: ref("document:plan"),
        permission: "view",
        subject: subject("user:alice"),
        actors: [subject("agent:bot")],
      });
      expect(allowed.result).toBe(CheckResult.ALLOWED);
      const allowedRecord = await recordOf(allowed.decisionId);
      expect(allowedRecord).toMatchObject({ subject: "user:alice", actors: ["agent:bot"] });
      expect(allowedRecord.proof?.grantedBy?.map((g) => g.relationship).sort()).toEqual([
        "agent:bot#owner@user:alice",
        "document:plan#parent@folder:eng",
        "document:plan#viewer@agent:bot",
        "folder:eng#viewer@user:alice",
      ]);

      const denied = await permissions.check({
        resource: ref("document:plan"),
        permission: "view",
        subject: subject("user:dave"),
        actors: [subject("agent:bot")],
      });
      expect(denied.reason).toBe(DenialReason.NOT_DELEGATED);
      expect(await recordOf(denied.decisionId)).toMatchObject({
        result: "denied",
        deniedBy: "agent:bot",
        reason: "not_delegated",
        proof: { failingLeg: { kind: "delegation", member: "agent:bot", result: "denied" } },
      });

      const agents = createClient(AgentService, transport());
      const { suspendedAt } = await agents.suspend({
        subject: subject("agent:bot"),
        reason: "incident 7",
      });
      const suspended = await permissions.check({
        resource: ref("document:plan"),
        permission: "view",
        subject: subject("user:alice"),
        actors: [subject("agent:bot")],
        consistency: { requirement: { case: "atLeastAsFresh", value: suspendedAt } },
      });
      await agents.resume({ subject: subject("agent:bot") });
      expect(suspended.reason).toBe(DenialReason.SUSPENDED);
      const record = await recordOf(suspended.decisionId);
      expect(record).toMatchObject({
        deniedBy: "agent:bot",
        reason: "suspended",
        proof: { failingLeg: { kind: "suspension", member: "agent:bot", result: "denied" } },
      });
      expect(record.proof?.summary?.join("\n")).toContain(
        "latch/suspension:all#suspended@agent:bot",
      );
    },
  );

  it.skipIf(store.open === undefined)(
    "records each CheckBulk item, and each lookup call with its count",
    async () => {
      let trailer: string | null = null;
      const bulk = await permissions.checkBulk(
        {
          items: [
            { resource: ref("document:plan"), permission: "view", subject: subject("user:dave") },
            { resource: ref("document:plan"), permission: "view", subject: subject("user:erin") },
          ],
        },
        {
          onTrailer: (h) => {
            trailer = h.get("latch-decision-id");
          },
        },
      );
      const ids = bulk.pairs.map((p) =>
        p.response.case === "item" ? p.response.value : undefined,
      );
      expect(ids.map((item) => item?.decisionId).length).toBe(2);
      // The trailer holds one id, the last item's: each item's replaced the one before.
      expect(trailer).toBe(ids[1]!.decisionId);
      const [dave, erin] = await Promise.all(ids.map((item) => recordOf(item!.decisionId)));
      expect(dave).toMatchObject({ subject: "user:dave", result: "allowed" });
      expect(erin).toMatchObject({ subject: "user:erin", result: "denied" });

      let header: string | null = null;
      const found = [];
      for await (const item of permissions.lookupResources(
        { resourceType: "document", permission: "view", subject: subject("user:alice") },
        {
          onHeader: (h) => {
            header = h.get("latch-decision-id");
          },
        },
      )) {
        found.push(item);
      }
      expect(found.map((f) => f.resourceId)).toEqual(["plan"]);
      expect(header).toBe(found[0]!.decisionId);
      expect(await recordOf(found[0]!.decisionId)).toMatchObject({
        kind: "lookup_resources",
        subject: "user:alice",
        resource: "document",
        permission: "view",
        lookup: { returned: 1 },
      });

      // A lookup that finds nothing has its id too, in the header that precedes its status.
      let none: string | null = null;
      for await (const _ of permissions.lookupResources(
        { resourceType: "document", permission: "view", subject: subject("user:nobody") },
        {
          onHeader: (h) => {
            none = h.get("latch-decision-id");
          },
        },
      ));
      expect((await recordOf(none!)).lookup).toEqual({ returned: 0 });

      const subjects = [];
      for await (const item of permissions.lookupSubjects({
        resource: ref("document:plan"),
        permission: "view",
        subjectType: "user",
      })) {
        subjects.push(item);
      }
      expect(subjects.map((s) => s.subjectId).sort()).toEqual(["alice", "dave"]);
      expect(await recordOf(subjects[0]!.decisionId)).toMatchObject({
        kind: "lookup_subjects",
        subject: "user",
        resource: "document:plan",
        lookup: { returned: 2 },
      });
    },
  );

  it.skipIf(store.open === undefined)(
    "gives the id over Connect JSON too, in the body and the header",
    async () => {
      const response = await fetch(
        `http://127.0.0.1:${server!.httpPort}/latch.v1.PermissionService/Check`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
          body: JSON.stringify({
            resource: ref("document:plan"),
            permission: "view",
            subject: subject("user:alice"),
          }),
        },
      );
      const body = (await response.json()) as { decisionId: string };
      expect(response.headers.get("latch-decision-id")).toBe(body.decisionId);
      expect((await recordOf(body.decisionId)).result).toBe("allowed");
    },
  );

  it.skipIf(store.open === undefined)(
    "records SpiceDB's CheckPermission and LookupResources, their ids where a grpc-js client reads them",
    async () => {
      const client = v1.NewClient(
        KEY,
        `127.0.0.1:${server!.grpcPort}`,
        v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS,
      );
      try {
        const request = v1.CheckPermissionRequest.create({
          resource: obj("document:plan"),
          permission: "view",
          subject: subj("user:alice"),
        });
        const trailer = await new Promise<string>((resolve, reject) => {
          const call = client.checkPermission(request, (error) => {
            if (error !== null) reject(error);
          });
          call.on("status", (status: { metadata: Metadata }) => {
            resolve(String(status.metadata.get("latch-decision-id")[0]));
          });
        });
        expect(await recordOf(trailer)).toMatchObject({
          subject: "user:alice",
          resource: "document:plan",
          permission: "view",
          result: "allowed",
        });

        // A lookup's id comes in the response header, before the stream's first response.
        const stream = client.lookupResources(
          v1.LookupResourcesRequest.create({
            resourceObjectType: "document",
            permission: "view",
            subject: request.subject,
          }),
        );
        const header = new Promise<string>((resolve) => {
          stream.on("metadata", (metadata: Metadata) => {
            resolve(String(metadata.get("latch-decision-id")[0]));
          });
        });
        const found: string[] = [];
        for await (const response of stream) {
          found.push((response as v1.LookupResourcesResponse).resourceObjectId);
        }
        expect(found).toEqual(["plan"]);
        expect(await recordOf(await header)).toMatchObject({
          kind: "lookup_resources",
          subject: "user:alice",
          lookup: { returned: 1 },
        });
      } finally {
        client.close();
      }
    },
  );

  it.skipIf(store.open === undefined)("holds exactly the decisions answered, no more", async () => {
    // The set-up's check made one more; every other answer was looked up by its id above.
    let listed: string[] = [];
    await waitFor(
      "every decision answered is listed",
      async () => {
        const page = await decisions.listDecisions({ pageSize: 1000 });
        listed = page.decisions.map((d) => d.decisionId);
        return listed.length >= answered.size + 1;
      },
      30_000,
    );
    expect(listed.length).toBe(answered.size + 1);
    for (const id of answered) expect(listed).toContain(id);
  });
});

function relationshipOf(text: string) {
  const match = /^(\w+):(\w+)#(\w+)@(\w+):(\w+)(?:\[(\w+)\])?$/.exec(text)!;
  const [, type, id, relation, subjectType, subjectId, caveat] = match;
  return {
    resource: { type: type!, id: id! },
    relation: relation!,
    subject: subject(`${subjectType}:${subjectId}`),
    ...(caveat === undefined ? {} : { caveat: { name: caveat } }),
  };
}
