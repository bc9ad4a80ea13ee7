// A Postgres outage under load, against the whole server: a private Postgres is stopped and
// restarted twice while checks, reads and writes run on both ports. Every answer meanwhile is
// UNAVAILABLE (never INTERNAL), gRPC health and /readyz follow the store, the log has one line
// per transition, and the same server serves again once Postgres is back.

import type * as grpc from "@grpc/grpc-js";
import { Metadata, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiKey, hashApiKey } from "../../src/api/api-keys.js";
import type { LatchServer } from "../../src/api/latch-server.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { requirePostgresOnCi } from "../store/postgres/test-database.js";
import {
  findPostgresBinaries,
  type PrivatePostgres,
  startPrivatePostgres,
} from "../support/private-postgres.js";
import { waitFor as waitUntil } from "../support/wait-for.js";
import {
  type ApiClients,
  connectClients,
  type JsonMessage,
  relationship,
  serverStream,
  startTestServer,
  unary,
  update,
} from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

const SUITE = "store outage";
const ADMIN = "lk_admin-secret";
const CHECKER = "lk_checker-secret";
const OUTAGES = 2;
/** How long the test waits for something that should happen within a few seconds. */
const PATIENCE_MS = 30_000;
/** The services whose health follows the store, "" being the server as a whole. */
const HEALTH_NAMES = [
  "",
  "latch.v1.PermissionService",
  "latch.v1.RelationshipService",
  "latch.v1.SchemaService",
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** waitFor polls until condition holds, failing with what it waited for after PATIENCE_MS. */
const waitFor = (what: string, condition: () => boolean | Promise<boolean>) =>
  waitUntil(what, condition, PATIENCE_MS);

const binaries = findPostgresBinaries();
if (binaries.bin === undefined) {
  requirePostgresOnCi({ reason: binaries.reason });
  describe(SUITE, () => {
    it.skip(`needs initdb and pg_ctl: ${binaries.reason}`, () => {});
  });
} else {
  const bin = binaries.bin;
  describe(SUITE, () => {
    let postgres: PrivatePostgres | undefined;
    let store: Store | undefined;
    let server: LatchServer | undefined;
    let clients: ApiClients | undefined;
    const log: string[] = [];
    const internalErrors: string[] = [];

    beforeAll(async () => {
      postgres = await startPrivatePostgres(bin);
      store = await createPostgresStore({ connectionString: postgres.url });
      const keys: ApiKey[] = [
        { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
        { name: "checker", sha256: hashApiKey(CHECKER), scopes: ["check"] },
      ];
      server = await startTestServer(store, keys, {
        onInternalError: (method, error) => internalErrors.push(`${method}: ${String(error)}`),
        log: (line) => log.push(line),
      });
      clients = connectClients(server.grpcPort);
    });

    afterAll(async () => {
      for (const client of Object.values(clients ?? {})) client.close();
      await server?.close(1000);
      // The server may be down when a failure cut the test short: closing must not wait on it.
      await postgres?.start().catch(() => {});
      await store?.close();
      await postgres?.destroy();
    });

    it("answers UNAVAILABLE while Postgres is down, reports NOT_SERVING, and serves again after", async () => {
      const api = clients!;
      const httpUrl = `http://127.0.0.1:${server!.httpPort}`;
      const token = { token: ADMIN };
      await unary(api.schema, "WriteSchema", { schema: TEST_SCHEMA }, token);
      const write = (id: string) =>
        unary(
          api.relationships,
          "WriteRelationships",
          { updates: [update("TOUCH", relationship(`document:${id}`, "viewer", "user:ann"))] },
          token,
        );
      await write("seed");

      // gRPC health, watched from before the first outage.
      const healthWatch = (
        api.health as unknown as Record<
          string,
          (request: JsonMessage) => grpc.ClientReadableStream<JsonMessage>
        >
      ).watch!({ service: "" });
      const watchedHealth: string[] = [];
      healthWatch.on("data", (response: JsonMessage) => watchedHealth.push(response.status));
      healthWatch.on("error", () => {});
      const health = async (service: string) =>
        (await unary(api.health, "Check", { service })).status as string;
      const allHealth = async () => Promise.all(HEALTH_NAMES.map(health));

      // A Watch open across the outages: it is delayed, never ended.
      const watched: JsonMessage[] = [];
      const watchCall = (
        api.relationships as unknown as Record<
          string,
          (request: JsonMessage, metadata: Metadata) => grpc.ClientReadableStream<JsonMessage>
        >
      ).watch!({}, metadataWith(ADMIN));
      let watchEnded: string | undefined;
      watchCall.on("data", (response: JsonMessage) => watched.push(response));
      watchCall.on("error", (error: grpc.ServiceError) => {
        watchEnded = `${error.code} ${error.details}`;
      });

      // The load: fully consistent checks, reads and writes on both ports; each answer is
      // recorded as `port method status`, and each message of a failure once.
      const outcomes = new Map<string, number>();
      const messages = new Set<string>();
      const record = (outcome: string, message?: string) => {
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (message !== undefined) messages.add(`${outcome}: ${message}`);
      };
      const count = (pattern: RegExp) =>
        [...outcomes].filter(([key]) => pattern.test(key)).reduce((sum, [, n]) => sum + n, 0);
      const check = {
        resource: { type: "document", id: "seed" },
        permission: "view",
        subject: { object: { type: "user", id: "ann" } },
        consistency: { fullyConsistent: true },
      };
      let written = 0;
      const grpcCalls: Record<string, () => Promise<unknown>> = {
        Check: () => unary(api.permissions, "Check", check, token),
        ReadRelationships: () =>
          serverStream(
            api.relationships,
            "ReadRelationships",
            { filter: { resourceType: "document" }, consistency: { fullyConsistent: true } },
            token,
          ),
        WriteRelationships: () => write(`g${written++}`),
      };
      const connectCalls: Record<string, () => Promise<unknown>> = {
        Check: () => postJson(httpUrl, "latch.v1.PermissionService/Check", check),
        WriteRelationships: () =>
          postJson(httpUrl, "latch.v1.RelationshipService/WriteRelationships", {
            updates: [
              {
                operation: "OPERATION_TOUCH",
                relationship: {
                  resource: { type: "document", id: `c${written++}` },
                  relation: "viewer",
                  subject: { object: { type: "user", id: "ann" } },
                },
              },
            ],
          }),
      };
      let stopping = false;
      const loop = async (port: string, method: string, call: () => Promise<unknown>) => {
        while (!stopping) {
          try {
            await call();
            record(`${port} ${method} OK`);
          } catch (error) {
            const { code, message } = statusOf(error);
            record(`${port} ${method} ${code}`, message);
            // As a client would, back off a little rather than spin against the outage.
            await sleep(25);
          }
        }
      };
      const loops = [
        ...Object.entries(grpcCalls).map(([method, call]) => loop("grpc", method, call)),
        ...Object.entries(connectCalls).map(([method, call]) => loop("connect", method, call)),
      ];

      const readyz = async (key?: string) => {
        const headers: Record<string, string> =
          key === undefined ? {} : { authorization: `Bearer ${key}` };
        const response = await fetch(`${httpUrl}/readyz`, { headers });
        return { status: response.status, body: (await response.json()) as JsonMessage };
      };

      for (let outage = 1; outage <= OUTAGES; outage++) {
        const okBefore = count(/ OK$/);
        await waitFor(`answers before outage ${outage}`, () => count(/ OK$/) >= okBefore + 20);
        const unavailableBefore = count(/ UNAVAILABLE$/);
        await postgres!.crash();
        await waitFor(`NOT_SERVING in outage ${outage}`, async () =>
          (await allHealth()).every((status) => status === "NOT_SERVING"),
        );
        await waitFor(`UNAVAILABLE on both ports in outage ${outage}`, () => {
          const grpcs = count(/^grpc .* UNAVAILABLE$/);
          const connects = count(/^connect .* UNAVAILABLE$/);
          return grpcs + connects > unavailableBefore && grpcs > 0 && connects > 0;
        });
        expect(await readyz()).toEqual({ status: 503, body: { status: "not ready" } });
        const detailed = await readyz(CHECKER);
        expect(detailed.status).toBe(503);
        expect(detailed.body).toMatchObject({
          status: "not ready",
          store: { ok: false, error: expect.stringContaining("database server") },
        });
        await postgres!.start();
        await waitFor(`SERVING after outage ${outage}`, async () =>
          (await allHealth()).every((status) => status === "SERVING"),
        );
        expect(await readyz()).toEqual({ status: 200, body: { status: "ready" } });
        const grpcWrites = count(/^grpc WriteRelationships OK$/);
        const connectWrites = count(/^connect WriteRelationships OK$/);
        await waitFor(`writes on both ports after outage ${outage}`, () => {
          return (
            count(/^grpc WriteRelationships OK$/) > grpcWrites &&
            count(/^connect WriteRelationships OK$/) > connectWrites
          );
        });
      }
      stopping = true;
      await Promise.all(loops);

      const failures = [...outcomes.keys()].filter((key) => !key.endsWith(" OK"));
      expect(
        failures.every((key) => key.endsWith(" UNAVAILABLE")),
        [...messages].join("\n"),
      ).toBe(true);
      expect(internalErrors).toEqual([]);
      for (const message of messages) {
        expect(message).toMatch(/: the (database server|connection to the database server)/);
      }
      // One line when each outage begins, with its cause, and one when it ends.
      expect(log).toHaveLength(2 * OUTAGES);
      log.forEach((line, i) => {
        expect(line).toMatch(
          i % 2 === 0
            ? /^store unreachable: the (database server|connection to the database server) .+; answering UNAVAILABLE and health NOT_SERVING until it answers$/
            : /^store reachable again after \d+\.\d s; health SERVING$/,
        );
      });
      const transitions = watchedHealth.filter((status, i) => status !== watchedHealth[i - 1]);
      expect(transitions).toEqual(
        Array.from({ length: 2 * OUTAGES + 1 }, (_, i) =>
          i % 2 === 0 ? "SERVING" : "NOT_SERVING",
        ),
      );
      healthWatch.cancel();

      // The Watch open throughout sees a write made after the last outage.
      const last = await write("after");
      await waitFor("the Watch to see the last write", () => {
        if (watchEnded !== undefined) throw new Error(`the Watch ended: ${watchEnded}`);
        return watched.some((response) => response.changesThrough === last.writtenAt);
      });
      watchCall.cancel();
    }, 180_000);
  });
}

function metadataWith(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${key}`);
  return metadata;
}

/** postJson posts body as Connect JSON with the admin key, rejecting with the error it answers. */
async function postJson(httpUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${httpUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as JsonMessage;
  if (response.ok) return answer;
  throw Object.assign(new Error(answer.message), { connectCode: answer.code });
}

/** statusOf names a failed call's status as gRPC spells it, on either port. */
function statusOf(error: unknown): { code: string; message: string } {
  const { code, connectCode, details, message } = error as {
    code?: number;
    connectCode?: string;
    details?: string;
    message: string;
  };
  if (connectCode !== undefined) {
    return { code: connectCode.toUpperCase(), message };
  }
  return { code: status[code ?? status.UNKNOWN] ?? String(code), message: details ?? message };
}
