// `latch alerts check|list|ack|tail`: a rule file checked offline, and the alerts of a server on Postgres.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAlertRules } from "../../src/alerts/rule-file.js";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { type LatchServer, startServer } from "../../src/api/latch-server.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../store/postgres/test-database.js";
import { waitFor } from "../support/wait-for.js";
import { runLatch, startLatch } from "./run-cli-helper.js";

const RULES = `rules:
  - name: secret-read
    match: { resource: "document:secret" }
    condition: any
`;

const SCHEMA = `definition user {}

definition document {
  relation viewer: user
  permission view = viewer
}
`;

describe("latch alerts check", () => {
  it("says a good file is valid", async () => {
    const run = await runLatch(["alerts", "check", "alerts.yaml"], { "alerts.yaml": RULES });
    expect(run).toMatchObject({ exitCode: 0, stdout: "alerts.yaml: 1 rule, valid\n" });
  });

  it("lists each problem with its line and column, and fails", async () => {
    const bad = RULES.replace(
      "condition: any",
      "condition: { count: 3, within: soon }\n    sevrity: high",
    );
    const run = await runLatch(["alerts", "check", "alerts.yaml"], { "alerts.yaml": bad });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      "alerts.yaml:5:5: rule 'secret-read': unknown key 'sevrity'; the keys are name, match, condition, webhook, suspend",
      expect.stringMatching(
        /^alerts\.yaml:4:36: rule 'secret-read': condition: within: a positive duration/,
      ),
      "",
    ]);
  });

  it("says a file it cannot read, as a usage error", async () => {
    const run = await runLatch(["alerts", "check", "/nonexistent/alerts.yaml"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^latch alerts check: \/nonexistent\/alerts\.yaml: cannot read/);
  });
});

const SUITE = "latch alerts list|ack|tail";
const serverUrl = await postgresForTests(SUITE);

if (serverUrl !== undefined) {
  describe(SUITE, () => {
    let database: TestDatabase;
    let store: SqlBackedStore;
    let server: LatchServer;
    let env: Record<string, string>;
    const latch = (...args: string[]) => runLatch(args, {}, { env });

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl);
      store = await createPostgresStore({ connectionString: database.url });
      server = await startServer({
        store,
        decisions: {
          database: store.database,
          settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] },
        },
        alerts: { rules: parseAlertRules(RULES, "alerts.yaml"), secrets: new Map() },
        keys: new ApiKeyRing([]),
        host: "127.0.0.1",
        grpcPort: 0,
        httpPort: 0,
        onInternalError: (method, error) => {
          throw new Error(`${method} failed inside the server: ${String(error)}`);
        },
        log: () => {},
      });
      env = { LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` };
      await runLatch(["schema", "write", "s.zed"], { "s.zed": SCHEMA }, { env });
    });

    afterAll(async () => {
      await server?.close(1000);
      await store?.close();
      await database?.drop();
    });

    it("tails an alert as it is raised, lists it, acknowledges it", async () => {
      const tail = startLatch(["alerts", "tail", "--rule", "secret-read"], {}, { env });
      // The tail starts with the next alert: check until one comes.
      let lines: string[] = [];
      await waitFor(
        "an alert tailed",
        async () => {
          await latch("check", "document:secret#view@user:eve");
          lines = await Promise.race([
            tail.waitForStdout(1),
            new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 200)),
          ]);
          return lines.length > 0;
        },
        20_000,
      );
      await tail.stop();
      expect(lines[0]).toMatch(
        /^\d+ open secret-read user:eve \S+Z: alert rule secret-read: a matching decision \(last: user:eve for user:eve: denied document:secret#view\)$/,
      );
      const id = lines[0]!.split(" ")[0]!;
      const listed = await latch("alerts", "list", "--status", "open", "--json");
      expect(listed.exitCode).toBe(0);
      const alerts = listed.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(alerts.map((a) => a.id)).toContain(id);
      expect(alerts[0]).toMatchObject({ rule: "secret-read", agent: "user:eve", status: "open" });

      const acked = await latch("alerts", "ack", id, "--note", "expected");
      expect(acked.exitCode).toBe(0);
      expect(acked.stdout).toMatch(/\(acknowledged by development: expected\)\n$/);
      const unknown = await latch("alerts", "ack", "99999");
      expect(unknown.exitCode).toBe(2);
      expect(unknown.stderr).toMatch(/no alert has the id 99999/);
    });
  });
}
