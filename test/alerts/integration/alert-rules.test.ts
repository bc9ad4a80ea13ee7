// Alert rules on two Latch servers sharing Postgres: each condition fires once per window, the
// webhook is retried until the receiver recovers (signed, one idempotency key), the suspend action
// suspends the agent, the two replicas raise each alert once, and the evaluator moves on to the
// other replica when its holder stops; alerts listed, acknowledged and streamed on either.

import { createHmac } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRules } from "../../../src/alerts/alert-rule.js";
import { parseAlertRules } from "../../../src/alerts/rule-file.js";
import type { LatchServer } from "../../../src/api/latch-server.js";
import type { LatchClient } from "../../../src/cli/client.js";
import { type Alert, AlertStatus } from "../../../src/gen/latch/v1/alert_service_pb.js";
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
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.js";

const SUITE = "alert rules across two Latch servers";
const PATIENCE_MS = 20_000;
const SECRET = "test-webhook-secret";

const SCHEMA = `definition user {}

definition agent {
  relation owner: user
  permission act_for = owner
}

definition document {
  relation viewer: user | agent
  relation editor: user | agent
  permission view = viewer + editor
  permission edit = editor
}
`;

/** rulesFor are the rules, their webhook at port. */
const rulesFor = (port: number): AlertRules =>
  parseAlertRules(
    `webhooks:
  hook:
    url: http://127.0.0.1:${port}/alerts
    secret_env: TEST_ALERT_SECRET
rules:
  - name: burst
    match: { actor: agent, result: denied, resource: document, permission: view }
    condition: { count: 3, within: 1h, per: agent }
    webhook: hook
  - name: first-edit
    match: { actor: agent, permission: edit }
    condition: first_use
  - name: secret
    match: { resource: "document:secret" }
    condition: any
    suspend: { for: 1h }
`,
    "alerts.yaml",
  );

interface Replica {
  readonly store: SqlBackedStore;
  readonly server: LatchServer;
  readonly client: LatchClient;
}

const serverUrl = await postgresForTests(SUITE);

