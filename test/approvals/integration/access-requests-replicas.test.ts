// Access requests across two Latch servers sharing Postgres: a request made on A, approved on A for
// 2 s, is allowed on B with the approval's token and denied once it expired; deny, cancel, revoke;
// a request that expires undecided; decisions refused twice, or for longer than asked; bad input
// refused by field with nothing written; a decision allowed by a grant names its request in the
// decision log; the changes streamed, in order, filtered, resumed.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LatchServer } from "../../../src/api/latch-server.js";
import type { LatchClient } from "../../../src/cli/client.js";
import { decisionRecord } from "../../../src/cli/decision-text.js";
import {
  AccessRequestStatus,
  type WatchAccessRequestsRequestSchema,
} from "../../../src/gen/latch/v1/approval_service_pb.js";
import type { ConsistencySchema, RelationshipSchema } from "../../../src/gen/latch/v1/core_pb.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipUpdate_Operation } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import { namedUrl, startReplica, stopReplica } from "../../support/replica.js";
import { waitFor } from "../../support/wait-for.js";

const SUITE = "access requests across two Latch servers";
/** How long a step that should take milliseconds (or a 2 s grant) may take before the test gives up. */
const PATIENCE_MS = 15_000;
/** B's requests expire undecided after this long; A's after the default day. */
const SHORT_TTL_MS = 1500;

/** The schema: an agent may view a document for a while; an owner is for good, never expiring. */
const SCHEMA = `use expiration

definition user {}

definition agent {}

definition document {
  relation owner: user | agent
  relation viewer: user | agent with expiration
  permission view = owner + viewer
}
`;

type Consistency = MessageInitShape<typeof ConsistencySchema>;
const FULLY_CONSISTENT: Consistency = { requirement: { case: "fullyConsistent", value: true } };
const atLeastAsFresh = (token: string): Consistency => ({
  requirement: { case: "atLeastAsFresh", value: token },
});

/** viewer is `document:DOC#viewer@agent:bot`. */
const viewer = (doc: string, relation = "viewer"): MessageInitShape<typeof RelationshipSchema> => ({
  resource: { type: "document", id: doc },
  relation,
  subject: { object: { type: "agent", id: "bot" }, relation: "" },
});

interface Replica {
  readonly store: SqlBackedStore;
  readonly server: LatchServer;
  readonly client: LatchClient;
}

/** codeOf is the status a call failed with; it fails the test when the call succeeds. */
async function codeOf(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await call;
  } catch (error) {
    const connect = ConnectError.from(error);
    return { code: connect.code, message: connect.rawMessage };
  }
  throw new Error("the call succeeded");
}

const serverUrl = await postgresForTests(SUITE);

