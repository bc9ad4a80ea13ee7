// Suspensions across two Latch servers sharing Postgres and Redis: what A suspends, B denies with A's
// token at once, and at minimize_latency as soon as B's change stream has applied it, though B had
// the allow cached; Resume reaches B the same way; suspensions survive a restart of both.

import { afterAll, beforeAll, expect, it } from "vitest";
import { CheckResult, DenialReason } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipUpdate_Operation } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { decodeToken } from "../../../src/revision/consistency-token.js";
import { AGENT_SCHEMA } from "../../agents/agent-schema.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import {
  describeWithRedisServer,
  type PrivateRedis,
  startPrivateRedis,
} from "../../support/private-redis.js";
import {
  atLeastAsFresh,
  type Consistency,
  MINIMIZE_LATENCY,
  namedUrl,
  type Replica,
  startReplica,
  stopReplica,
} from "../../support/replica.js";
import { waitFor } from "../../support/wait-for.js";

const SUITE = "suspension across two Latch servers";
/** Trials of each direction: enough to meet the races between a write and B's change stream. */
const TRIALS = 20;
/** How long a step that should take milliseconds may take before the test gives up on it. */
const PATIENCE_MS = 15_000;

const object = (type: string, id: string) => ({ object: { type, id }, relation: "" });

const serverUrl = await postgresForTests(SUITE);

if (serverUrl !== undefined) {
  await describeWithRedisServer(SUITE, () => {
    let database: TestDatabase;
    let redis: PrivateRedis;
    let a: Replica;
    let b: Replica;
    const internalErrors: string[] = [];

    const start = (name: string): Promise<Replica> =>
      startReplica(namedUrl(database.url, name), () => ({
        cache: { redis: { url: redis.url } },
        onInternalError: (method, error) => internalErrors.push(`${method}: ${String(error)}`),
        log: () => {},
      }));

    /** check asks replica whether agent acts on document:doc for user:owner. */
    const check = (replica: Replica, n: number, consistency: Consistency) =>
      replica.client.permissions.check({
        resource: { type: "document", id: `doc${n}` },
        permission: "view",
        subject: object("user", `owner${n}`),
        actors: [object("agent", `agent${n}`)],
        consistency,
      });

    /** grant writes, through A, a user and their agent who may both view a document of theirs. */
    async function grant(n: number): Promise<string> {
      const rel = (resource: string, relation: string, type: string, id: string) => ({
        operation: RelationshipUpdate_Operation.TOUCH,
        relationship: {
          resource: { type: resource.split(":")[0]!, id: resource.split(":")[1]! },
          relation,
          subject: object(type, id),
        },
      });
      const written = await a.client.relationships.writeRelationships({
        updates: [
          rel(`agent:agent${n}`, "owner", "user", `owner${n}`),
          rel(`document:doc${n}`, "viewer", "user", `owner${n}`),
          rel(`document:doc${n}`, "viewer", "agent", `agent${n}`),
        ],
      });
      return written.writtenAt;
    }

    /** cacheAllowOnB has B answer the trial's check from its cache, allowed. */
    async function cacheAllowOnB(n: number, token: string): Promise<void> {
      expect((await check(b, n, atLeastAsFresh(token))).result).toBe(CheckResult.ALLOWED);
      await waitFor(
        `B to serve trial ${n}'s allow from its cache`,
        async () => {
          const answer = await check(b, n, MINIMIZE_LATENCY);
          return answer.result === CheckResult.ALLOWED && answer.servedFromCache;
        },
        PATIENCE_MS,
      );
    }

    /** appliedBy waits until B's change tracker has applied token's revision. */
    async function appliedBy(replica: Replica, token: string): Promise<void> {
      const revision = decodeToken(token, replica.store.storeId);
      await waitFor(
        "B's change stream to apply the write",
        async () => {
          const response = await fetch(`http://127.0.0.1:${replica.server.httpPort}/readyz`);
          const body = (await response.json()) as { cache: { appliedRevision: number } };
          return body.cache.appliedRevision >= revision;
        },
        PATIENCE_MS,
      );
    }

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
      redis = await startPrivateRedis();
      a = await start("latch-a");
      b = await start("latch-b");
      await a.client.schema.writeSchema({ schema: AGENT_SCHEMA });
    });

    afterAll(async () => {
      await stopReplica(a);
      await stopReplica(b);
      await redis?.destroy();
      await database?.drop();
    });

    it("B denies what A suspends: at once with A's token, at minimize_latency once its change stream applied it", async () => {
      let allowsWithToken = 0;
      let allowsOnceApplied = 0;
      for (let n = 0; n < TRIALS; n++) {
        await cacheAllowOnB(n, await grant(n));
        const suspended = await a.client.agents.suspend({
          subject: object("agent", `agent${n}`),
          reason: `trial ${n}`,
        });
        const withToken = await check(b, n, atLeastAsFresh(suspended.suspendedAt));
        if (withToken.result !== CheckResult.DENIED) allowsWithToken++;
        expect(withToken.reason).toBe(DenialReason.SUSPENDED);
        expect(withToken.deniedBy?.object).toMatchObject({ type: "agent", id: `agent${n}` });
        await appliedBy(b, suspended.suspendedAt);
        const latest = await check(b, n, MINIMIZE_LATENCY);
        if (latest.result !== CheckResult.DENIED) allowsOnceApplied++;
      }
      expect({ allowsWithToken, allowsOnceApplied }).toEqual({
        allowsWithToken: 0,
        allowsOnceApplied: 0,
      });
      expect(internalErrors).toEqual([]);
    });

    it("B allows again what A resumes, with A's token and once its change stream applied it", async () => {
      for (let n = 0; n < TRIALS; n++) {
        const resumed = await a.client.agents.resume({ subject: object("agent", `agent${n}`) });
        const withToken = await check(b, n, atLeastAsFresh(resumed.resumedAt));
        expect(withToken.result).toBe(CheckResult.ALLOWED);
        await appliedBy(b, resumed.resumedAt);
        expect((await check(b, n, MINIMIZE_LATENCY)).result).toBe(CheckResult.ALLOWED);
      }
    });

    it("a suspension of everyone's agents, from A, holds on both after both restart", async () => {
      const suspended = await a.client.agents.suspend({
        subject: object("agent", "*"),
        reason: "emergency stop",
      });
      expect((await check(b, 0, atLeastAsFresh(suspended.suspendedAt))).reason).toBe(
        DenialReason.SUSPENDED,
      );
      await stopReplica(a);
      await stopReplica(b);
      a = await start("latch-a-again");
      b = await start("latch-b-again");
      const listed = await b.client.agents.listSuspensions({
        consistency: { requirement: { case: "fullyConsistent", value: true } },
      });
      expect(listed.suspensions.map((s) => [s.subject?.object?.id, s.reason])).toEqual([
        ["*", "emergency stop"],
      ]);
      for (const replica of [a, b]) {
        const answer = await check(replica, 1, atLeastAsFresh(suspended.suspendedAt));
        expect(answer.reason).toBe(DenialReason.SUSPENDED);
        expect(answer.deniedBy?.object).toMatchObject({ type: "agent", id: "agent1" });
      }
      expect(internalErrors).toEqual([]);
    });
  });
}
