// Alert rules on the embedded store (PGlite): the one process evaluates, and its alerts outlive it.

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRules } from "../../../src/alerts/alert-rule.js";
import { parseAlertRules } from "../../../src/alerts/rule-file.js";
import { ApiKeyRing } from "../../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../../src/api/latch-server.js";
import { createLatchClient, type LatchClient } from "../../../src/cli/client.js";
import { CheckResult } from "../../../src/gen/latch/v1/permission_service_pb.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import { waitFor } from "../../support/wait-for.js";

/** rulesFor are the rules, their webhook at port. */
const rulesFor = (port: number) =>
  parseAlertRules(
    `webhooks:
  hook:
    url: http://127.0.0.1:${port}/
    secret_env: TEST_ALERT_SECRET
rules:
  - name: robot-denied
    match: { subject: robot, result: denied }
    condition: any
    webhook: hook
    suspend: true
`,
    "alerts.yaml",
  );

const SCHEMA = `definition robot {}

definition document {
  relation viewer: robot
  permission view = viewer
}
`;

interface Running {
  readonly store: SqlBackedStore;
  readonly server: LatchServer;
  readonly client: LatchClient;
}

describe("alert rules on the embedded store", () => {
  let directory: string;
  let running: Running | undefined;
  let receiver: Server;
  let rules: AlertRules;
  /** The receiver refuses (400, which is not retried) until it accepts. */
  let accepting = false;
  const received: { status: number; key: string | undefined }[] = [];

  const start = async (): Promise<Running> => {
    const store = await createPgliteStore({ dataDir: directory });
    const server = await startServer({
      store,
      decisions: {
        database: store.database,
        settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
      },
      alerts: { rules, secrets: new Map([["hook", Buffer.from("secret")]]) },
      keys: new ApiKeyRing([]),
      host: "127.0.0.1",
      grpcPort: 0,
      httpPort: 0,
      onInternalError: (method, error) => {
        throw new Error(`${method} failed inside the server: ${String(error)}`);
      },
      log: () => {},
    });
    const client = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` });
    return { store, server, client };
  };
  const stop = async () => {
    running?.client.close();
    await running?.server.close(1000);
    await running?.store.close();
    running = undefined;
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        const status = accepting ? 200 : 400;
        received.push({ status, key: request.headers["idempotency-key"] as string | undefined });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    rules = rulesFor((receiver.address() as AddressInfo).port);
    directory = await mkdtemp(join(tmpdir(), "latch-embedded-alerts-"));
    running = await start();
    await running.client.schema.writeSchema({ schema: SCHEMA });
  });

  afterAll(async () => {
    await stop();
    await rm(directory, { recursive: true, force: true });
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("raises an alert, suspends, and keeps the alert and its undelivered webhook across a restart", async () => {
    const { client } = running!;
    const check = async () =>
      (
        await client.permissions.check({
          resource: { type: "document", id: "plan" },
          permission: "view",
          subject: { object: { type: "robot", id: "r2" }, relation: "" },
        })
      ).result;
    expect(await check()).toBe(CheckResult.DENIED);
    await waitFor(
      "the alert",
      async () => (await client.alerts.listAlerts({})).alerts.length > 0,
      20_000,
    );
    await waitFor(
      "the suspension",
      async () =>
        (
          await client.agents.listSuspensions({
            consistency: { requirement: { case: "fullyConsistent", value: true } },
          })
        ).suspensions.length > 0,
      20_000,
    );
    const [alert] = (await client.alerts.listAlerts({})).alerts;
    await waitFor("the webhook refused", () => received.length > 0, 20_000);
    await stop();
    accepting = true;
    running = await start();
    await waitFor("the webhook sent again", () => received.some((r) => r.status === 200), 20_000);
    expect(received).toEqual([
      { status: 400, key: `alert-${alert!.id}` },
      { status: 200, key: `alert-${alert!.id}` },
    ]);
    const after = await running.client.alerts.listAlerts({});
    expect(after.alerts.map((a) => [a.id, a.rule, a.agent])).toEqual([
      [alert!.id, "robot-denied", "robot:r2"],
    ]);
  });

  it("streams from the first alert after id 0, as a client that listed none asks", async () => {
    const stop = new AbortController();
    const stream = running!.client.alerts.watchAlerts({ afterId: "0" }, { signal: stop.signal });
    for await (const { alert } of stream) {
      expect(alert?.rule).toBe("robot-denied");
      break;
    }
    stop.abort();
  });
});