if (serverUrl !== undefined) {
  describe(SUITE, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver | undefined;
    let rules: AlertRules;
    let a: Replica | undefined;
    let b: Replica | undefined;
    /** How many requests the receiver still fails with 503. */
    let failing = 2;
    const logs: string[] = [];

    const start = (name: string): Promise<Replica> =>
      startReplica(namedUrl(database.url, name), (store) => ({
        decisions: {
          database: store.database,
          settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
        },
        alerts: { rules, secrets: new Map([["hook", Buffer.from(SECRET)]]) },
        onInternalError: (method, error) => logs.push(`${method}: ${String(error)}`),
        log: (line) => logs.push(line),
      }));

    /** checkAs asks, on replica, whether agent:bot acting for alice has permission on doc. */
    const checkAs = async (replica: Replica, bot: string, doc: string, permission = "view") =>
      (
        await replica.client.permissions.check({
          resource: { type: "document", id: doc },
          permission,
          subject: { object: { type: "user", id: "alice" }, relation: "" },
          actors: [{ object: { type: "agent", id: bot }, relation: "" }],
          consistency: { requirement: { case: "fullyConsistent", value: true } },
        })
      ).result;

    const alertsOf = async (replica: Replica, rule?: string): Promise<Alert[]> =>
      (await replica.client.alerts.listAlerts({ filter: { rule: rule ?? "" } })).alerts;

    beforeAll(async () => {
      receiver = await startWebhookReceiver(() => (failing-- > 0 ? 503 : 200));
      rules = rulesFor(receiver.port);
      database = await createTestDatabase(serverUrl);
      a = await start("latch-a");
      b = await start("latch-b");
      await a.client.schema.writeSchema({ schema: SCHEMA });
      const owner = (bot: string) => ({
        operation: RelationshipUpdate_Operation.TOUCH,
        relationship: {
          resource: { type: "agent", id: bot },
          relation: "owner",
          subject: { object: { type: "user", id: "alice" }, relation: "" },
        },
      });
      await a.client.relationships.writeRelationships({
        updates: ["bot1", "bot2", "bot3", "bot4", "bot5"].map(owner),
      });
    });

    afterAll(async () => {
      await stopReplica(a);
      await stopReplica(b);
      await database?.drop();
      await receiver?.close();
    });

    it("count: fires once when 3 denials fall in the window, across both replicas; the webhook is retried until delivered, signed, with one idempotency key", async () => {
      for (const replica of [a!, b!, a!, b!, a!, b!]) {
        expect(await checkAs(replica, "bot1", "plan")).toBe(CheckResult.DENIED);
      }
      await waitFor(
        "the burst alert",
        async () => (await alertsOf(b!, "burst")).length > 0,
        PATIENCE_MS,
      );
      await waitFor(
        "the webhook to be delivered after two failures",
        () => receiver!.deliveries.some((d) => d.status === 200),
        PATIENCE_MS,
      );
      const [alert, ...more] = await alertsOf(a!, "burst");
      expect(more).toEqual([]);
      expect(alert).toMatchObject({
        rule: "burst",
        key: "agent:bot1",
        agent: "agent:bot1",
        principal: "user:alice",
        permission: "view",
        result: "denied",
        status: AlertStatus.OPEN,
      });
      expect(alert!.count).toBe(3);
      expect(receiver!.deliveries.map((d) => d.status)).toEqual([503, 503, 200]);
      expect(new Set(receiver!.deliveries.map((d) => d.idempotencyKey))).toEqual(
        new Set([`alert-${alert!.id}`]),
      );
      for (const delivery of receiver!.deliveries) {
        const expected = `sha256=${createHmac("sha256", SECRET).update(delivery.body).digest("hex")}`;
        expect(delivery.signature).toBe(expected);
      }
      const body = JSON.parse(receiver!.deliveries[2]!.body);
      expect(body).toMatchObject({ type: "latch.alert", alert: { id: alert!.id, rule: "burst" } });
      // Three more in the same window raise nothing more.
      for (const replica of [a!, b!, a!]) await checkAs(replica, "bot1", "plan");
      await waitFor(
        "the three denials to be read",
        async () => {
          const page = await a!.client.decisions.listDecisions({ filter: { actor: "agent:bot1" } });
          return page.decisions.length >= 9;
        },
        PATIENCE_MS,
      );
      // An alert raised after them shows they were all read.
      await checkAs(b!, "bot4", "secret");
      await waitFor(
        "the marker alert",
        async () => (await alertsOf(a!, "secret")).some((x) => x.agent === "agent:bot4"),
        PATIENCE_MS,
      );
      expect(await alertsOf(a!, "burst")).toHaveLength(1);
    });

    it("first_use: fires the first time an agent uses a permission, once", async () => {
      await checkAs(a!, "bot2", "plan", "edit");
      await checkAs(b!, "bot2", "other", "edit");
      await checkAs(a!, "bot2", "plan", "view");
      await waitFor(
        "the first-edit alert",
        async () => (await alertsOf(a!, "first-edit")).length > 0,
        PATIENCE_MS,
      );
      await checkAs(b!, "bot5", "secret");
      await waitFor(
        "the marker alert",
        async () => (await alertsOf(a!, "secret")).some((x) => x.agent === "agent:bot5"),
        PATIENCE_MS,
      );
      const fired = await alertsOf(b!, "first-edit");
      expect(fired.map((x) => x.key)).toEqual(["agent:bot2#edit"]);
    });

    it("any with suspend: the agent is suspended with the alert as the reason, and denied", async () => {
      await a!.client.relationships.writeRelationships({
        updates: [
          {
            operation: RelationshipUpdate_Operation.TOUCH,
            relationship: {
              resource: { type: "document", id: "public" },
              relation: "viewer",
              subject: { object: { type: "agent", id: "bot3" }, relation: "" },
            },
          },
          {
            operation: RelationshipUpdate_Operation.TOUCH,
            relationship: {
              resource: { type: "document", id: "public" },
              relation: "viewer",
              subject: { object: { type: "user", id: "alice" }, relation: "" },
            },
          },
        ],
      });
      expect(await checkAs(b!, "bot3", "public")).toBe(CheckResult.ALLOWED);
      await checkAs(b!, "bot3", "secret");
      await waitFor(
        "bot3's suspension",
        async () => (await checkAs(b!, "bot3", "public")) === CheckResult.DENIED,
        PATIENCE_MS,
      );
      const [alert] = (await alertsOf(a!, "secret")).filter((x) => x.agent === "agent:bot3");
      const { suspensions } = await a!.client.agents.listSuspensions({
        consistency: { requirement: { case: "fullyConsistent", value: true } },
      });
      const suspension = suspensions.find((s) => s.subject?.object?.id === "bot3");
      expect(suspension?.reason).toMatch(new RegExp(`^alert ${alert!.id}: alert rule secret: `));
      expect(suspension?.suspendedBy).toBe("alert-rules");
      expect(suspension?.expiresAt).toBeDefined();
    });

    it("acknowledges, filters and streams alerts on either replica; refuses unknown ids", async () => {
      const stop = new AbortController();
      const streamed: Alert[] = [];
      const watching = (async () => {
        try {
          for await (const { alert } of b!.client.alerts.watchAlerts(
            { filter: { rule: "secret" } },
            { signal: stop.signal },
          )) {
            if (alert !== undefined) streamed.push(alert);
          }
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        }
      })();
      // The stream starts with the next alert: raise them until one comes.
      await waitFor(
        "an alert streamed",
        async () => {
          await checkAs(a!, "bot4", "secret");
          return streamed.length > 0;
        },
        PATIENCE_MS,
      );
      stop.abort();
      await watching;
      expect(streamed[0]).toMatchObject({ rule: "secret", agent: "agent:bot4" });

      const [open] = await alertsOf(a!, "burst");
      const acked = await b!.client.alerts.acknowledgeAlert({ id: open!.id, note: "looked at it" });
      expect(acked.alert).toMatchObject({
        status: AlertStatus.ACKNOWLEDGED,
        acknowledgedBy: "development",
        note: "looked at it",
      });
      const listed = await a!.client.alerts.listAlerts({
        filter: { status: AlertStatus.ACKNOWLEDGED },
      });
      expect(listed.alerts.map((x) => x.id)).toEqual([open!.id]);
      const byAgent = await a!.client.alerts.listAlerts({ filter: { agent: "agent:bot2" } });
      expect(byAgent.alerts.map((x) => x.rule)).toEqual(["first-edit"]);

      const unknown = await b!.client.alerts.acknowledgeAlert({ id: "999999" }).catch((e) => e);
      expect(ConnectError.from(unknown).code).toBe(Code.NotFound);
      const bad = await b!.client.alerts.acknowledgeAlert({ id: "x1" }).catch((e) => e);
      expect(ConnectError.from(bad).code).toBe(Code.InvalidArgument);
      expect(ConnectError.from(bad).rawMessage).toMatch(/^id: not an alert id/);
    });

    it("the evaluator moves on when its replica stops: no alert is raised twice", async () => {
      await stopReplica(a);
      a = undefined;
      for (let i = 0; i < 3; i++) await checkAs(b!, "bot5", "plan");
      await waitFor(
        "B to raise bot5's burst",
        async () => (await alertsOf(b!, "burst")).some((x) => x.agent === "agent:bot5"),
        PATIENCE_MS,
      );
      const all = await alertsOf(b!);
      expect(all.filter((x) => x.rule === "burst" && x.agent === "agent:bot5")).toHaveLength(1);
      const keys = all.map((x) => `${x.rule}/${x.key}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(logs.filter((line) => /internal error|failed/.test(line))).toEqual([]);
    });
  });
}
