// Undelivered webhooks on a running server: a receiver that keeps failing past a round of
// attempts gets the alert again at the evaluator's sweeps, with backoff, until it recovers; then
// once more at most (at-least-once, one idempotency key), and /metrics shows the rounds.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAlertRules } from "../../../src/alerts/rule-file.js";
import type { WebhookRetry } from "../../../src/alerts/webhook-sender.js";
import { ApiKeyRing } from "../../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../../src/api/latch-server.js";
import { createLatchClient, type LatchClient } from "../../../src/cli/client.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import { waitFor } from "../../support/wait-for.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.js";

const SUITE = "undelivered alert webhooks swept again";
const PATIENCE_MS = 20_000;

/** Short rounds, so that the receiver outlasts several of them within the test. */
const RETRY: WebhookRetry = {
  attempts: 2,
  firstDelayMs: 10,
  maxDelayMs: 10,
  sweepMs: 50,
  maxSweepDelayMs: 200,
};

const SCHEMA = `definition user {}

definition document {
  relation viewer: user
  permission view = viewer
}
`;

const serverUrl = await postgresForTests(SUITE);

if (serverUrl !== undefined) {
  describe(SUITE, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver | undefined;
    let store: SqlBackedStore;
    let server: LatchServer;
    let client: LatchClient;
    let recovered = false;
    const logs: string[] = [];

    /** metric is the value of one series of /metrics (0 when absent). */
    const metric = async (series: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    };
    const deliveriesTotal = (outcome: string) =>
      metric(`latch_alert_webhook_deliveries_total{webhook="hook",outcome="${outcome}"}`);

    beforeAll(async () => {
      receiver = await startWebhookReceiver(() => (recovered ? 200 : 503));
      const rules = parseAlertRules(
        `webhooks:
  hook:
    url: http://127.0.0.1:${receiver.port}/alerts
    secret_env: TEST_ALERT_SECRET
rules:
  - name: secret
    match: { resource: "document:secret" }
    condition: any
    webhook: hook
`,
        "alerts.yaml",
      );
      database = await createTestDatabase(serverUrl);
      store = await createPostgresStore({ connectionString: database.url });
      server = await startServer({
        store,
        decisions: {
          database: store.database,
          settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
        },
        alerts: { rules, secrets: new Map([["hook", Buffer.from("secret")]]), retry: RETRY },
        keys: new ApiKeyRing([]),
        host: "127.0.0.1",
        grpcPort: 0,
        httpPort: 0,
        onInternalError: (method, error) => logs.push(`${method}: ${String(error)}`),
        log: (line) => logs.push(line),
      });
      client = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` });
      await client.schema.writeSchema({ schema: SCHEMA });
    });

    afterAll(async () => {
      client?.close();
      await server?.close(1000);
      await store?.close();
      await database?.drop();
      await receiver?.close();
    });

    it("sends an alert again at later sweeps while the receiver fails, and stops once it took it", async () => {
      await client.permissions.check({
        resource: { type: "document", id: "secret" },
        permission: "view",
        subject: { object: { type: "user", id: "alice" }, relation: "" },
      });
      // Three rounds of two attempts each: the first, and two started by sweeps.
      await waitFor(
        "three failed rounds",
        async () => (await deliveriesTotal("failed")) >= 3,
        PATIENCE_MS,
      );
      expect(await deliveriesTotal("resent")).toBeGreaterThanOrEqual(2);
      await waitFor(
        "the sweep to count the alert undelivered",
        async () => (await metric("latch_alert_webhooks_undelivered")) === 1,
        PATIENCE_MS,
      );

      recovered = true;
      await waitFor(
        "the delivery",
        () => receiver!.deliveries.some((d) => d.status === 200),
        PATIENCE_MS,
      );
      // A sweep after the delivery was marked finds nothing left to send.
      await waitFor(
        "a sweep to find nothing undelivered",
        async () => (await metric("latch_alert_webhooks_undelivered")) === 0,
        PATIENCE_MS,
      );
      expect(receiver!.deliveries.filter((d) => d.status === 200)).toHaveLength(1);
      expect(await deliveriesTotal("delivered")).toBe(1);
      const [alert, ...more] = (await client.alerts.listAlerts({ filter: { rule: "secret" } }))
        .alerts;
      expect(more).toEqual([]);
      expect(new Set(receiver!.deliveries.map((d) => d.idempotencyKey))).toEqual(
        new Set([`alert-${alert!.id}`]),
      );
      expect(logs.some((line) => line.includes("sent again later"))).toBe(true);
    });
  });
}