if (serverUrl !== undefined) {
  describe(SUITE, () => {
    let database: TestDatabase;
    let a: Replica;
    let b: Replica;
    const internalErrors: string[] = [];

    const start = (name: string, accessRequestTtlMs?: number): Promise<Replica> =>
      startReplica(namedUrl(database.url, name), (store) => ({
        // A keeps a decision log, its records written before the answer.
        ...(name === "latch-a"
          ? {
              decisions: {
                database: store.database,
                settings: { mode: "sync" as const, retentionMs: 86_400_000, redactKeys: [] },
              },
            }
          : {}),
        ...(accessRequestTtlMs === undefined ? {} : { accessRequestTtlMs }),
        onInternalError: (method, error) => internalErrors.push(`${method}: ${String(error)}`),
        log: () => {},
      }));

    /** viewOn asks replica whether agent:bot may view document:doc, at consistency. */
    const viewOn = async (replica: Replica, doc: string, consistency: Consistency) =>
      (
        await replica.client.permissions.check({
          resource: { type: "document", id: doc },
          permission: "view",
          subject: { object: { type: "agent", id: "bot" }, relation: "" },
          consistency,
        })
      ).result;

    /** ask requests, on replica, that agent:bot view document:doc for ms. */
    const ask = async (replica: Replica, doc: string, ms = 60_000) =>
      (
        await replica.client.approvals.requestAccess({
          relationship: viewer(doc),
          duration: durationFromMs(ms),
          justification: `summarize ${doc}`,
          actors: [{ object: { type: "user", id: "alice" }, relation: "" }],
        })
      ).request!;

    const get = async (replica: Replica, id: string, consistency: Consistency = FULLY_CONSISTENT) =>
      (await replica.client.approvals.getAccessRequest({ id, consistency })).request!;
    /** atSnapshot reads exactly at the revision of the write that returned token. */
    const atSnapshot = (token: string): Consistency => ({
      requirement: { case: "atExactSnapshot", value: token },
    });

    /** relationshipsOf reads, at the head, the relationships on document:doc. */
    const relationshipsOf = async (doc: string) => {
      const found = [];
      for await (const response of a.client.relationships.readRelationships({
        filter: { resourceType: "document", resourceIds: [doc] },
        consistency: FULLY_CONSISTENT,
      })) {
        found.push(response);
      }
      return found;
    };

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
      a = await start("latch-a");
      b = await start("latch-b", SHORT_TTL_MS);
      await a.client.schema.writeSchema({ schema: SCHEMA });
    });

    afterAll(async () => {
      await stopReplica(a);
      await stopReplica(b);
      await database?.drop();
    });

    it("request, pending, approve for 2 s on A: allowed on B with the token, then denied once expired", async () => {
      const before = Date.now();
      const asked = await ask(a, "q3");
      expect(asked).toMatchObject({
        status: AccessRequestStatus.PENDING,
        requestedBy: "development",
        justification: "summarize q3",
      });
      expect(asked.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(asked.actors.map((actor) => actor.object?.id)).toEqual(["alice"]);
      const onB = await get(b, asked.id);
      expect(onB.status).toBe(AccessRequestStatus.PENDING);
      expect(await viewOn(b, "q3", FULLY_CONSISTENT)).toBe(CheckResult.DENIED);

      const approved = await a.client.approvals.approve({
        id: asked.id,
        duration: durationFromMs(2000),
        note: "for the quarterly report",
      });
      expect(approved.grantedAt).toMatch(/^lt1_/);
      expect(approved.request).toMatchObject({
        status: AccessRequestStatus.APPROVED,
        decidedBy: "development",
        note: "for the quarterly report",
        grantedAt: approved.grantedAt,
      });
      const expiresAt = Number(approved.request!.grantExpiresAt!.seconds) * 1000;
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 2000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2000);
      expect(await viewOn(b, "q3", atLeastAsFresh(approved.grantedAt))).toBe(CheckResult.ALLOWED);
      // The token is on the record in the very write that decided it.
      const recorded = await get(b, asked.id, atSnapshot(approved.grantedAt));
      expect(recorded).toMatchObject({
        status: AccessRequestStatus.APPROVED,
        note: "for the quarterly report",
        grantedAt: approved.grantedAt,
      });
      await waitFor(
        "the 2 s grant to expire on B",
        async () => (await viewOn(b, "q3", FULLY_CONSISTENT)) === CheckResult.DENIED,
        PATIENCE_MS,
      );
    });

    it("deny: nothing is granted, and the denial is kept with its note", async () => {
      const asked = await ask(a, "deny");
      const denied = await b.client.approvals.deny({ id: asked.id, note: "not needed" });
      expect(denied.request).toMatchObject({
        status: AccessRequestStatus.DENIED,
        note: "not needed",
        decidedBy: "development",
      });
      expect(await relationshipsOf("deny")).toEqual([]);
      expect((await get(a, asked.id)).status).toBe(AccessRequestStatus.DENIED);
      const again = await codeOf(a.client.approvals.approve({ id: asked.id }));
      expect(again.code).toBe(Code.FailedPrecondition);
      expect(again.message).toContain("is denied");
    });

    it("cancel: the requester withdraws a pending request, which can then not be approved", async () => {
      const asked = await ask(a, "cancel");
      const cancelled = await b.client.approvals.cancel({ id: asked.id });
      expect(cancelled.request?.status).toBe(AccessRequestStatus.CANCELLED);
      expect((await codeOf(a.client.approvals.approve({ id: asked.id }))).code).toBe(
        Code.FailedPrecondition,
      );
      expect(await relationshipsOf("cancel")).toEqual([]);
    });

    it("revoke: an approved grant ends early, on both replicas", async () => {
      const asked = await ask(a, "revoke");
      const approved = await a.client.approvals.approve({ id: asked.id });
      expect(await viewOn(b, "revoke", atLeastAsFresh(approved.grantedAt))).toBe(
        CheckResult.ALLOWED,
      );
      // Approved for all that was asked: a minute.
      const lasts =
        Number(approved.request!.grantExpiresAt!.seconds) -
        Number(approved.request!.decidedAt!.seconds);
      expect(lasts).toBeGreaterThanOrEqual(59);
      expect(lasts).toBeLessThanOrEqual(61);
      const revoked = await b.client.approvals.revoke({ id: asked.id, note: "task done" });
      expect(revoked.request).toMatchObject({
        status: AccessRequestStatus.REVOKED,
        note: "task done",
        grantedAt: approved.grantedAt,
        revokedAt: revoked.revokedAt,
      });
      expect(await get(a, asked.id, atSnapshot(revoked.revokedAt))).toMatchObject({
        status: AccessRequestStatus.REVOKED,
        grantedAt: approved.grantedAt,
        revokedAt: revoked.revokedAt,
      });
      expect(await viewOn(a, "revoke", atLeastAsFresh(revoked.revokedAt))).toBe(CheckResult.DENIED);
      expect(await relationshipsOf("revoke")).toEqual([]);
      const twice = await codeOf(a.client.approvals.revoke({ id: asked.id }));
      expect(twice.code).toBe(Code.FailedPrecondition);
    });

    it("revoke leaves a relationship written since the approval alone", async () => {
      const asked = await ask(a, "rewritten");
      await a.client.approvals.approve({ id: asked.id });
      // Someone grants the same relationship for longer, through the relationship API.
      const longer = new Date(Date.now() + 3_600_000);
      await a.client.relationships.writeRelationships({
        updates: [
          {
            operation: 2, // TOUCH
            relationship: {
              ...viewer("rewritten"),
              expiresAt: timestampFromDate(longer),
            },
          },
        ],
      });
      const revoked = await a.client.approvals.revoke({ id: asked.id });
      expect(revoked.request?.status).toBe(AccessRequestStatus.REVOKED);
      expect(await relationshipsOf("rewritten")).toHaveLength(1);
    });

    it("a request left undecided expires by itself (B's short lifetime) and cannot be approved", async () => {
      const asked = await ask(b, "undecided");
      expect(asked.status).toBe(AccessRequestStatus.PENDING);
      await waitFor(
        "the request to expire undecided",
        async () => (await get(a, asked.id)).status === AccessRequestStatus.EXPIRED,
        PATIENCE_MS,
      );
      const late = await codeOf(a.client.approvals.approve({ id: asked.id }));
      expect(late.code).toBe(Code.FailedPrecondition);
      expect(late.message).toContain("expired undecided");
      expect(await relationshipsOf("undecided")).toEqual([]);
    });

    it("approving twice: the second is refused, the grant written once", async () => {
      const asked = await ask(a, "twice");
      const [first, second] = await Promise.allSettled([
        a.client.approvals.approve({ id: asked.id }),
        b.client.approvals.approve({ id: asked.id }),
      ]);
      const outcomes = [first, second].map((outcome) =>
        outcome.status === "fulfilled" ? "approved" : ConnectError.from(outcome.reason).code,
      );
      expect(outcomes.sort()).toEqual([Code.FailedPrecondition, "approved"].sort());
      const third = await codeOf(a.client.approvals.approve({ id: asked.id }));
      expect(third.code).toBe(Code.FailedPrecondition);
      expect(third.message).toContain("is approved");
      expect(await relationshipsOf("twice")).toHaveLength(1);
    });

    it("approving for longer than asked is refused, naming the field; the request stays pending", async () => {
      const asked = await ask(a, "longer", 60_000);
      const longer = await codeOf(
        a.client.approvals.approve({ id: asked.id, duration: durationFromMs(120_000) }),
      );
      expect(longer).toEqual({
        code: Code.InvalidArgument,
        message:
          "duration: 120s is longer than the 60s requested; approve for at most that, or 0 for all of it",
      });
      expect((await get(a, asked.id)).status).toBe(AccessRequestStatus.PENDING);
      expect(await relationshipsOf("longer")).toEqual([]);
    });

    it("lists by status, requester and resource, a page at a time", async () => {
      const first = await ask(a, "listed");
      const second = await ask(a, "listed");
      await a.client.approvals.deny({ id: second.id });
      const pending = await a.client.approvals.listAccessRequests({
        consistency: FULLY_CONSISTENT,
        resource: { type: "document", id: "listed" },
        status: AccessRequestStatus.PENDING,
      });
      expect(pending.requests.map((r) => r.id)).toEqual([first.id]);
      const all = [];
      let cursor = "";
      do {
        const page = await a.client.approvals.listAccessRequests({
          consistency: FULLY_CONSISTENT,
          requestedBy: "development",
          pageSize: 1,
          cursor,
        });
        expect(page.requests.length).toBeLessThanOrEqual(1);
        all.push(...page.requests.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor !== "");
      expect(all).toContain(first.id);
      expect(all).toContain(second.id);
      expect(new Set(all).size).toBe(all.length);
      const nobody = await a.client.approvals.listAccessRequests({
        consistency: FULLY_CONSISTENT,
        requestedBy: "nobody",
      });
      expect(nobody.requests).toEqual([]);
    });

    describe("bad input: refused by field, nothing written", () => {
      it("a relation that does not allow the subject with expiration", async () => {
        const refused = await codeOf(
          a.client.approvals.requestAccess({
            relationship: viewer("bad", "owner"),
            duration: durationFromMs(60_000),
            justification: "own it",
          }),
        );
        expect(refused).toEqual({
          code: Code.InvalidArgument,
          message:
            "relationship.relation: document#owner does not allow agent `with expiration`, and an approved request is a grant that expires; add `agent with expiration` to the relation in the schema",
        });
      });

      it("a malformed relationship, a relation the schema lacks, a bad duration, no justification", async () => {
        const request = (overrides: Record<string, unknown>) =>
          codeOf(
            a.client.approvals.requestAccess({
              relationship: viewer("bad"),
              duration: durationFromMs(60_000),
              justification: "why",
              ...overrides,
            }),
          );
        const malformed = await request({
          relationship: { ...viewer("bad"), resource: { type: "document", id: "" } },
        });
        expect(malformed.code).toBe(Code.InvalidArgument);
        expect(malformed.message).toMatch(/^invalid relationship\.resource\.id "" at position 1/);
        const unknown = await request({ relationship: viewer("bad", "reader") });
        expect(unknown.code).toBe(Code.InvalidArgument);
        expect(unknown.message).toMatch(/^relationship: .*reader/);
        expect(await request({ duration: durationFromMs(0) })).toEqual({
          code: Code.InvalidArgument,
          message: "duration: required, a positive duration such as 3600s",
        });
        expect(await request({ duration: durationFromMs(31 * 86_400_000) })).toEqual({
          code: Code.InvalidArgument,
          message: "duration: 2678400s is longer than the limit of 2592000s (30 days)",
        });
        expect((await request({ justification: " " })).message).toMatch(/^justification: required/);
        const reserved = await request({
          relationship: { ...viewer("bad"), resource: { type: "latch/access_request", id: "x" } },
        });
        expect(reserved.message).toMatch(
          /^relationship\.resource\.type: 'latch\/access_request' is reserved/,
        );
        const listed = await a.client.approvals.listAccessRequests({
          consistency: FULLY_CONSISTENT,
          resource: { type: "document", id: "bad" },
        });
        expect(listed.requests).toEqual([]);
      });

      it("an unknown id, and one that is no id", async () => {
        const unknown = "00000000-0000-4000-8000-000000000000";
        const { approvals } = a.client;
        for (const call of [
          () => approvals.getAccessRequest({ id: unknown }),
          () => approvals.approve({ id: unknown }),
          () => approvals.deny({ id: unknown }),
          () => approvals.cancel({ id: unknown }),
          () => approvals.revoke({ id: unknown }),
        ]) {
          expect(await codeOf(call())).toEqual({
            code: Code.NotFound,
            message: `id: no access request ${unknown} (ListAccessRequests lists them)`,
          });
        }
        expect(await codeOf(a.client.approvals.approve({ id: "q3" }))).toEqual({
          code: Code.InvalidArgument,
          message: 'id: not an access request id (a UUID, as RequestAccess returns), got "q3"',
        });
      });
    });

    it("a decision allowed by an approved grant names its request in the log", async () => {
      const asked = await ask(a, "logged");
      const { grantedAt } = await a.client.approvals.approve({ id: asked.id });
      const question = {
        resource: { type: "document", id: "logged" },
        permission: "view",
        subject: { object: { type: "agent", id: "bot" }, relation: "" },
        consistency: atLeastAsFresh(grantedAt),
      };
      // Answered without an explanation (its proof made as the log writes), and with one.
      for (const explain of [false, true]) {
        const answer = await a.client.permissions.check({ ...question, explain });
        expect(answer.result).toBe(CheckResult.ALLOWED);
        const { decision } = await a.client.decisions.getDecision({
          decisionId: answer.decisionId,
        });
        expect(decisionRecord(decision!).proof?.grantedBy).toEqual([
          {
            relationship: "document:logged#viewer@agent:bot",
            expiresAt: expect.any(String),
            accessRequest: asked.id,
          },
        ]);
      }
      // Once revoked and written again by hand, the same key is no longer the request's grant.
      await a.client.approvals.revoke({ id: asked.id });
      const { writtenAt } = await a.client.relationships.writeRelationships({
        updates: [
          {
            operation: RelationshipUpdate_Operation.TOUCH,
            relationship: {
              ...viewer("logged"),
              expiresAt: timestampFromDate(new Date(Date.now() + 3_600_000)),
            },
          },
        ],
      });
      const direct = await a.client.permissions.check({
        ...question,
        consistency: atLeastAsFresh(writtenAt),
      });
      const { decision } = await a.client.decisions.getDecision({ decisionId: direct.decisionId });
      expect(decisionRecord(decision!).proof?.grantedBy).toEqual([
        { relationship: "document:logged#viewer@agent:bot", expiresAt: expect.any(String) },
      ]);
    });

    it("grants approved after the first linked proof are linked too, approved on either replica", async () => {
      // The first proof reads the approved requests; those after come to A from the change stream.
      for (const [doc, approver] of [
        ["linked-1", a],
        ["linked-2", b],
        ["linked-3", a],
      ] as const) {
        const asked = await ask(approver, doc);
        const { grantedAt } = await approver.client.approvals.approve({ id: asked.id });
        const answer = await a.client.permissions.check({
          resource: { type: "document", id: doc },
          permission: "view",
          subject: { object: { type: "agent", id: "bot" }, relation: "" },
          consistency: atLeastAsFresh(grantedAt),
        });
        expect(answer.result).toBe(CheckResult.ALLOWED);
        const { decision } = await a.client.decisions.getDecision({
          decisionId: answer.decisionId,
        });
        expect(decisionRecord(decision!).proof?.grantedBy).toEqual([
          {
            relationship: `document:${doc}#viewer@agent:bot`,
            expiresAt: expect.any(String),
            accessRequest: asked.id,
          },
        ]);
      }
    });

    describe("WatchAccessRequests", () => {
      /** Seen is one streamed change: the request's id, document, status and token. */
      interface Seen {
        readonly id: string;
        readonly doc: string;
        readonly status: AccessRequestStatus;
        readonly token: string;
      }

      /** watch streams, from B, the changes after since that pass filters, until stopped. */
      function watch(
        since: string,
        filters: Omit<
          MessageInitShape<typeof WatchAccessRequestsRequestSchema>,
          "since" | "$typeName"
        > = {},
      ) {
        const seen: Seen[] = [];
        const stopper = new AbortController();
        const done = (async () => {
          try {
            for await (const { request, changedAt } of b.client.approvals.watchAccessRequests(
              { since, ...filters },
              { signal: stopper.signal },
            )) {
              const { id, status, relationship } = request!;
              seen.push({ id, doc: relationship!.resource!.id, status, token: changedAt });
            }
          } catch (error) {
            if (!stopper.signal.aborted) throw error;
          }
        })();
        const stop = () => {
          stopper.abort();
          return done;
        };
        return { seen, stop };
      }

      /** statuses are the statuses seen, in order: one per decision, its token on it already. */
      const statuses = (seen: readonly Seen[]) =>
        seen.map(({ doc, status }) => `${doc} ${AccessRequestStatus[status]}`);

      it("streams a request made, approved, and another denied, in order, from a token; a filter keeps to its resource", async () => {
        const since = (
          await a.client.approvals.listAccessRequests({ consistency: FULLY_CONSISTENT })
        ).readAt;
        const all = watch(since);
        const onW2 = watch(since, { resource: { type: "document", id: "w2" } });
        const first = await ask(a, "w1");
        const approved = await a.client.approvals.approve({ id: first.id });
        const second = await ask(a, "w2");
        await a.client.approvals.deny({ id: second.id, note: "not now" });
        const expected = ["w1 PENDING", "w1 APPROVED", "w2 PENDING", "w2 DENIED"];
        await waitFor(
          "the watcher to see both requests decided",
          () => statuses(all.seen).length >= expected.length,
          PATIENCE_MS,
        );
        await waitFor(
          "the filtered watcher to see w2 denied",
          () => onW2.seen.length >= 2,
          PATIENCE_MS,
        );
        await all.stop();
        await onW2.stop();
        expect(statuses(all.seen)).toEqual(expected);
        expect(all.seen.filter((entry) => entry.doc === "w1").map((entry) => entry.id)).toEqual(
          all.seen.filter((entry) => entry.doc === "w1").map(() => first.id),
        );
        // The approval's change carries the token the grant was written at.
        expect(all.seen.map((entry) => entry.token)).toContain(approved.grantedAt);
        expect(statuses(onW2.seen)).toEqual(["w2 PENDING", "w2 DENIED"]);

        // Resumed from the approval's token: only what came after it.
        const resumed = watch(approved.grantedAt, { status: AccessRequestStatus.DENIED });
        await waitFor(
          "the resumed watcher to see w2 denied",
          () => resumed.seen.length >= 1,
          PATIENCE_MS,
        );
        await resumed.stop();
        expect(statuses(resumed.seen)).toEqual(["w2 DENIED"]);
      });

      it("refuses bad filters with INVALID_ARGUMENT, naming the field", async () => {
        const failure = async (
          request: MessageInitShape<typeof WatchAccessRequestsRequestSchema>,
        ) => {
          const stream = b.client.approvals.watchAccessRequests(request);
          return codeOf(
            (async () => {
              for await (const _ of stream) break;
            })(),
          );
        };
        const status = await failure({ status: 99 as AccessRequestStatus });
        expect(status).toEqual({
          code: Code.InvalidArgument,
          message: "status: not an AccessRequestStatus, got 99",
        });
        const resource = await failure({ resource: { type: "", id: "q3" } });
        expect(resource.code).toBe(Code.InvalidArgument);
        expect(resource.message).toMatch(/^invalid resource\.type "" at position 1/);
        const since = await failure({ since: "not-a-token" });
        expect(since.code).toBe(Code.InvalidArgument);
      });
    });

    it("had no internal error", () => {
      expect(internalErrors).toEqual([]);
    });
  });
}
